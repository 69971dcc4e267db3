package awsapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// TestNew_keepsConnectionsForConcurrentCalls makes as many calls at once as a refresh does (ten resources,
// eight reads each), twice. The second round must reuse the first round's connections: with the SDK's
// default of ten idle connections per host, seventy of them were closed and opened again.
func TestNew_keepsConnectionsForConcurrentCalls(t *testing.T) {
	isolate(t)
	const inFlight = 80
	var opened atomic.Int32
	var arrived sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Hold every answer until the whole round has arrived, so the round needs inFlight connections.
		arrived.Done()
		arrived.Wait()
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>` +
			`<Arn>arn:aws:iam::123456789012:user/test</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`))
	}))
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", MaxRetries: 0,
		Endpoints: Endpoints{STS: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	round := func() {
		arrived.Add(inFlight)
		var done sync.WaitGroup
		for range inFlight {
			done.Go(func() {
				if _, err := c.CallerIdentity(context.Background()); err != nil {
					t.Error(err)
				}
			})
		}
		done.Wait()
	}
	round()
	first := opened.Load()
	round()
	if again := opened.Load() - first; again != 0 {
		t.Errorf("the second round of %d concurrent calls opened %d new connections (the first opened %d), want 0",
			inFlight, again, first)
	}
}
