package awsapi

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestNew_keepsConnectionsForConcurrentCalls makes as many calls at once as a refresh does (ten resources,
// eight reads each), twice. The second round must reuse the first round's connections: with the SDK's
// default of ten idle connections per host, seventy of them were closed and opened again.
func TestNew_keepsConnectionsForConcurrentCalls(t *testing.T) {
	isolate(t)
	const inFlight = 80
	var opened, arrived atomic.Int32
	rounds := [2]chan struct{}{make(chan struct{}), make(chan struct{})}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// Hold every answer until the whole round has arrived, so the round needs inFlight connections. The
		// bound only keeps a call that failed on the way from hanging the test; the count below still fails it.
		n := arrived.Add(1)
		round := rounds[min(int(n-1)/inFlight, 1)]
		if n == inFlight || n == 2*inFlight {
			close(round)
		}
		select {
		case <-round:
		case <-time.After(10 * time.Second):
		}
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

// The clients of another region are built once, from the same configuration, and the provider's own region
// gets the provider's clients.
func TestClientsIn(t *testing.T) {
	c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.In("eu-central-1") != c || c.In("") != c {
		t.Error("the provider's own region did not get the provider's clients")
	}
	other := c.In("eu-west-1")
	if other.Region != "eu-west-1" {
		t.Errorf("In(eu-west-1).Region = %q", other.Region)
	}
	if c.In("eu-west-1") != other {
		t.Error("the clients of eu-west-1 were built twice")
	}
	if other.conf.AccessKey != "a" || other.cfg.Region != "eu-west-1" {
		t.Errorf("the clients of eu-west-1 do not share the configuration: %+v", other.conf)
	}
}
