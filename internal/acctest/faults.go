package acctest

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"
)

// FaultProxy sits between the provider and the emulator and fails the requests a test chooses, so tests
// can prove what the provider does when AWS refuses a call half-way through an operation.
type FaultProxy struct {
	URL     string
	enabled atomic.Bool
	failed  atomic.Int64
}

// NewFaultProxy starts a proxy on a loopback port that answers requests matching fail with an AccessDenied
// error, which no retryer retries, and forwards everything else to the emulator. It stops with the test.
func NewFaultProxy(t *testing.T, fail func(*http.Request) bool) *FaultProxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatalf("emulator URL %q: %v", endpoint, err)
	}
	p := &FaultProxy{}
	p.enabled.Store(true)
	forward := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.enabled.Load() && fail(r) {
			p.failed.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>` +
				`<Message>Access Denied (fault injected by the test)</Message></Error>`))
			return
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

// Disable lets every later request through.
func (p *FaultProxy) Disable() { p.enabled.Store(false) }

// Failed returns how many requests the proxy has failed.
func (p *FaultProxy) Failed() int64 { return p.failed.Load() }

// S3Call matches S3 requests by method and subresource query parameter, such as PUT ?lifecycle.
func S3Call(method, subresource string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if r.Method != method {
			return false
		}
		if subresource == "" {
			return len(r.URL.Query()) == 0
		}
		_, ok := r.URL.Query()[subresource]
		return ok
	}
}
