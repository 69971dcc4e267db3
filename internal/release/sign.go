package release

import (
	"bytes"
	"crypto"
	"fmt"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Signer holds a throw-away OpenPGP key that signs one rehearsal's checksum file, as the release's GPG key
// signs a published one. It is made in memory and never written down: nothing it signs is trusted anywhere
// but in the run that made it.
type Signer struct {
	entity *openpgp.Entity
}

// NewSigner makes a new RSA key, the kind the Terraform Registry takes for provider signing keys.
func NewSigner(name string) (*Signer, error) {
	e, err := openpgp.NewEntity(name, "throw-away key of one release rehearsal", "", &packet.Config{
		Algorithm:     packet.PubKeyAlgoRSA,
		RSABits:       3072,
		DefaultHash:   crypto.SHA256,
		DefaultCipher: packet.CipherAES256,
	})
	if err != nil {
		return nil, fmt.Errorf("making a throw-away signing key: %w", err)
	}
	return &Signer{entity: e}, nil
}

// DetachSign returns a binary detached signature of message, what gpg --detach-sign writes.
func (s *Signer) DetachSign(message []byte) ([]byte, error) {
	var b bytes.Buffer
	if err := openpgp.DetachSign(&b, s.entity, bytes.NewReader(message), nil); err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return b.Bytes(), nil
}

// KeyID is the key's long id in upper-case hex, as the registry protocol's key_id.
func (s *Signer) KeyID() string {
	return fmt.Sprintf("%016X", s.entity.PrimaryKey.KeyId)
}

// ArmoredPublicKey is the public key in ASCII armor, as the registry protocol's ascii_armor and as
// gpg --import takes it.
func (s *Signer) ArmoredPublicKey() (string, error) {
	var b bytes.Buffer
	w, err := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err != nil {
		return "", err
	}
	if err := s.entity.Serialize(w); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// PublicKeyFile is the name of the armored public key the rehearsal leaves next to its artifacts.
const PublicKeyFile = "signing-key.asc"

// KeyIDOf reads the long key id of an armored public key, as the registry protocol's key_id.
func KeyIDOf(armored string) (string, error) {
	keys, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armored))
	if err != nil {
		return "", fmt.Errorf("reading the public key: %w", err)
	}
	if len(keys) != 1 {
		return "", fmt.Errorf("want one public key, found %d", len(keys))
	}
	return fmt.Sprintf("%016X", keys[0].PrimaryKey.KeyId), nil
}
