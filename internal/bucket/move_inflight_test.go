package bucket_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccBucket_moveKeepsItsRequestsInFlight holds every object request of a move (the plan's HEADs, the move's
// HEADs and its copies) for a second before passing it on, as a distant S3 would answer, and counts how many
// are held at once. Against S3 a move waits on latency, so how many requests it keeps in flight is its pace: it
// must reach awsapi.MoveConcurrency, and stay bounded.
func TestAccBucket_moveKeepsItsRequestsInFlight(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	const hold = time.Second
	var mu sync.Mutex
	var armed bool
	held, peak := 0, 0
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(r *http.Request, op string) bool {
			mu.Lock()
			defer mu.Unlock()
			if !armed || !strings.HasSuffix(op, "/object") || (r.Method != http.MethodHead && r.Method != http.MethodPut) {
				return false
			}
			held++
			peak = max(peak, held)
			time.AfterFunc(hold, func() { mu.Lock(); held--; mu.Unlock() })
			return true
		},
		Fault: acctest.Delay,
		Pause: hold,
	})
	const prefix = "gdpr-inflight-"
	w := moveWorkdir(t, proxy, prefix)
	_, want := bucketWithObjects(t, w, prefix, awsapi.MoveConcurrency+8)
	old := bucketNames(t, prefix)[0]
	mu.Lock()
	armed = true
	mu.Unlock()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
	mu.Lock()
	armed = false
	got := peak
	mu.Unlock()
	moveFinished(t, w, prefix, old, want)
	// A request counts as held until its hold ends, a moment before the worker sends its next one; a timer
	// firing late on a loaded machine may count one twice, so only a bound well past the limit is a failure.
	switch {
	case got < awsapi.MoveConcurrency:
		t.Errorf("the move kept at most %d object requests in flight, want %d: against S3, where each waits on latency, that is its pace", got, awsapi.MoveConcurrency)
	case got > awsapi.MoveConcurrency+awsapi.MoveConcurrency/2:
		t.Errorf("the move kept %d object requests in flight, want at most %d: nothing bounds it", got, awsapi.MoveConcurrency)
	}
}
