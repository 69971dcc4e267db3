package release_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRelease_verifiesByHand runs the README's check of a release: gpg --verify of SHA256SUMS with the
// signing key, then sha256sum -c of the files.
func TestAccRelease_verifiesByHand(t *testing.T) {
	acctest.RequireEmulator(t)
	for _, tool := range []string{"gpg", "gpgconf", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed, so the README's check by hand cannot run here", tool)
		}
	}
	a, key := artifacts(t)
	home := t.TempDir()
	// gpg warns about a keyring others can read.
	if err := os.Chmod(home, 0o700); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(home, "gdpr-signing-key.asc")
	if err := os.WriteFile(keyFile, []byte(key.ASCIIArmor), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(dir, name string, args ...string) string {
		t.Helper()
		cmd := exec.Command(name, args...)
		cmd.Dir = dir
		// A keyring of the test's own, so the user's keys neither help nor hinder the check.
		cmd.Env = append(os.Environ(), "GNUPGHOME="+home, "LC_ALL=C")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// gpg may start an agent for the keyring; it goes with the test.
	t.Cleanup(func() { exec.Command("gpgconf", "--homedir", home, "--kill", "all").Run() }) //nolint:errcheck,gosec // nothing to do if there is none
	run(a.Dir, "gpg", "--batch", "--import", keyFile)
	if out := run(a.Dir, "gpg", "--batch", "--verify", a.Signature, a.Sums); !strings.Contains(out, "Good signature") {
		t.Errorf("gpg --verify does not report a good signature:\n%s", out)
	}
	out := run(a.Dir, "sha256sum", "-c", a.Sums)
	if n := strings.Count(out, ": OK\n"); n != len(a.Zips)+1 {
		t.Errorf("sha256sum -c checked %d files, want the %d zips and the manifest:\n%s", n, len(a.Zips), out)
	}
}
