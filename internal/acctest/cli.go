package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

var (
	buildOnce sync.Once
	buildDir  string
	buildErr  error
)

// ProviderBinary builds the provider once per test binary and returns the folder holding it, for tests
// that run Terraform as users do: a separate provider process found through dev_overrides.
func ProviderBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		// Shared by every test of the binary, so not a test's TempDir; Main removes it at the end.
		buildDir, buildErr = os.MkdirTemp("", "gdpr-provider-build") //nolint:usetesting // outlives any one test
		if buildErr != nil {
			return
		}
		_, file, _, _ := runtime.Caller(0)
		root := filepath.Join(filepath.Dir(file), "..", "..")
		cmd := exec.Command("go", "build", "-o", filepath.Join(buildDir, "terraform-provider-gdpr"), ".")
		cmd.Dir = root
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			buildErr = fmt.Errorf("%w: %s", err, out.String())
		}
	})
	if buildErr != nil {
		t.Fatalf("building the provider: %v", buildErr)
	}
	return buildDir
}

// Workdir is a Terraform working directory with its own CLI configuration pointing at the provider build.
type Workdir struct {
	t   *testing.T
	Dir string
	Env []string
}

// NewWorkdir writes main.tf into a fresh directory and a CLI config with dev_overrides for the build.
func NewWorkdir(t *testing.T, config string, env ...string) *Workdir {
	t.Helper()
	dir := t.TempDir()
	cli := filepath.Join(dir, "dev.tfrc")
	rc := "provider_installation {\n  dev_overrides {\n    \"gdpr-immutable/gdpr\" = \"" + ProviderBinary(t) + "\"\n  }\n  direct {}\n}\n"
	if err := os.WriteFile(cli, []byte(rc), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"TF_CLI_CONFIG_FILE=" + cli, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1"}
	return &Workdir{t: t, Dir: dir, Env: append(base, env...)}
}

// Write replaces the directory's main.tf with config.
func (w *Workdir) Write(config string) {
	w.t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// Terraform runs the Terraform CLI in the directory and returns its combined output.
func (w *Workdir) Terraform(args ...string) (string, error) {
	w.t.Helper()
	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	cmd := exec.Command(bin, append([]string{"-chdir=" + w.Dir}, args...)...)
	cmd.Env = append(os.Environ(), w.Env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// MustTerraform runs the Terraform CLI and fails the test when it fails.
func (w *Workdir) MustTerraform(args ...string) string {
	w.t.Helper()
	out, err := w.Terraform(args...)
	if err != nil {
		w.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// OwnBinary gives the working directory a copy of the provider build of its own and returns its path, so
// a test can kill that provider process without touching those of other tests.
func (w *Workdir) OwnBinary() string {
	w.t.Helper()
	src := filepath.Join(ProviderBinary(w.t), "terraform-provider-gdpr")
	dir := filepath.Join(w.Dir, "provider")
	bin := filepath.Join(dir, "terraform-provider-gdpr")
	b, err := os.ReadFile(src)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o700); err != nil { //nolint:gosec // an executable for this test only
		w.t.Fatal(err)
	}
	rc := "provider_installation {\n  dev_overrides {\n    \"gdpr-immutable/gdpr\" = \"" + dir + "\"\n  }\n  direct {}\n}\n"
	if err := os.WriteFile(filepath.Join(w.Dir, "dev.tfrc"), []byte(rc), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return bin
}

// KillProcesses sends SIGKILL to every process running the executable at path, as a crash or an
// out-of-memory kill would end it, and returns how many it killed.
func KillProcesses(path string) int {
	entries, _ := os.ReadDir("/proc")
	killed := 0
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == path {
			if syscall.Kill(pid, syscall.SIGKILL) == nil {
				killed++
			}
		}
	}
	return killed
}

// RequireActions skips a test that invokes an action through the CLI when the emulator does not run or the
// CLI has no actions (Terraform before 1.14, OpenTofu so far).
func RequireActions(t *testing.T) {
	t.Helper()
	RequireEmulator(t)
	Require(t, Actions)
}

// SetStateIdentity rewrites one attribute of the identity that the local state records for the resource at
// address (type.name), as a state edited or restored from elsewhere would hold it; with attr "" it removes
// the identity, as a state written by a Terraform or a provider without identities holds none.
func (w *Workdir) SetStateIdentity(address, attr, value string) {
	w.t.Helper()
	file := filepath.Join(w.Dir, "terraform.tfstate")
	raw, err := os.ReadFile(file)
	if err != nil {
		w.t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		w.t.Fatal(err)
	}
	found := false
	resources, _ := state["resources"].([]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if fmt.Sprint(res["type"], ".", res["name"]) != address {
			continue
		}
		instances, _ := res["instances"].([]any)
		for _, i := range instances {
			instance, _ := i.(map[string]any)
			ident, ok := instance["identity"].(map[string]any)
			if !ok {
				w.t.Fatalf("the state holds no identity for %s", address)
			}
			if attr == "" {
				delete(instance, "identity")
				delete(instance, "identity_schema_version")
			} else {
				ident[attr] = value
			}
			found = true
		}
	}
	if !found {
		w.t.Fatalf("the state holds no resource %s", address)
	}
	// A state whose content changed carries a new serial, as Terraform writes it.
	serial, _ := state["serial"].(float64)
	state["serial"] = serial + 1
	if raw, err = json.MarshalIndent(state, "", "  "); err != nil {
		w.t.Fatal(err)
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// CLIProviderHeader is the terraform block that a Workdir's configuration starts with, so the CLI finds the
// provider build under its source address.
func CLIProviderHeader() string {
	return `terraform {
  required_providers {
    gdpr = { source = "gdpr-immutable/gdpr" }
  }
}
`
}

// Query writes query (list blocks) into the working directory, runs terraform query with
// -generate-config-out, checks that the configuration written validates, and returns the query's output
// and the configuration. It skips the test on a CLI without list resources (Terraform before 1.14, OpenTofu).
func (w *Workdir) Query(query string) (out, generated string) {
	w.t.Helper()
	Require(w.t, ListResources)
	if err := os.WriteFile(filepath.Join(w.Dir, "found.tfquery.hcl"), []byte(query), 0o600); err != nil {
		w.t.Fatal(err)
	}
	out = w.MustTerraform("query", "-no-color", "-generate-config-out=generated.tf")
	raw, err := os.ReadFile(filepath.Join(w.Dir, "generated.tf"))
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Logf("generated.tf:\n%s", raw)
	w.MustTerraform("validate", "-no-color")
	return out, string(raw)
}
