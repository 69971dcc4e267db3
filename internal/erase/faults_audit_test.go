package erase_test

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// TestAccEraseObjects_faultMidwayThenReinvokeFinishes erases 1,100 objects (two DeleteObjects batches)
// through a proxy that fails the second DeleteObjects with an error no retryer retries: the invocation fails
// saying how much it erased, records that in the audit trail, and leaves the rest; invoked again without the
// fault it erases the rest. Both events verify with audit verify, and together they count every version and
// byte, with keys_sha256 computed here from the keys S3 listed.
func TestAccEraseObjects_faultMidwayThenReinvokeFinishes(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	proxy := acctest.NewProxy(t)
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "1", bucketResources(name, "")+
		eraseAction("many", `    prefix = "customers/4711/"`))
	cfg = strings.Replace(cfg, "  s3_use_path_style           = true\n", fmt.Sprintf("  s3_use_path_style           = true\n  audit = { path = %q }\n", trail), 1)
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	seedMany(t, name, "customers/4711/", 1100)
	seed(t, name, map[string][]string{"customers/4712/kept.json": {"kept"}})
	under := func(k string) bool { return strings.HasPrefix(k, "customers/4711/") }
	all, kept := split(listVersions(t, name), under)
	var bytes int64
	for _, v := range all {
		bytes += v.size
	}

	proxy.FailFrom("s3:POST?delete", 2, acctest.AccessDenied)
	out, err := invoke(w, "many")
	if err == nil || !regexp.MustCompile(`Erasure incomplete: The erasure in bucket "`+name+`" stopped after it erased 1000 object version\(s\) and 0 delete marker\(s\); the rest are still there\. Invoke the action again`).MatchString(out) {
		t.Fatalf("the invocation with a fault did not fail as expected: %v\n%s", err, out)
	}
	left, _ := split(listVersions(t, name), under)
	if len(left) != 100 {
		t.Fatalf("after the fault %d versions are left under the prefix, want 100", len(left))
	}
	proxy.Disable()
	out, err = invoke(w, "many")
	if err != nil {
		t.Fatalf("invoking again: %v\n%s", err, out)
	}
	if !strings.Contains(out, "erased 100 of 100 versions") {
		t.Errorf("the second invocation showed no progress:\n%s", out)
	}
	left, got := split(listVersions(t, name), under)
	if len(left) != 0 || len(got) != len(kept) {
		t.Errorf("after invoking again, %d versions left under the prefix and %d outside, want 0 and %d", len(left), len(got), len(kept))
	}

	events := acctest.AuditEvents(t, trail)
	var erases []audit.Event
	for _, e := range events {
		if e.Action == audit.Erase {
			erases = append(erases, e)
		}
	}
	if len(erases) != 2 {
		t.Fatalf("%d erase events, want one per invocation: %+v", len(erases), erases)
	}
	var gotVersions, gotBytes int64
	for _, e := range erases {
		if e.ResourceType != "gdpr_erase_objects" || e.CloudID != name || e.Region != acctest.Region || e.Jurisdiction != "EU" ||
			e.ErasedDeleteMarkers != "0" || len(e.ArgumentsSHA256) != 64 {
			t.Errorf("unexpected erase event: %+v", e)
		}
		n, _ := strconv.ParseInt(e.ErasedVersions, 10, 64)
		b, _ := strconv.ParseInt(e.ErasedBytes, 10, 64)
		gotVersions, gotBytes = gotVersions+n, gotBytes+b
	}
	if gotVersions != 1100 || gotBytes != bytes {
		t.Errorf("the events count %d versions and %d bytes, want 1100 and %d", gotVersions, gotBytes, bytes)
	}
	keys := keysOf(all)
	if want := keysDigest(keys[:1000]); erases[0].KeysSHA256 != want {
		t.Errorf("the first event's keys_sha256 is %s, want %s (the first 1000 keys)", erases[0].KeysSHA256, want)
	}
	if want := keysDigest(keys[1000:]); erases[1].KeysSHA256 != want {
		t.Errorf("the second event's keys_sha256 is %s, want %s (the last 100 keys)", erases[1].KeysSHA256, want)
	}
	bin := filepath.Join(acctest.ProviderBinary(t), "terraform-provider-gdpr")
	if out, err := exec.Command(bin, "audit", "verify", trail).CombinedOutput(); err != nil || !strings.Contains(string(out), fmt.Sprintf("%d events, chain intact", len(events))) {
		t.Errorf("audit verify: %v\n%s", err, out)
	}
}

// TestAccEraseObjects_auditTrailThatCannotTakeEventsErasesNothing configures an audit file in a directory
// that does not exist: the invocation fails with "Audit trail cannot take events" and erases nothing.
func TestAccEraseObjects_auditTrailThatCannotTakeEventsErasesNothing(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "missing", "audit.jsonl")
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, "")+
		eraseAction("audited", `    prefix = "customers/4711/"`), nil)
	seed(t, name, map[string][]string{"customers/4711/profile.json": {"a"}})
	before := listVersions(t, name)
	// The audit block comes only for the invocation, so the bucket's create and destroy are not stopped.
	rewrite(t, w, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+bucketResources(name, "")+
		eraseAction("audited", `    prefix = "customers/4711/"`))
	out, err := invoke(w, "audited")
	rewrite(t, w, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, "")+eraseAction("audited", `    prefix = "customers/4711/"`))
	if err == nil || !regexp.MustCompile(`Audit trail cannot take events.*The gdpr_erase_objects action erases data.*so nothing is erased`).MatchString(out) {
		t.Errorf("the invocation did not stop for the audit trail: %v\n%s", err, out)
	}
	if got := listVersions(t, name); len(got) != len(before) {
		t.Errorf("%d versions after the refused invocation, want %d", len(got), len(before))
	}
}
