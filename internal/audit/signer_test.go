package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The trail an earlier version of the provider wrote, signed with seedKey, before events named their key.
const (
	oldTrail    = "testdata/signed-without-key-fingerprint.jsonl"
	oldTrailPub = "testdata/signed-without-key-fingerprint.pub.pem"
)

// otherKey is a second signing key, fixed like seedKey.
func otherKey() ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
}

func fingerprintOf(key ed25519.PrivateKey) string {
	return Fingerprint(publicOf(key))
}

// trailSignedBy writes two events with key (unsigned when nil) into a new file and returns its path.
func trailSignedBy(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	var opts []Option
	if key != nil {
		opts = append(opts, WithSigningKey(key))
	}
	trail := NewTrail(path, "", "", fast, opts...)
	for i := range 2 {
		if _, errs := trail.Record(context.Background(), event(i)); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	return path
}

// copyOldTrail copies the trail an earlier version wrote into a temporary directory.
func copyOldTrail(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(oldTrail)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// A file is signed by one key from its first event to its last, or by none. The plan's check refuses a
// file whose last event was signed otherwise than the provider would sign the next one, naming both keys,
// and so does the apply's append, without writing anything; the same key, or none on both sides, goes on.
func TestFile_oneKeyPerFile(t *testing.T) {
	a, b := seedKey(), otherKey()
	fa, fb := fingerprintOf(a), fingerprintOf(b)
	for name, tc := range map[string]struct {
		file func(t *testing.T) string
		key  ed25519.PrivateKey
		want []string // nil when the event may be appended
	}{
		"unsigned file, no key":        {file: func(t *testing.T) string { return trailSignedBy(t, nil) }},
		"new file, a key":              {file: func(t *testing.T) string { return filepath.Join(t.TempDir(), "new.jsonl") }, key: a},
		"signed file, the same key":    {file: func(t *testing.T) string { return trailSignedBy(t, a) }, key: a},
		"old signed file, its own key": {file: copyOldTrail, key: a},
		"signed file, another key": {file: func(t *testing.T) string { return trailSignedBy(t, a) }, key: b,
			want: []string{"was signed by the key " + fa, "now signs with the key " + fb}},
		"signed file, the key removed": {file: func(t *testing.T) string { return trailSignedBy(t, a) },
			want: []string{"was signed by the key " + fa, "has no signing key now"}},
		"unsigned file, a key added": {file: func(t *testing.T) string { return trailSignedBy(t, nil) }, key: b,
			want: []string{"is not signed", "now signs with the key " + fb}},
		"old signed file, another key": {file: copyOldTrail, key: b,
			want: []string{"signed by a key it does not name", "now signs with the key " + fb}},
		"old signed file, the key removed": {file: copyOldTrail,
			want: []string{"was signed by a key it does not name", "has no signing key now"}},
	} {
		t.Run(name, func(t *testing.T) {
			path := tc.file(t)
			var opts []Option
			if tc.key != nil {
				opts = append(opts, WithSigningKey(tc.key))
			}
			trail := NewTrail(path, "", "", fast, opts...)
			before, _ := os.ReadFile(path)
			err := trail.Check()
			if tc.want == nil {
				if err != nil {
					t.Fatalf("Check = %v, want nil", err)
				}
				if _, errs := trail.Record(context.Background(), event(5)); len(errs) > 0 {
					t.Fatalf("Record = %v", errs)
				}
				var pub ed25519.PublicKey
				if tc.key != nil {
					pub = publicOf(tc.key)
				}
				f, _ := os.Open(path)
				defer f.Close()
				if s, err := VerifySigned(f, pub); err != nil || (pub != nil && s.Signed != s.Events) {
					t.Errorf("after the append, VerifySigned with the provider's key = %+v, %v; want every event verified", s, err)
				}
				return
			}
			var signer *SignerError
			if !errors.As(err, &signer) {
				t.Fatalf("Check = %v, want a *SignerError", err)
			}
			for _, w := range append(tc.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Check = %q, want it to say %q", err, w)
				}
			}
			if _, errs := trail.Record(context.Background(), event(5)); len(errs) != 1 || !errors.As(errs[0], &signer) {
				t.Errorf("Record = %v, want the file to refuse the event with a *SignerError", errs)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Errorf("the file changed:\n%s", after)
			}
		})
	}
}

// Events name the key that signed them, and verify names, for the first line it cannot verify, the key the
// line names and the key it was given, then every line the key does not verify, by the key each names.
func TestSigned_verifyNamesTheKeyOfTheLine(t *testing.T) {
	a, b := seedKey(), otherKey()
	path := trailSignedBy(t, a)
	l := lines(t, path)
	for _, line := range l {
		if !strings.Contains(line, `"key_fingerprint":"`+fingerprintOf(a)+`"`) {
			t.Errorf("the event does not name its key %s: %s", fingerprintOf(a), line)
		}
	}
	// Someone appends events signed with another key and one unsigned, as providers given another key, or
	// none, once did: lines 3 to 5 and 7 by b, line 6 unsigned.
	prev := mustHash(t, l[1])
	for i, key := range []ed25519.PrivateKey{b, b, b, nil, b} {
		e := event(10+i).sealed(prev, key)
		l = append(l, string(e.encode()))
		prev = e.Hash
	}
	content := strings.Join(l, "\n") + "\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := VerifySigned(strings.NewReader(content), publicOf(a))
	wantBroken(t, err, 3, "signed with another key, "+fingerprintOf(b)+", not the given public key "+fingerprintOf(a))
	var broken *BrokenLink
	want := []Unverified{{3, fingerprintOf(b), true}, {4, fingerprintOf(b), true}, {5, fingerprintOf(b), true},
		{6, "", false}, {7, fingerprintOf(b), true}}
	if !errors.As(err, &broken) || !slices.Equal(broken.Unverified, want) || s.Events != 2 {
		t.Errorf("VerifySigned = %+v, %#v; want 2 intact events and the unverified lines %+v", s, err, want)
	}
	_, err = VerifySigned(strings.NewReader(content), publicOf(b))
	wantBroken(t, err, 1, "signed with another key, "+fingerprintOf(a)+", not the given public key "+fingerprintOf(b))

	pubPath := filepath.Join(t.TempDir(), "a.pub.pem")
	der, err := x509.MarshalPKIXPublicKey(publicOf(a))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubPath, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	if code := Main([]string{"verify", path, "--public-key", pubPath}, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "line 3: the event was signed with another key, "+fingerprintOf(b)) ||
		!strings.Contains(errOut.String(), "does not verify 5 events; by the key each names:\n  "+fingerprintOf(b)+": lines 3-5, 7\n  not signed: line 6\n") {
		t.Errorf("verify with the first key: exit %d, %q %q; want 1, the first line, and every line by key", code, out.String(), errOut.String())
	}

	out.Reset()
	errOut.Reset()
	if code := Main([]string{"verify", path}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "they name the key "+fingerprintOf(a)+", the key "+fingerprintOf(b)) {
		t.Errorf("verify without a key: exit %d, %q %q; want 0 and both keys named", code, out.String(), errOut.String())
	}
	// A signature taken off leaves the hash intact, but not the line the provider writes.
	var stripped Event
	if err := json.Unmarshal([]byte(l[0]), &stripped); err != nil {
		t.Fatal(err)
	}
	stripped.Sig = ""
	_, err = VerifySigned(strings.NewReader(string(stripped.encode())+"\n"), nil)
	wantBroken(t, err, 1, "names the signing key "+fingerprintOf(a)+" but carries no signature")
	// An event of an earlier version names no key; the message says so.
	old, err := os.ReadFile(oldTrail)
	if err != nil {
		t.Fatal(err)
	}
	_, err = VerifySigned(bytes.NewReader(old), publicOf(b))
	wantBroken(t, err, 1, "the event does not name its key")
}

// A trail written before events named their key verifies with its public key as it did, and the
// provider goes on appending to it with the key that signed it.
func TestSigned_trailWithoutKeyFingerprintsStillVerifies(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"verify", oldTrail, "--public-key", oldTrailPub}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "2 events, chain intact, every event signed by the given key "+fingerprintOf(seedKey())) {
		t.Errorf("verify of the earlier trail: exit %d, %q %q", code, out.String(), errOut.String())
	}
	pub, err := LoadPublicKey(oldTrailPub)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Fingerprint(pub), fingerprintOf(seedKey()); got != want {
		t.Fatalf("the test key's public half is %s, want %s", got, want)
	}
}

// The fingerprint is the one the guide defines, and the one its OpenSSL command prints.
func TestFingerprint_asTheGuideDefinesIt(t *testing.T) {
	pub := publicOf(seedKey())
	if got, want := Fingerprint(pub), guideFingerprint(pub); got != want {
		t.Errorf("Fingerprint = %s, the guide defines %s", got, want)
	}
	guide, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "audit-trail.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The guide's example is the fingerprint of the test key, whose PEM file is testdata's.
	if !strings.Contains(string(guide), "\n"+Fingerprint(pub)+"\n") {
		t.Errorf("the guide's OpenSSL example does not print %s, the fingerprint of %s", Fingerprint(pub), oldTrailPub)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl is not on PATH: the guide's command is not run")
		return
	}
	out, err := exec.Command("sh", "-c", `echo "SHA256:$(openssl pkey -pubin -in `+oldTrailPub+` -outform DER | tail -c 32 | `+
		`openssl dgst -sha256 -binary | openssl base64 -A | tr -d '=')"`).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != Fingerprint(pub) {
		t.Errorf("the guide's OpenSSL command printed %q (%v), want %s", out, err, Fingerprint(pub))
	}
}
