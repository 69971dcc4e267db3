package release

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// TestLoadConfig_theReleaseConfiguration reads .goreleaser.yml itself: what it says is what the rehearsal
// builds, and what makes the build reproducible must stay in it.
func TestLoadConfig_theReleaseConfiguration(t *testing.T) {
	cfg, err := LoadConfig(filepath.Join("..", "..", ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range cfg.Platforms() {
		got = append(got, p.String())
	}
	want := []string{"linux_amd64", "linux_arm64", "darwin_amd64", "darwin_arm64", "windows_amd64", "windows_arm64", "freebsd_amd64", "freebsd_arm64"}
	if !slices.Equal(got, want) {
		t.Errorf("platforms: got %q, want %q", got, want)
	}
	b := cfg.Builds[0]
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("the build flags %q lack -trimpath: the build machine's paths would reach the binaries", b.Flags)
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") {
		t.Errorf("the build environment %q lacks CGO_ENABLED=0: binaries would need the build machine's libc", b.Env)
	}
	if len(b.Ldflags) != 1 || !slices.Contains(strings.Fields(b.Ldflags[0]), "-buildid=") {
		t.Errorf("the ldflags %q lack -buildid=", b.Ldflags)
	}
}

func TestLoadConfig_refusesWhatTheRehearsalWouldGetWrong(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("..", "..", ".goreleaser.yml"))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"tar.gz archives": {"      - zip\n", "      - tar.gz\n", "formats [zip]"},
		"build time":      {`mod_timestamp: "{{ .CommitTimestamp }}"`, `mod_timestamp: ""`, "mod_timestamp must be"},
		"md5 sums":        {"algorithm: sha256", "algorithm: md5", "sha256 checksums"},
		"file time":       {"          mtime: \"{{ .CommitDate }}\"\n", "", "needs info.mtime"},
	} {
		t.Run(name, func(t *testing.T) {
			changed := strings.Replace(string(base), c.old, c.new, 1)
			if changed == string(base) {
				t.Fatalf(".goreleaser.yml has no %q to change", c.old)
			}
			path := filepath.Join(t.TempDir(), ".goreleaser.yml")
			if err := os.WriteFile(path, []byte(changed), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadConfig(path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got error %v, want one saying %q", err, c.want)
			}
		})
	}
}

// TestWriteZip_theFileSystemDoesNotReachTheZip zips the same contents from files of different times and
// modes: the zips are the same bytes and hold the times and modes given.
func TestWriteZip_theFileSystemDoesNotReachTheZip(t *testing.T) {
	when := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	var zips [][]byte
	for i, mode := range []os.FileMode{0o600, 0o775} {
		dir := t.TempDir()
		src := filepath.Join(dir, "bin")
		if err := os.WriteFile(src, []byte("the provider"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(src, time.Now(), time.Now().Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "out.zip")
		if err := writeZip(path, []zipEntry{{name: "terraform-provider-gdpr_v1.0.0", src: src, mode: 0o755, modified: when}}); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		zips = append(zips, b)
	}
	if !bytes.Equal(zips[0], zips[1]) {
		t.Fatal("two zips of the same contents differ with the files' times and modes")
	}
	r, err := zip.NewReader(bytes.NewReader(zips[0]), int64(len(zips[0])))
	if err != nil {
		t.Fatal(err)
	}
	f := r.File[0]
	if !f.Modified.Equal(when) || f.Mode() != 0o755 {
		t.Errorf("the entry has time %v and mode %v, want %v and %v", f.Modified, f.Mode(), when, os.FileMode(0o755))
	}
}

func TestSumsFile_asSha256sumWritesIt(t *testing.T) {
	got := string(SumsFile(map[string][]byte{"b.zip": {0xbb}, "a.zip": {0xaa, 0x01}}))
	if want := "aa01  a.zip\nbb  b.zip\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestSigner_aSignatureOnlyItsKeyAccepts checks the signature with the armored public key as a CLI
// would: it verifies, and fails for another key and for a changed message.
func TestSigner_aSignatureOnlyItsKeyAccepts(t *testing.T) {
	signer, err := NewSigner("test")
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewSigner("other")
	if err != nil {
		t.Fatal(err)
	}
	msg := []byte("aa  terraform-provider-gdpr_1.0.0_linux_amd64.zip\n")
	sig, err := signer.DetachSign(msg)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Signer, msg []byte) error {
		armored, err := s.ArmoredPublicKey()
		if err != nil {
			t.Fatal(err)
		}
		keys, err := openpgp.ReadArmoredKeyRing(strings.NewReader(armored))
		if err != nil {
			t.Fatal(err)
		}
		if id, err := KeyIDOf(armored); err != nil || id != s.KeyID() {
			t.Errorf("KeyIDOf = %q, %v; want %q", id, err, s.KeyID())
		}
		_, err = openpgp.CheckDetachedSignature(keys, bytes.NewReader(msg), bytes.NewReader(sig), nil)
		return err
	}
	if err := check(signer, msg); err != nil {
		t.Errorf("the signer's own key rejects its signature: %v", err)
	}
	if err := check(other, msg); err == nil {
		t.Error("another key accepts the signature")
	}
	if err := check(signer, append(msg, 'x')); err == nil {
		t.Error("the signature accepts a changed message")
	}
}

func TestNextVersion_theChangelogsFirstHeading(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "CHANGELOG.md"), []byte("## 1.2.0 (Unreleased)\n\n## 1.1.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if v, err := NextVersion(dir); err != nil || v != "1.2.0" {
		t.Errorf("NextVersion = %q, %v; want 1.2.0", v, err)
	}
}
