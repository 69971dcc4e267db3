package provider_test

import (
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// webhookReceiver accepts events whose signature verifies, once per idempotency key.
type webhookReceiver struct {
	mu       sync.Mutex
	secret   []byte
	accepted map[string]audit.Event
	bad      int
}

func (r *webhookReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !hmac.Equal([]byte(req.Header.Get(audit.SignatureHeader)), []byte(audit.Sign(r.secret, body))) {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var e audit.Event
	if err := json.Unmarshal(body, &e); err != nil || e.Hash != req.Header.Get(audit.IdempotencyHeader) {
		r.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.accepted[e.Hash] = e
}

// runEnvironment is what HCP Terraform sets in the environment of a run from version control (no tag).
var runEnvironment = []string{"TFC_RUN_ID=run-audit-test", "TFC_WORKSPACE_NAME=records-prod",
	"TFC_WORKSPACE_SLUG=acme/records-prod", "TFC_PROJECT_NAME=customer-data",
	"TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA=" + runCommit, "TFC_CONFIGURATION_VERSION_GIT_BRANCH=main"}

const runCommit = "4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e"

// checkEvents checks the events of one action: one per id, all from the test's caller and run.
func checkEvents(t *testing.T, events []audit.Event, action audit.Action, ids []string) {
	t.Helper()
	var got []string
	for _, e := range events {
		if e.Action != action || e.ResourceType != "gdpr_key" || e.Region != "eu-west-3" || e.Jurisdiction != "EU" ||
			e.CallerAccount == "" || e.TFCRunID != "run-audit-test" || len(e.ArgumentsSHA256) != 64 ||
			e.TFCWorkspaceName != "records-prod" || e.TFCOrganization != "acme" || e.TFCProject != "customer-data" ||
			e.TFCGitCommitSHA != runCommit || e.TFCGitBranch != "main" || e.TFCGitTag != "" {
			t.Errorf("unexpected %s event: %+v", action, e)
		}
		got = append(got, e.CloudID)
	}
	slices.Sort(got)
	slices.Sort(ids)
	if !slices.Equal(got, ids) {
		t.Errorf("%s events for %v, want one for each of %v", action, got, ids)
	}
}

// TestAccAudit_parallelApply creates and destroys 30 keys at -parallelism=30 through the Terraform CLI,
// with a provider process as users run it, and checks the file's chain and the webhook's signed copies.
func TestAccAudit_parallelApply(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-3"
	recv := &webhookReceiver{secret: []byte("hook-secret"), accepted: map[string]audit.Event{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := acctest.CLIProviderHeader() + acctest.ProviderConfig(region, fmt.Sprintf(`
  audit = {
    path           = %q
    webhook_url    = %q
    webhook_secret = "hook-secret"
  }`, trail, srv.URL)) + `
resource "gdpr_key" "k" {
  count                = 30
  description          = "audited ${count.index}"
  deletion_window_days = 7
}`
	w := acctest.NewWorkdir(t, cfg, runEnvironment...)
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-parallelism=30")
	ids := acctest.StateIDs(t, w, "gdpr_key")

	if n, err := audit.VerifyFile(trail); err != nil || n != 30 {
		t.Fatalf("after apply: %d events, %v; want 30 in an intact chain", n, err)
	}
	events := acctest.AuditEvents(t, trail)
	checkEvents(t, events, audit.Create, ids)

	w.MustTerraform("destroy", "-input=false", "-auto-approve", "-parallelism=30")
	if n, err := audit.VerifyFile(trail); err != nil || n != 60 {
		t.Fatalf("after destroy: %d events, %v; want 60 in an intact chain", n, err)
	}
	events = acctest.AuditEvents(t, trail)
	checkEvents(t, events[30:], audit.Delete, ids)
	// A resource's create and delete hash the same arguments.
	created := map[string]string{}
	for _, e := range events[:30] {
		created[e.CloudID] = e.ArgumentsSHA256
	}
	for _, e := range events[30:] {
		if created[e.CloudID] != e.ArgumentsSHA256 {
			t.Errorf("%s: arguments hash %s at create, %s at delete", e.CloudID, created[e.CloudID], e.ArgumentsSHA256)
		}
	}

	recv.mu.Lock()
	defer recv.mu.Unlock()
	if recv.bad != 0 || len(recv.accepted) != 60 {
		t.Errorf("the webhook accepted %d signed events and refused %d, want 60 and 0", len(recv.accepted), recv.bad)
	}
	for _, e := range events {
		if got, ok := recv.accepted[e.Hash]; !ok || got != e {
			t.Errorf("the webhook's copy of %s differs from the file's", e.Hash)
		}
	}

	// The provider binary verifies the file, and catches a deleted line.
	bin := filepath.Join(acctest.ProviderBinary(t), "terraform-provider-gdpr")
	if out, err := exec.Command(bin, "audit", "verify", trail).CombinedOutput(); err != nil || !strings.Contains(string(out), "60 events") {
		t.Errorf("audit verify: %v\n%s", err, out)
	}
	raw, _ := os.ReadFile(trail)
	lines := strings.SplitAfter(string(raw), "\n")
	if err := os.WriteFile(trail, []byte(strings.Join(slices.Delete(lines, 10, 11), "")), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "audit", "verify", trail).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "line 11: prev_hash") {
		t.Errorf("audit verify after deleting line 11: %v\n%s", err, out)
	}
}

// TestAccAudit_webhookDownWarns shows that an unreachable webhook leaves the apply successful, with a
// warning, and the event in the file.
func TestAccAudit_webhookDownWarns(t *testing.T) {
	acctest.RequireEmulator(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest) // not retried: the apply does not wait
	}))
	defer srv.Close()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	cfg := acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, fmt.Sprintf(`
  skip_credentials_validation = true
  audit = {
    path        = %q
    webhook_url = %q
  }`, trail, srv.URL)) + `
resource "gdpr_key" "k" {
  description          = "audited with a broken webhook"
  deletion_window_days = 7
}`
	w := acctest.NewWorkdir(t, cfg)
	out := w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	if !strings.Contains(out, "Audit event queued for the webhook") || !strings.Contains(out, trail+".outbox") ||
		!strings.Contains(out, "400 Bad Request") {
		t.Errorf("no warning that the event is queued in the outbox:\n%s", out)
	}
	events := acctest.AuditEvents(t, trail)
	// With skip_credentials_validation the caller is asked for lazily, once.
	if len(events) != 1 || events[0].CallerARN == "" {
		t.Errorf("events = %+v, want one create with the caller", events)
	}
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
}

func TestAccAudit_badSettings(t *testing.T) {
	for name, tc := range map[string]struct{ block, want string }{
		"empty path":              {`path = ""`, `(?s)audit.path.*at least 1`},
		"webhook not a URL":       {`webhook_url = "hooks.example.com/gdpr"`, `(?s)Invalid endpoint URL.*"hooks.example.com/gdpr" is not an absolute URL`},
		"webhook of another kind": {`webhook_url = "ftp://hooks.example.com/gdpr"`, `(?s)Invalid endpoint URL`},
		"secret without webhook":  {`path = "a.jsonl"` + "\n" + `webhook_secret = "x"`, `(?s)audit.webhook_url.*must be specified when.*webhook_secret`},
		"missing signing key":     {`path = "a.jsonl"` + "\n" + `signing_key_file = "/nonexistent/audit.pem"`, `(?s)Invalid audit signing key.*audit.signing_key_file.*no such file`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      "provider \"gdpr\" {\n  region = \"eu-central-1\"\n  audit = {\n    " + tc.block + "\n  }\n}\n" + regionLookup,
					ExpectError: regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// TestAccAudit_unwritableTrailStopsThePlan configures an audit file in a directory that does not exist: the
// plan fails naming the problem, and no key is created whose event could not be recorded.
func TestAccAudit_unwritableTrailStopsThePlan(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-3"
	prefix := acctest.BucketName() // a unique description prefix
	trail := filepath.Join(t.TempDir(), "missing", "audit.jsonl")
	cfg := acctest.CLIProviderHeader() + acctest.ProviderConfig(region, fmt.Sprintf(`
  audit = {
    path = %q
  }`, trail)) + fmt.Sprintf(`
resource "gdpr_key" "k" {
  description          = "%s"
  deletion_window_days = 7
}`, prefix)
	w := acctest.NewWorkdir(t, cfg)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color")
	if err == nil || !regexp.MustCompile(`(?s)Audit trail cannot take events.*cannot be read`).MatchString(out) {
		t.Fatalf("the apply did not stop at plan for the missing audit directory (err %v):\n%s", err, out)
	}
	if keys := acctest.KeyInventory(t, region, prefix); len(keys) != 0 {
		t.Errorf("keys %v were created although their events could not be recorded", keys)
	}
}

// TestAccAudit_outboxDrainsAndSignaturesVerify applies a key while the webhook refuses deliveries: the
// apply warns that the event is queued in the outbox. With the webhook back, the next apply delivers the
// queued event and then its own, in the file's order, and empties the outbox; file and deliveries verify
// with the public key of the signing key the provider was given.
func TestAccAudit_outboxDrainsAndSignaturesVerify(t *testing.T) {
	acctest.RequireEmulator(t)
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "signing.pem"), filepath.Join(dir, "signing.pub.pem")
	if err := audit.GenerateKeys(priv, pub); err != nil {
		t.Fatal(err)
	}
	publicKey, err := audit.LoadPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	up := false
	var accepted []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if !up {
			w.Header().Set("Retry-After", "0") // retried at once, so the apply does not wait
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		accepted = append(accepted, string(body))
	}))
	defer srv.Close()
	trail := filepath.Join(dir, "audit.jsonl")
	config := func(count int) string {
		return acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, fmt.Sprintf(`
  audit = {
    path             = %q
    webhook_url      = %q
    signing_key_file = %q
  }`, trail, srv.URL, priv)) + fmt.Sprintf(`
resource "gdpr_key" "k" {
  count                = %d
  description          = "audited through an outbox ${count.index}"
  deletion_window_days = 7
}`, count)
	}
	w := acctest.NewWorkdir(t, config(1))
	out := w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	if !strings.Contains(out, "Audit event queued for the webhook") || !strings.Contains(out, trail+".outbox") ||
		!strings.Contains(out, "will be delivered") {
		t.Errorf("the first apply does not warn that the event is queued in the outbox:\n%s", out)
	}
	queued, err := os.ReadFile(trail + ".outbox")
	if err != nil || strings.Count(string(queued), "\n") != 1 {
		t.Fatalf("the outbox after the first apply: %q, %v; want one event", queued, err)
	}

	mu.Lock()
	up = true
	mu.Unlock()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config(2)), 0o600); err != nil {
		t.Fatal(err)
	}
	out = w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	if strings.Contains(out, "Audit event") {
		t.Errorf("the second apply warns about the audit trail:\n%s", out)
	}
	if _, err := os.Stat(trail + ".outbox"); !os.IsNotExist(err) {
		t.Errorf("the outbox is still there after the second apply (%v)", err)
	}
	file, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	delivered := strings.Join(accepted, "\n") + "\n"
	mu.Unlock()
	if delivered != string(file) {
		t.Errorf("the webhook accepted\n%s\nthe file holds\n%s", delivered, file)
	}
	for name, content := range map[string]string{"file": string(file), "deliveries": delivered} {
		if s, err := audit.VerifySigned(strings.NewReader(content), publicKey); err != nil || s.Events != 2 || s.Signed != 2 {
			t.Errorf("the %s: %+v, %v; want 2 signed events verified with the public key", name, s, err)
		}
	}
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
}

// TestAccAudit_swappedSigningKeyStopsThePlan applies a key with one signing key, then plans a second key
// with another: the plan fails saying how to start a new file, the audit file is unchanged and no key is
// created. With audit.path pointing at a new file the apply goes through, and each file verifies with its
// own public key.
func TestAccAudit_swappedSigningKeyStopsThePlan(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-3"
	dir := t.TempDir()
	suffix := acctest.BucketName() // a unique description suffix
	fingerprints := map[string]string{}
	for _, name := range []string{"first", "second"} {
		if err := audit.GenerateKeys(filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".pub.pem")); err != nil {
			t.Fatal(err)
		}
		pub, err := audit.LoadPublicKey(filepath.Join(dir, name+".pub.pem"))
		if err != nil {
			t.Fatal(err)
		}
		fingerprints[name] = audit.Fingerprint(pub)
	}
	config := func(trail, key string, count int) string {
		return acctest.CLIProviderHeader() + acctest.ProviderConfig(region, fmt.Sprintf(`
  audit = {
    path             = %q
    signing_key_file = %q
  }`, trail, filepath.Join(dir, key+".pem"))) + fmt.Sprintf(`
resource "gdpr_key" "k" {
  count                = %d
  description          = "${count.index} %s"
  deletion_window_days = 7
}`, count, suffix)
	}
	first, second := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit-2.jsonl")
	w := acctest.NewWorkdir(t, config(first, "first", 1))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	written, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	if keys := acctest.KeyInventory(t, region, suffix); len(keys) != 1 {
		t.Fatalf("keys after the first apply: %v, want one", keys)
	}

	write := func(cfg string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(config(first, "second", 2))
	refused := regexp.MustCompile(`Audit signing key does not match the audit file.* set audit.path in the provider block to the path of a new file`)
	for _, command := range [][]string{{"plan", "-input=false", "-no-color"}, {"apply", "-input=false", "-auto-approve", "-no-color"}} {
		out, err := w.Terraform(command...)
		// Terraform wraps the detail, so it is read with the line breaks taken out.
		flat := strings.Join(strings.Fields(out), " ")
		if err == nil || !refused.MatchString(flat) || !strings.Contains(flat, "signed by the key "+fingerprints["first"]) ||
			!strings.Contains(flat, "now signs with the key "+fingerprints["second"]) {
			t.Errorf("terraform %s with another signing key did not stop at plan naming both keys (err %v):\n%s", command[0], err, out)
		}
	}
	if now, _ := os.ReadFile(first); string(now) != string(written) {
		t.Errorf("the audit file changed although the plan stopped:\nbefore\n%s\nafter\n%s", written, now)
	}
	if keys := acctest.KeyInventory(t, region, suffix); len(keys) != 1 {
		t.Errorf("keys after the refused plans: %v, want still one", keys)
	}

	// A new file takes the new key's events; each file verifies with its own public key.
	write(config(second, "second", 2))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	if keys := acctest.KeyInventory(t, region, suffix); len(keys) != 2 {
		t.Errorf("keys after the apply to a new file: %v, want two", keys)
	}
	bin := filepath.Join(acctest.ProviderBinary(t), "terraform-provider-gdpr")
	for trail, key := range map[string]string{first: "first", second: "second"} {
		out, err := exec.Command(bin, "audit", "verify", trail, "--public-key", filepath.Join(dir, key+".pub.pem")).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "1 events, chain intact, every event signed by the given key "+fingerprints[key]) {
			t.Errorf("audit verify %s with the %s key: %v\n%s", trail, key, err, out)
		}
	}
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
}
