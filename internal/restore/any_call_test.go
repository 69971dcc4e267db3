package restore_test

import (
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// faultPoint is one request of an invocation to fail: the nth of its operation.
type faultPoint struct {
	op  string
	nth int
}

// TestAccRestoreObjects_convergesAfterAFaultAtAnyCall records the requests of a restore without faults,
// then fails each operation it makes at its first and at its last request, in turn, with an error no
// retryer retries, each on a prefix of its own restored to the same moment. After each failed invocation,
// the next without faults leaves the prefix exact: each key as it was at the moment, one new version or
// delete marker per changed key and none removed; and the events of the two invocations count every key
// restored or hidden exactly once.
func TestAccRestoreObjects_convergesAfterAFaultAtAnyCall(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	const prefixes = 20
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	var mu sync.Mutex
	var point *faultPoint
	var count atomic.Int32
	var fired atomic.Bool
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.AccessDenied, Match: func(_ *http.Request, op string) bool {
		mu.Lock()
		p := point
		mu.Unlock()
		if p == nil || op != p.op || int(count.Add(1)) < p.nth {
			return false
		}
		fired.Store(true)
		return true
	}})
	w := faultWorkdir(t, proxy, name, trail, `
action "gdpr_restore_objects" "scoped" {
  config {
    bucket  = gdpr_bucket.test.bucket
    prefix  = var.prefix
    to_time = var.to_time
  }
}

variable "prefix" {
  type    = string
  default = "none/"
}
`)
	prefix := func(i int) string { return fmt.Sprintf("p%02d/", i) }
	wants := map[string]map[string]string{}
	for i := range prefixes + 1 {
		wants[prefix(i)] = seedBefore(t, name, prefix(i))
	}
	to := moment()
	for i := range prefixes + 1 {
		seedAfter(t, name, prefix(i))
	}
	scoped := func(p string) (string, error) {
		return invoke(w, "scoped", "-refresh=false", "-var=to_time="+to.Format(time.RFC3339), "-var=prefix="+p)
	}

	// The requests of a restore without faults, on a prefix of its own.
	proxy.Reset()
	if out, err := scoped(prefix(prefixes)); err != nil {
		t.Fatalf("the restore without faults: %v\n%s", err, out)
	}
	first, last := map[string]int{}, map[string]int{}
	var order []string
	for _, op := range proxy.Seen() {
		if last[op]++; last[op] == 1 {
			first[op] = 1
			order = append(order, op)
		}
	}
	var points []faultPoint
	for _, op := range order {
		points = append(points, faultPoint{op, first[op]})
		if last[op] > 1 {
			points = append(points, faultPoint{op, last[op]})
		}
	}
	t.Logf("fault points: %v", points)
	if len(points) > prefixes {
		t.Fatalf("%d fault points (%v), more than the %d prefixes written", len(points), points, prefixes)
	}

	for i, fp := range points {
		p := prefix(i)
		before := listVersions(t, name)
		events := len(restoreEvents(t, trail))
		mu.Lock()
		point = &fp
		mu.Unlock()
		count.Store(0)
		fired.Store(false)
		out, err := scoped(p)
		mu.Lock()
		point = nil
		mu.Unlock()
		if !fired.Load() {
			t.Errorf("%s #%d: the fault never hit (err %v):\n%s", fp.op, fp.nth, err, out)
			continue
		}
		if out, err := scoped(p); err != nil {
			t.Errorf("%s #%d: the invocation after the fault: %v\n%s", fp.op, fp.nth, err, out)
			continue
		}
		checkRestoredOnce(t, name, p, wants[p], before)
		var restored, hidden int
		for _, e := range restoreEvents(t, trail)[events:] {
			r, _ := strconv.Atoi(e.RestoredKeys)
			h, _ := strconv.Atoi(e.HiddenKeys)
			restored, hidden = restored+r, hidden+h
		}
		if restored != len(overwritten) || hidden != len(addedKeys) {
			t.Errorf("%s #%d: the events of the failed invocation and the next count %d restored and %d hidden, want %d and %d",
				fp.op, fp.nth, restored, hidden, len(overwritten), len(addedKeys))
		}
	}
}
