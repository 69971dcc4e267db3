package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// The PEM block types OpenSSL writes for `openssl genpkey -algorithm ed25519` (PKCS#8) and for
// `openssl pkey -pubout` (SubjectPublicKeyInfo), the forms the provider reads.
const (
	privateKeyBlock = "PRIVATE KEY"
	publicKeyBlock  = "PUBLIC KEY"
)

// LoadSigningKey reads a PKCS#8 PEM ed25519 private key, as `openssl genpkey -algorithm ed25519` and
// `terraform-provider-gdpr audit keygen` write it.
func LoadSigningKey(path string) (ed25519.PrivateKey, error) {
	der, err := readPEM(path, privateKeyBlock, "openssl genpkey -algorithm ed25519")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s does not hold a PKCS#8 private key: %w", path, err)
	}
	ed, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T, not an ed25519 private key", path, key)
	}
	return ed, nil
}

// LoadPublicKey reads a SubjectPublicKeyInfo PEM ed25519 public key, as `openssl pkey -pubout` and
// `terraform-provider-gdpr audit keygen` write it.
func LoadPublicKey(path string) (ed25519.PublicKey, error) {
	der, err := readPEM(path, publicKeyBlock, "openssl pkey -in PRIV.pem -pubout")
	if err != nil {
		return nil, err
	}
	key, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("%s does not hold a public key: %w", path, err)
	}
	ed, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%s holds a %T, not an ed25519 public key", path, key)
	}
	return ed, nil
}

// readPEM returns the DER of the first PEM block of the file, which must be of the type want; how names
// the command that writes such a file, for the message.
func readPEM(path, want, how string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(b)
	switch {
	case block == nil:
		return nil, fmt.Errorf("%s is not a PEM file (one written by %s)", path, how)
	case block.Type != want:
		return nil, fmt.Errorf("%s holds a PEM %q block, not a %q one (as %s writes it)", path, block.Type, want, how)
	}
	return block.Bytes, nil
}

// GenerateKeys writes a new ed25519 key pair: the private key as PKCS#8 PEM readable by its owner only, the
// public key as SubjectPublicKeyInfo PEM. Neither file may exist already: overwriting a signing key would
// leave the events it signed unverifiable.
func GenerateKeys(privatePath, publicPath string) error {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	privDER, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return err
	}
	for _, p := range []string{privatePath, publicPath} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("%s exists already; keygen does not overwrite a key", p)
		}
	}
	if err := writeNew(privatePath, 0o600, &pem.Block{Type: privateKeyBlock, Bytes: privDER}); err != nil {
		return err
	}
	if err := writeNew(publicPath, 0o644, &pem.Block{Type: publicKeyBlock, Bytes: pubDER}); err != nil {
		// A private key without its public half is of no use to anyone; do not leave it behind.
		return errors.Join(err, os.Remove(privatePath))
	}
	return nil
}

// writeNew writes the PEM block to a file that must not exist yet, with mode perm.
func writeNew(path string, perm os.FileMode, block *pem.Block) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, block); err != nil {
		return errors.Join(err, f.Close())
	}
	return f.Close()
}

// verifySig reports whether sig, standard base64, is pub's ed25519 signature of the event hash.
func verifySig(pub ed25519.PublicKey, hash, sig string) bool {
	raw, err := base64.StdEncoding.DecodeString(sig)
	return err == nil && ed25519.Verify(pub, []byte(hash), raw)
}

// Fingerprint names an ed25519 public key: "SHA256:" followed by the SHA-256 of the key's 32 bytes in
// standard base64 without padding. It is written the way OpenSSH writes fingerprints, but OpenSSH hashes
// its own encoding of the key, so ssh-keygen -l prints another value for the same key; the audit guide
// gives the openssl command that computes this one from the public key's PEM file.
func Fingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// SignerError is an audit file whose last event was not signed the way the provider signs now: by another
// key, or by a key while the provider has none, or by none while the provider has one. Appending would
// leave a file that no single public key verifies from its first line to its last.
type SignerError struct {
	Path string
	// LastSigned tells whether the last event carries a signature; LastKey is the key it names, "" for an
	// event written before events named their key.
	LastSigned bool
	LastKey    string
	// Key is the fingerprint of the provider's signing key, "" without one.
	Key string
}

func (e *SignerError) Error() string {
	last := "is not signed"
	switch {
	case e.LastSigned && e.Key != "" && e.LastKey == e.Key:
		// The event names the provider's key, yet its signature does not verify with it.
		last = fmt.Sprintf("names the signing key %s but its signature does not verify with that key (the "+
			"line was forged or damaged)", e.LastKey)
	case e.LastSigned && e.LastKey != "":
		last = "was signed by the key " + e.LastKey
	case e.LastSigned:
		last = "was signed by a key it does not name (it was written before events named their key), " +
			"whose signature does not verify with the provider's key"
	}
	now := "the provider has no signing key now"
	if e.Key != "" {
		now = "the provider now signs with the key " + e.Key
	}
	return fmt.Sprintf("the last event of %s %s, and %s", e.Path, last, now)
}

// checkSigner tells whether an event signed with key, or unsigned when key is nil, may follow last: last
// must be unsigned when key is nil, and carry a signature that verifies with key otherwise. The signature
// decides, not the key it names, so a trail written before events named their key continues with the key
// that signed it.
func checkSigner(path string, last Event, key ed25519.PrivateKey) error {
	if key == nil {
		if last.Sig == "" {
			return nil
		}
		return &SignerError{Path: path, LastSigned: true, LastKey: last.KeyFingerprint}
	}
	pub := publicOf(key)
	if last.Sig != "" && verifySig(pub, last.Hash, last.Sig) {
		return nil
	}
	return &SignerError{Path: path, LastSigned: last.Sig != "", LastKey: last.KeyFingerprint, Key: Fingerprint(pub)}
}

// publicOf is the public half of key.
func publicOf(key ed25519.PrivateKey) ed25519.PublicKey {
	// An ed25519.PrivateKey's Public is always an ed25519.PublicKey.
	pub, _ := key.Public().(ed25519.PublicKey)
	return pub
}
