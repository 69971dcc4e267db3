package acctest

import (
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// EveryNth matches one request in n, the n-th, the 2n-th and so on of those it is asked about: a steady share
// of transient faults, spread over every caller, for a Rule.
func EveryNth(n int) func(*http.Request, string) bool {
	var seen atomic.Int64
	return func(*http.Request, string) bool { return seen.Add(1)%int64(n) == 0 }
}

// Outage matches every request for a stretch of time that starts once After requests have been let through,
// as an endpoint that goes away in the middle of a run and comes back. Use its Match in a Rule placed first,
// so it counts every request the proxy's rules see.
type Outage struct {
	After int           // requests let through before the outage starts
	For   time.Duration // how long the outage lasts

	mu         sync.Mutex
	seen       int
	start      time.Time
	refused    int
	afterwards int
}

// Match reports whether the request falls in the outage, and counts it.
func (o *Outage) Match(*http.Request, string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen++; o.seen <= o.After {
		return false
	}
	if o.start.IsZero() {
		o.start = time.Now()
	}
	if time.Since(o.start) < o.For {
		o.refused++
		return true
	}
	o.afterwards++
	return false
}

// Counts returns how many requests the outage refused, and how many arrived after it ended: a test proves
// the outage came in the middle of the run when both are above zero.
func (o *Outage) Counts() (refused, afterwards int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.refused, o.afterwards
}
