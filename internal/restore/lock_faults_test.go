package restore_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRestoreObjects_underObjectLock restores a bucket with a default GOVERNANCE retention: S3 allows the
// copies and the delete markers without any bypass, the restored version takes the bucket's default
// retention, and every version stays.
func TestAccRestoreObjects_underObjectLock(t *testing.T) {
	requireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, `{ mode = "GOVERNANCE", days = 1 }`)+
		restoreAction("locked", `    to_time = var.to_time`)+toTimeVariable, func() { removeAllVersions(t, name) })
	put(t, name, "contract.pdf", "signed")
	to := moment()
	put(t, name, "contract.pdf", "encrypted by ransomware")
	put(t, name, "ransom-note.txt", "pay")
	before := listVersions(t, name)

	if out, err := invoke(w, "locked", "-var=to_time="+to.Format(time.RFC3339)); err != nil || !strings.Contains(out, "restored 1 keys and hid 1") {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	checkContents(t, name, map[string]string{"contract.pdf": "signed", "ransom-note.txt": ""})
	if gone := missingFrom(before, listVersions(t, name)); len(gone) != 0 {
		t.Errorf("the restore removed versions: %+v", gone)
	}
	h := head(t, name, "contract.pdf")
	if h.ObjectLockMode != s3types.ObjectLockModeGovernance || h.ObjectLockRetainUntilDate == nil || !h.ObjectLockRetainUntilDate.After(time.Now().Add(23*time.Hour)) {
		t.Errorf("the restored version is retained %s until %v, want the bucket's default: GOVERNANCE for a day from now",
			h.ObjectLockMode, aws.ToTime(h.ObjectLockRetainUntilDate))
	}
}

// toTimeVariable declares the variable the actions take their to_time from, so each invocation gives the
// moment its test recorded.
const toTimeVariable = `
variable "to_time" {
  type    = string
  default = "2026-01-01T00:00:00Z"
}
`

// TestAccRestoreObjects_faultsThenReinvokeFinishesExactly restores five overwritten keys and hides three
// added ones through a proxy that fails the third CopyObject, and every one after, with an error no retryer
// retries: the invocation fails saying what it restored, records it, and leaves the rest. The second
// invocation meets a failing DeleteObjects: it restores the three keys left and hides none. The third, without
// faults, hides the three. The end state is exact: each key holds its content at the moment, with one new
// version or delete marker, no more, and the three events add up, each with the digest of the keys it changed.
func TestAccRestoreObjects_faultsThenReinvokeFinishesExactly(t *testing.T) {
	requireActions(t)
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	proxy := acctest.NewProxy(t)
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "1", bucketResources(name, "")+restoreAction("all", `    to_time = var.to_time`)+toTimeVariable)
	cfg = strings.Replace(cfg, "  s3_use_path_style           = true\n", fmt.Sprintf("  s3_use_path_style           = true\n  audit = { path = %q }\n", trail), 1)
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	overwritten := []string{"k1", "k2", "k3", "k4", "k5"}
	addedKeys := []string{"n1", "n2", "n3"}
	want := map[string]string{}
	for _, k := range overwritten {
		put(t, name, k, "before "+k)
		want[k] = "before " + k
	}
	to := moment()
	for _, k := range overwritten {
		put(t, name, k, "after "+k)
	}
	for _, k := range addedKeys {
		put(t, name, k, "added "+k)
		want[k] = ""
	}
	before := listVersions(t, name)
	toVar := "-var=to_time=" + to.Format(time.RFC3339)

	proxy.FailFrom("s3:PUT/object", 3, acctest.AccessDenied)
	out, err := invoke(w, "all", toVar)
	if err == nil || !regexp.MustCompile(`Restore incomplete: The restore in bucket "`+name+`" stopped after it restored 2 key\(s\) and hid 0; the other keys are as they were\. Nothing was deleted\.`).MatchString(out) {
		t.Fatalf("the invocation with a failing CopyObject did not fail as expected: %v\n%s", err, out)
	}
	var first []string
	for _, k := range overwritten {
		if body, _ := content(t, name, k); body == want[k] {
			first = append(first, k)
		}
	}
	if len(first) != 2 {
		t.Fatalf("after the first fault %d keys are restored (%q), want 2", len(first), first)
	}

	proxy.FailFrom("s3:POST?delete", 1, acctest.AccessDenied)
	out, err = invoke(w, "all", toVar)
	if err == nil || !strings.Contains(out, "stopped after it restored 3 key(s) and hid 0") {
		t.Fatalf("the invocation with a failing DeleteObjects did not fail as expected: %v\n%s", err, out)
	}
	proxy.Disable()
	out, err = invoke(w, "all", toVar)
	if err != nil || !strings.Contains(out, "restored 0 keys and hid 3") {
		t.Fatalf("the third invocation did not finish: %v\n%s", err, out)
	}

	checkContents(t, name, want)
	after := listVersions(t, name)
	if gone := missingFrom(before, after); len(gone) != 0 {
		t.Errorf("the restore removed versions: %+v", gone)
	}
	var newEntries []string
	for _, v := range added(before, after) {
		newEntries = append(newEntries, fmt.Sprintf("%s marker=%v", v.key, v.marker))
	}
	slices.Sort(newEntries)
	wantEntries := []string{"k1 marker=false", "k2 marker=false", "k3 marker=false", "k4 marker=false", "k5 marker=false",
		"n1 marker=true", "n2 marker=true", "n3 marker=true"}
	if !slices.Equal(newEntries, wantEntries) {
		t.Errorf("the three invocations added %q, want exactly one version or delete marker per changed key: %q", newEntries, wantEntries)
	}
	events := restoreEvents(t, trail)
	if len(events) != 3 {
		t.Fatalf("%d restore events, want one per invocation: %+v", len(events), events)
	}
	var second []string
	for _, k := range overwritten {
		if !slices.Contains(first, k) {
			second = append(second, k)
		}
	}
	checkEvent(t, events[0], name, to, 2, 0, 0, first...)
	checkEvent(t, events[1], name, to, 3, 0, 2, second...)
	checkEvent(t, events[2], name, to, 0, 3, 5, addedKeys...)
}
