package release_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/release"
)

func TestMain(m *testing.M) {
	acctest.Main(m)
}

// The four platforms `providers lock` records, as a team on Linux and macOS laptops, Windows and ARM CI
// runners would ask for.
var lockPlatforms = []release.Platform{
	{OS: "linux", Arch: "amd64"}, {OS: "linux", Arch: "arm64"}, {OS: "darwin", Arch: "arm64"}, {OS: "windows", Arch: "amd64"},
}

// TestAccRelease_installs installs the release from a registry with each CLI, as users do: init downloads
// it, checks its checksum and signature and records both kinds of hash, and the installed provider plans
// against the emulator.
func TestAccRelease_installs(t *testing.T) {
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, key := artifacts(t)
			reg := release.NewRegistry(t, a, key)
			w := newWorkdir(t, c, reg, acctest.ProviderConfig(acctest.Region, "")+`
resource "gdpr_key" "test" {
  description = "installed from a registry"
}
`)
			out := w.must("init", "-input=false", "-no-color")
			// Only a verified signature is reported with the key that made it.
			if !regexp.MustCompile(`Installed ` + regexp.QuoteMeta(reg.Source()) + ` v` + regexp.QuoteMeta(a.Version) +
				` \((self-)?signed, key ID ` + key.KeyID + `\)`).MatchString(out) {
				t.Fatalf("%s init does not report the provider installed and signed by key %s:\n%s", c.name, key.KeyID, out)
			}
			h1, zh := w.lockHashes(reg)
			if want := sumsHashes(t, a); !slices.Equal(zh, want) {
				t.Errorf("the lock file's zh: hashes are not the lines of the signed SHA256SUMS:\n got %q\nwant %q", zh, want)
			}
			host := release.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}
			if want := []string{h1Hash(t, a, host)}; !slices.Equal(h1, want) {
				t.Errorf("the lock file's h1: hashes are not the one of the %s zip:\n got %q\nwant %q", host, h1, want)
			}
			out = w.must("plan", "-input=false", "-no-color")
			if !strings.Contains(out, "gdpr_key.test will be created") || !strings.Contains(out, "1 to add") {
				t.Fatalf("%s plan with the installed provider does not plan the key:\n%s", c.name, out)
			}
		})
	}
}

// TestAccRelease_lockForFourPlatforms records the hashes of four platforms, which each checks when it
// installs: the h1: hash of each platform's zip and the zh: hashes of all of them.
func TestAccRelease_lockForFourPlatforms(t *testing.T) {
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, key := artifacts(t)
			reg := release.NewRegistry(t, a, key)
			w := newWorkdir(t, c, reg, "")
			args := []string{"providers", "lock", "-no-color"}
			for _, p := range lockPlatforms {
				args = append(args, "-platform="+p.String())
			}
			w.must(args...)
			h1, zh := w.lockHashes(reg)
			var want []string
			for _, p := range lockPlatforms {
				want = append(want, h1Hash(t, a, p))
			}
			slices.Sort(want)
			if !slices.Equal(h1, want) {
				t.Errorf("the lock file's h1: hashes are not those of the four platforms' zips:\n got %q\nwant %q", h1, want)
			}
			if want := sumsHashes(t, a); !slices.Equal(zh, want) {
				t.Errorf("the lock file's zh: hashes are not the lines of the signed SHA256SUMS:\n got %q\nwant %q", zh, want)
			}
		})
	}
}

// TestAccRelease_refusesATamperedZip serves a zip that is not the one the signed checksums name.
func TestAccRelease_refusesATamperedZip(t *testing.T) {
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, key := artifacts(t)
			reg := release.NewRegistry(t, a, key)
			name := a.Zips[release.Platform{OS: runtime.GOOS, Arch: runtime.GOARCH}]
			zip, err := os.ReadFile(filepath.Join(a.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			// Still a valid zip: data after the central directory is ignored by readers.
			reg.Replace(name, append(zip, []byte("tampered")...))
			w := newWorkdir(t, c, reg, "")
			w.mustFail(`archive has incorrect checksum zh:[0-9a-f]{64} \(expected zh:`+sums(t, a)[name]+`\)`, "init", "-input=false", "-no-color")
		})
	}
}

// TestAccRelease_refusesAWrongSignature serves checksums signed by another key than the registry's.
func TestAccRelease_refusesAWrongSignature(t *testing.T) {
	for _, c := range clis(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			a, key := artifacts(t)
			reg := release.NewRegistry(t, a, key)
			other, err := release.NewSigner("not the release's key")
			if err != nil {
				t.Fatal(err)
			}
			sums, err := os.ReadFile(filepath.Join(a.Dir, a.Sums))
			if err != nil {
				t.Fatal(err)
			}
			sig, err := other.DetachSign(sums)
			if err != nil {
				t.Fatal(err)
			}
			reg.Replace(a.Signature, sig)
			w := newWorkdir(t, c, reg, "")
			w.mustFail(`authentication signature from unknown issuer`, "init", "-input=false", "-no-color")
		})
	}
}

// cli is Terraform or OpenTofu.
type cli struct{ name, path string }

// clis are the CLIs the release must install with: the Terraform the acceptance tests run and OpenTofu,
// from TESTACC_TOFU, PATH, or the CI machines' ../shared/bin; without it the OpenTofu cases skip, saying so.
func clis(t *testing.T) []cli {
	t.Helper()
	acctest.RequireEmulator(t)
	tf := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if tf == "" {
		tf = "terraform"
	}
	cs := []cli{{"terraform", tf}}
	tofu := os.Getenv("TESTACC_TOFU")
	if tofu == "" {
		tofu, _ = exec.LookPath("tofu")
	}
	if tofu == "" {
		if shared := filepath.Join(repoRoot(t), "..", "shared", "bin", "tofu"); isExecutable(shared) {
			tofu = shared
		}
	}
	if tofu == "" {
		t.Run("tofu", func(t *testing.T) {
			t.Skip("OpenTofu not found: set TESTACC_TOFU, put tofu on PATH, or keep it in ../shared/bin beside the checkout as on the CI machines")
		})
		return cs
	}
	return append(cs, cli{"tofu", tofu})
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

var (
	buildOnce sync.Once
	built     *release.Artifacts
	builtKey  release.PublicKey
	buildErr  error
)

// artifacts are the release the tests install: GDPR_RELEASE_DIST's, which make release-check builds with
// the rehearse command, or else one built here, once per test binary, for every platform.
func artifacts(t *testing.T) (*release.Artifacts, release.PublicKey) {
	t.Helper()
	buildOnce.Do(func() {
		root := repoRoot(t)
		version, err := release.NextVersion(root)
		if err != nil {
			buildErr = err
			return
		}
		if dir := os.Getenv("GDPR_RELEASE_DIST"); dir != "" {
			built, buildErr = release.Load(root, dir, version)
			if buildErr != nil {
				return
			}
			armor, err := os.ReadFile(filepath.Join(dir, release.PublicKeyFile))
			if err != nil {
				buildErr = err
				return
			}
			builtKey, buildErr = publicKey(string(armor))
			return
		}
		// Shared by every test of the binary, so not a test's TempDir; it is small next to the build cache.
		dir, err := os.MkdirTemp("", "gdpr-release") //nolint:usetesting // outlives any one test
		if err != nil {
			buildErr = err
			return
		}
		signer, err := release.NewSigner("terraform-provider-gdpr release test")
		if err != nil {
			buildErr = err
			return
		}
		if built, buildErr = release.Build(context.Background(), release.Options{Root: root, Out: dir, Version: version, Signer: signer}); buildErr != nil {
			return
		}
		armor, err := signer.ArmoredPublicKey()
		if err != nil {
			buildErr = err
			return
		}
		builtKey = release.PublicKey{KeyID: signer.KeyID(), ASCIIArmor: armor}
	})
	if buildErr != nil {
		t.Fatalf("the release artifacts: %v", buildErr)
	}
	return built, builtKey
}

// publicKey reads an armored public key the rehearse command left, for the registry to hand out.
func publicKey(armor string) (release.PublicKey, error) {
	id, err := release.KeyIDOf(armor)
	return release.PublicKey{KeyID: id, ASCIIArmor: armor}, err
}

// workdir is a fresh directory with a configuration that requires the provider from the registry, and a
// CLI configuration with nothing in it: no dev_overrides, no mirror, no plugin cache, so the CLI installs
// from the registry as it does for a user.
type workdir struct {
	t   *testing.T
	cli cli
	dir string
	env []string
}

func newWorkdir(t *testing.T, c cli, reg *release.Registry, body string) *workdir {
	t.Helper()
	dir := t.TempDir()
	rc := filepath.Join(t.TempDir(), "cli.tfrc")
	if err := os.WriteFile(rc, []byte("disable_checkpoint = true\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`terraform {
  required_providers {
    gdpr = {
      source  = %q
      version = "~> %s"
    }
  }
}
%s`, reg.Source(), version(t), body)
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TF_PLUGIN_CACHE_DIR=") && !strings.HasPrefix(kv, "TF_CLI_ARGS") {
			env = append(env, kv)
		}
	}
	env = append(env, "TF_CLI_CONFIG_FILE="+rc, "SSL_CERT_FILE="+reg.CAFile, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	return &workdir{t: t, cli: c, dir: dir, env: env}
}

func version(t *testing.T) string {
	t.Helper()
	v, err := release.NextVersion(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *workdir) run(args ...string) (string, error) {
	cmd := exec.Command(w.cli.path, append([]string{"-chdir=" + w.dir}, args...)...)
	cmd.Env = w.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (w *workdir) must(args ...string) string {
	w.t.Helper()
	out, err := w.run(args...)
	if err != nil {
		w.t.Fatalf("%s %s: %v\n%s", w.cli.name, strings.Join(args, " "), err, out)
	}
	return out
}

// mustFail runs the CLI, which must fail saying why (the pattern, matched with every run of white space
// read as one space), and must not have written a lock file.
func (w *workdir) mustFail(pattern string, args ...string) {
	w.t.Helper()
	out, err := w.run(args...)
	if err == nil {
		w.t.Fatalf("%s %s succeeded, want it to fail with %q:\n%s", w.cli.name, strings.Join(args, " "), pattern, out)
	}
	// The CLIs wrap their error messages to the terminal's width.
	if !regexp.MustCompile(pattern).MatchString(strings.Join(strings.Fields(out), " ")) {
		w.t.Fatalf("%s %s failed without saying %q:\n%s", w.cli.name, strings.Join(args, " "), pattern, out)
	}
	if _, err := os.Stat(filepath.Join(w.dir, ".terraform.lock.hcl")); err == nil {
		w.t.Errorf("%s %s failed but wrote a lock file", w.cli.name, strings.Join(args, " "))
	}
}

var lockHash = regexp.MustCompile(`"((?:h1|zh):[^"]+)"`)

// lockHashes reads the provider's h1: and zh: hashes from the lock file, each sorted.
func (w *workdir) lockHashes(reg *release.Registry) (h1, zh []string) {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(w.dir, ".terraform.lock.hcl"))
	if err != nil {
		w.t.Fatalf("%s wrote no lock file: %v", w.cli.name, err)
	}
	if !bytes.Contains(b, []byte(`provider "`+reg.Source()+`"`)) {
		w.t.Fatalf("the lock file has no entry for %s:\n%s", reg.Source(), b)
	}
	for _, m := range lockHash.FindAllStringSubmatch(string(b), -1) {
		if strings.HasPrefix(m[1], "h1:") {
			h1 = append(h1, m[1])
		} else {
			zh = append(zh, m[1])
		}
	}
	slices.Sort(h1)
	slices.Sort(zh)
	return h1, zh
}

// sums are the lines of the release's SHA256SUMS file: each file's hash by its name.
func sums(t *testing.T, a *release.Artifacts) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(a.Dir, a.Sums))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		sum, name, _ := strings.Cut(line, "  ")
		m[name] = sum
	}
	if len(m) != len(a.Zips)+1 {
		t.Fatalf("%s has %d lines, want one for each of the %d zips and one for the manifest", a.Sums, len(m), len(a.Zips))
	}
	return m
}

// sumsHashes are the zh: hashes the CLIs take from the release's signed SHA256SUMS file: one a line (the
// zips' and the manifest's), sorted.
func sumsHashes(t *testing.T, a *release.Artifacts) []string {
	t.Helper()
	var hashes []string
	for _, sum := range sums(t, a) {
		hashes = append(hashes, "zh:"+sum)
	}
	slices.Sort(hashes)
	return hashes
}

// h1Hash is the h1: hash of a platform's zip, the hash of its contents that the CLIs compute.
func h1Hash(t *testing.T, a *release.Artifacts, p release.Platform) string {
	t.Helper()
	h, err := dirhash.HashZip(filepath.Join(a.Dir, a.Zips[p]), dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
