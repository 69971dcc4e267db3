package audit

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// keyPair writes a new key pair with keygen into a temporary directory and returns the paths.
func keyPair(t *testing.T) (priv, pub string) {
	t.Helper()
	dir := t.TempDir()
	priv, pub = filepath.Join(dir, "audit.pem"), filepath.Join(dir, "audit.pub.pem")
	if err := GenerateKeys(priv, pub); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// signedTrail writes n events signed with the key at priv and returns the file's path.
func signedTrail(t *testing.T, priv string, n int) string {
	t.Helper()
	key, err := LoadSigningKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	trail := NewTrail(path, "", "", fast, WithSigningKey(key))
	for i := range n {
		if _, errs := trail.Record(context.Background(), event(i)); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	return path
}

func verifyWith(t *testing.T, content, pubPath string) (Summary, error) {
	t.Helper()
	var pub []byte
	if pubPath != "" {
		key, err := LoadPublicKey(pubPath)
		if err != nil {
			t.Fatal(err)
		}
		pub = key
	}
	return VerifySigned(strings.NewReader(content), pub)
}

func wantBroken(t *testing.T, err error, line int, reason string) {
	t.Helper()
	var b *BrokenLink
	if !errors.As(err, &b) || b.Line != line || !strings.Contains(b.Reason, reason) {
		t.Errorf("VerifySigned = %v, want line %d: %s", err, line, reason)
	}
}

func TestSigned_verifiesWithTheRightPublicKey(t *testing.T) {
	priv, pub := keyPair(t)
	path := signedTrail(t, priv, 3)
	b, _ := os.ReadFile(path)
	s, err := verifyWith(t, string(b), pub)
	if err != nil || s.Events != 3 || s.Signed != 3 {
		t.Errorf("VerifySigned = %+v, %v; want 3 events, 3 signed, intact", s, err)
	}
}

// What someone who can rewrite the file but does not hold the key can do: change a field and recompute
// every hash from there on. The chain alone accepts the result; the signatures do not.
func TestSigned_tamperedAndRehashedTrailIsBroken(t *testing.T) {
	priv, pub := keyPair(t)
	l := lines(t, signedTrail(t, priv, 4))
	prev := ""
	var forged []string
	for i, line := range l {
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			e.Region = "us-east-1"
		}
		sig := e.Sig
		e = e.chain(prev)
		e.Sig = sig // the attacker keeps the old signatures, having no key to make new ones
		forged = append(forged, string(e.encode()))
		prev = e.Hash
	}
	content := strings.Join(forged, "\n") + "\n"
	if s, err := verifyWith(t, content, ""); err != nil || s.Events != 4 {
		t.Fatalf("the chain alone should accept the rehashed trail (the attack the signature stops): %+v, %v", s, err)
	}
	_, err := verifyWith(t, content, pub)
	wantBroken(t, err, 2, "signature does not verify")
}

func TestSigned_wrongPublicKeyIsBroken(t *testing.T) {
	priv, _ := keyPair(t)
	_, otherPub := keyPair(t)
	b, _ := os.ReadFile(signedTrail(t, priv, 2))
	_, err := verifyWith(t, string(b), otherPub)
	wantBroken(t, err, 1, "signed with another key")
}

// An event appended without the key (by hand, or by a provider configured without signing_key_file) is a
// broken link of a signed trail, named by its line.
func TestSigned_unsignedLineIsBroken(t *testing.T) {
	priv, pub := keyPair(t)
	path := signedTrail(t, priv, 2)
	// The provider refuses to append an unsigned event to a signed file, so the line is added by hand.
	l := lines(t, path)
	unsigned := event(7).sealed(mustHash(t, l[1]), nil)
	b := []byte(strings.Join(append(l, string(unsigned.encode())), "\n") + "\n")
	_, err := verifyWith(t, string(b), pub)
	wantBroken(t, err, 3, "not signed")
}

// Without a public key, verify checks the chain as before and says the signatures were not checked.
func TestMain_verifyWithoutKeySaysSignaturesWereNotChecked(t *testing.T) {
	priv, pub := keyPair(t)
	path := signedTrail(t, priv, 3)
	for _, tc := range []struct {
		args []string
		out  string
	}{
		{[]string{"verify", path}, "3 events, chain intact; 3 carry signatures, which were not checked"},
		{[]string{"verify", path, "--public-key", pub}, "3 events, chain intact, every event signed by the given key"},
		{[]string{"verify", "--public-key", pub, path}, "every event signed by the given key"},
	} {
		var out, errOut bytes.Buffer
		if code := Main(tc.args, &out, &errOut); code != 0 || !strings.Contains(out.String(), tc.out) {
			t.Errorf("%v: exit %d, %q %q; want 0 and %q", tc.args, code, out.String(), errOut.String(), tc.out)
		}
	}
	l := lines(t, path)
	if err := os.WriteFile(path, []byte(l[0]+"\n"+l[2]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"verify", path}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "line 2: prev_hash") {
		t.Errorf("a deleted line without a key: exit %d, %q; want 1 naming line 2", code, errOut.String())
	}
}

// The signing key is read as OpenSSL writes it, and anything else is refused with a reason.
func TestLoadSigningKey(t *testing.T) {
	dir := t.TempDir()
	if _, err := exec.LookPath("openssl"); err == nil {
		priv, pub := filepath.Join(dir, "openssl.pem"), filepath.Join(dir, "openssl.pub.pem")
		if out, err := exec.Command("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv).CombinedOutput(); err != nil {
			t.Fatalf("openssl genpkey: %v\n%s", err, out)
		}
		if out, err := exec.Command("openssl", "pkey", "-in", priv, "-pubout", "-out", pub).CombinedOutput(); err != nil {
			t.Fatalf("openssl pkey: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(signedTrail(t, priv, 2))
		if _, err := verifyWith(t, string(b), pub); err != nil {
			t.Errorf("a trail signed with an OpenSSL key does not verify with its OpenSSL public key: %v", err)
		}
	} else {
		t.Log("openssl is not on PATH: the OpenSSL key formats are not tried")
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKCS8PrivateKey(ec)
	if err != nil {
		t.Fatal(err)
	}
	_, pub := keyPair(t)
	pubPEM, _ := os.ReadFile(pub)
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for name, tc := range map[string]struct{ path, want string }{
		"missing":        {filepath.Join(dir, "missing.pem"), "no such file"},
		"not PEM":        {write("text", []byte("hello")), "not a PEM file"},
		"public key":     {write("pub.pem", pubPEM), `"PUBLIC KEY" block, not a "PRIVATE KEY"`},
		"ECDSA key":      {write("ec.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER})), "not an ed25519 private key"},
		"garbage inside": {write("bad.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("x")})), "not hold a PKCS#8"},
	} {
		if _, err := LoadSigningKey(tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadSigningKey = %v, want an error saying %q", name, err, tc.want)
		}
	}
}

func TestGenerateKeys_privateKeyOwnerOnlyAndNeverOverwritten(t *testing.T) {
	priv, pub := keyPair(t)
	info, err := os.Stat(priv)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v (%v), want 0600", info.Mode().Perm(), err)
	}
	before, _ := os.ReadFile(priv)
	if err := GenerateKeys(priv, pub+".2"); err == nil || !strings.Contains(err.Error(), "exists already") {
		t.Errorf("GenerateKeys over an existing key = %v, want a refusal", err)
	}
	if after, _ := os.ReadFile(priv); !bytes.Equal(before, after) {
		t.Error("the existing private key was changed")
	}
	if _, err := os.Stat(pub + ".2"); err == nil {
		t.Error("a public key was written without its private key")
	}
}
