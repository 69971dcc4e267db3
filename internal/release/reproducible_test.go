package release_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/release"
)

// TestAccRelease_twoBuildsAreTheSame builds the release a second time, from a copy of the checkout at
// another path, and compares every zip and the checksum file byte for byte with the first build's. The
// host platform's packages are compiled again in a build cache of their own (GDPR_RELEASE_GOCACHE, kept by
// make release-check so that only its first run pays for it, or else an empty one), so two compilations
// are compared, not one compilation read twice from a cache; the other platforms share the cache and
// prove the rest: the path, the times and the order of the zip entries.
func TestAccRelease_twoBuildsAreTheSame(t *testing.T) {
	acctest.RequireEmulator(t)
	first, _ := artifacts(t)
	root := repoRoot(t)
	copied := filepath.Join(t.TempDir(), "another", "checkout")
	copyCheckout(t, root, copied)
	cache := os.Getenv("GDPR_RELEASE_GOCACHE")
	if cache == "" {
		cache = t.TempDir()
	}
	signer, err := release.NewSigner("second build")
	if err != nil {
		t.Fatal(err)
	}
	host := release.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
	second, err := release.Build(context.Background(), release.Options{
		Root: root, Source: copied, Out: t.TempDir(), Version: first.Version, Signer: signer,
		Env: map[release.Platform][]string{host: {"GOCACHE=" + cache}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, name := range first.Zips {
		if second.Zips[p] != name {
			t.Errorf("%s: the second build named its zip %q, the first %q", p, second.Zips[p], name)
			continue
		}
		sameBytes(t, filepath.Join(first.Dir, name), filepath.Join(second.Dir, name))
	}
	sameBytes(t, filepath.Join(first.Dir, first.Sums), filepath.Join(second.Dir, second.Sums))
}

func sameBytes(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		t.Errorf("two builds of one commit differ: %s (%d bytes) and %s (%d bytes)", a, len(x), b, len(y))
	}
}

// copyCheckout copies the checkout's files, committed or not but not ignored, as a second clone would
// have them (with the working tree's changes, which the first build had too).
func copyCheckout(t *testing.T, root, dst string) {
	t.Helper()
	out, err := exec.Command("git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("listing the checkout's files: %v", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		src := filepath.Join(root, name)
		fi, err := os.Lstat(src)
		if os.IsNotExist(err) {
			continue // deleted in the working tree, as in the first build
		}
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dst, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		copyFile(t, src, filepath.Join(dst, name), fi.Mode().Perm())
	}
}

func copyFile(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}
