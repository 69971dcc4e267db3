package restore_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
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
	acctest.RequireActions(t)
	t.Parallel()
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, `{ mode = "GOVERNANCE", days = 1 }`)+
		restoreAction("locked", `    to_time = var.to_time`)+toTimeVariable, func() { removeAllVersions(t, name) })
	put(t, name, "contract.pdf", "signed")
	to := moment()
	put(t, name, "contract.pdf", "encrypted by ransomware")
	put(t, name, "ransom-note.txt", "pay")
	before := listVersions(t, name)

	if out, err := invoke(w, "locked", "-var=to_time="+to.Format(time.RFC3339)); err != nil || !strings.Contains(out, "restored 1 key(s) and hid 1") {
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

// TestAccRestoreObjects_faultsThenReinvokeFinishesExactly restores five overwritten keys and hides three
// added ones through a proxy that fails the third CopyObject, and every one after, with an error no retryer
// retries: the invocation fails saying what it restored, records it, and leaves the rest. The second
// invocation meets a failing DeleteObjects: it restores the three keys left and hides none. The third, without
// faults, hides the three. The end state is exact: each key holds its content at the moment, with one new
// version or delete marker, no more, and the three events add up, each with the digest of the keys it changed.
func TestAccRestoreObjects_faultsThenReinvokeFinishesExactly(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	proxy := acctest.NewProxy(t)
	w := faultWorkdir(t, proxy, name, trail, "")
	to, want := overwriteAndAdd(t, name)
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
	if err != nil || !strings.Contains(out, "restored 0 key(s) and hid 3") {
		t.Fatalf("the third invocation did not finish: %v\n%s", err, out)
	}

	checkRestoredOnce(t, name, "", want, before)
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

// TestAccRestoreObjects_convergesAfterACrash kills the provider while it restores: once right after a copy
// took effect at S3, before the provider learnt it did, and once right after the delete markers did. The
// killed invocation records nothing; the next, in a new provider process, finds the keys the killed one
// changed already right, changes the others, and records exactly those: the end state is exact.
func TestAccRestoreObjects_convergesAfterACrash(t *testing.T) {
	acctest.RequireActions(t)
	for _, tc := range []struct {
		op  string
		nth int32
	}{{"s3:PUT/object", 3}, {"s3:POST?delete", 1}} {
		t.Run(fmt.Sprintf("%s#%d", tc.op, tc.nth), func(t *testing.T) {
			t.Parallel()
			name := acctest.BucketName()
			trail := filepath.Join(t.TempDir(), "audit.jsonl")
			var bin string
			var seen atomic.Int32
			var armed, fired atomic.Bool
			proxy := acctest.NewProxy(t, &acctest.Rule{
				Match: func(_ *http.Request, op string) bool { return armed.Load() && op == tc.op && seen.Add(1) == tc.nth },
				Fault: acctest.Crash,
				Then: func() {
					fired.Store(true)
					acctest.KillProcesses(bin)
				},
			})
			w := faultWorkdir(t, proxy, name, trail, "")
			bin = w.OwnBinary()
			to, want := overwriteAndAdd(t, name)
			before := listVersions(t, name)
			toVar := "-var=to_time=" + to.Format(time.RFC3339)

			armed.Store(true)
			if out, err := invoke(w, "all", toVar); !fired.Load() || err == nil {
				t.Fatalf("the provider was not killed at request %d of %s (err %v):\n%s", tc.nth, tc.op, err, out)
			}
			if events := restoreEvents(t, trail); len(events) != 0 {
				t.Fatalf("the killed invocation recorded %d events: %+v", len(events), events)
			}
			// What the killed invocation left for the next: the keys not yet as they were at the moment.
			var left []string
			restoredLeft := 0
			for k, body := range want {
				if got, found := content(t, name, k); got != body || found != (body != "") {
					left = append(left, k)
					if body != "" {
						restoredLeft++
					}
				}
			}
			if len(left) == len(want) {
				t.Fatalf("the killed invocation changed nothing, so it was killed too early to test anything")
			}

			proxy.Disable()
			if out, err := invoke(w, "all", toVar); err != nil {
				t.Fatalf("the invocation after the crash: %v\n%s", err, out)
			}
			checkRestoredOnce(t, name, "", want, before)
			events := restoreEvents(t, trail)
			if len(events) != 1 {
				t.Fatalf("%d restore events, want the one of the invocation after the crash: %+v", len(events), events)
			}
			checkEvent(t, events[0], name, to, restoredLeft, len(left)-restoredLeft, len(want)-len(left), left...)
		})
	}
}
