package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
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
		answerCallerIdentity(w)
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

// answerCallerIdentity writes STS's answer to GetCallerIdentity.
func answerCallerIdentity(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write([]byte(`<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account>` +
		`<Arn>arn:aws:iam::123456789012:user/test</Arn></GetCallerIdentityResult></GetCallerIdentityResponse>`))
}

// TestNew_retriesEveryCallThroughABurstOfErrors makes as many calls at once as a refresh does and answers the
// first three attempts of each with 502 Bad Gateway, as a proxy in front of a busy endpoint does. Each call
// must be retried as max_retries says, however many others fail at the same time: the SDK's default retry
// quota, shared by every call of a client, ran dry after some 35 retries, and every later retry failed at
// once with "retry quota exceeded". With one retry fewer than the burst needs, every call must fail after
// exactly max_retries retries, so the retries stay bounded.
func TestNew_retriesEveryCallThroughABurstOfErrors(t *testing.T) {
	const calls, failures = 80, 3
	for _, tc := range []struct {
		maxRetries int
		succeed    bool
	}{
		{maxRetries: failures, succeed: true},
		{maxRetries: failures - 1, succeed: false},
	} {
		t.Run(fmt.Sprintf("max_retries=%d", tc.maxRetries), func(t *testing.T) {
			isolate(t)
			var mu sync.Mutex
			attempts := map[string]int{} // by the SDK's id of each call, which its retries keep
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				attempts[r.Header.Get("Amz-Sdk-Invocation-Id")]++
				n := attempts[r.Header.Get("Amz-Sdk-Invocation-Id")]
				mu.Unlock()
				if n <= failures {
					w.WriteHeader(http.StatusBadGateway)
					return
				}
				answerCallerIdentity(w)
			}))
			t.Cleanup(srv.Close)
			c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b",
				MaxRetries: tc.maxRetries, Endpoints: Endpoints{STS: srv.URL}})
			if err != nil {
				t.Fatal(err)
			}
			errs := make([]error, calls)
			var done sync.WaitGroup
			for i := range calls {
				done.Go(func() { _, errs[i] = c.CallerIdentity(context.Background()) })
			}
			done.Wait()

			var failed []error
			for _, err := range errs {
				if err != nil {
					failed = append(failed, err)
				}
			}
			if tc.succeed && len(failed) > 0 {
				t.Errorf("%d of %d calls failed, each answered 502 %d times with max_retries = %d; want none to fail. The first: %v",
					len(failed), calls, failures, tc.maxRetries, failed[0])
			}
			if !tc.succeed && len(failed) != calls {
				t.Errorf("%d of %d calls failed, each answered 502 %d times with max_retries = %d; want every call to fail",
					len(failed), calls, failures, tc.maxRetries)
			}
			for _, err := range failed {
				if errors.As(err, new(ratelimit.QuotaExceededError)) {
					t.Errorf("a call failed on the client's shared retry quota, not on its own max_retries: %v", err)
					break
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(attempts) != calls {
				t.Errorf("the server saw %d calls, want %d", len(attempts), calls)
			}
			want := min(failures, tc.maxRetries) + 1
			for id, n := range attempts {
				if n != want {
					t.Errorf("call %s was attempted %d times, want %d (max_retries = %d)", id, n, want, tc.maxRetries)
					break
				}
			}
		})
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

// countingClient counts the requests the SDK sends, retries included.
type countingClient struct {
	next interface {
		Do(*http.Request) (*http.Response, error)
	}
	n *atomic.Int32
}

func (c countingClient) Do(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.Do(r)
}

// TestCallerIdentity_refusedConnectionIsNotRetried points STS at a loopback port nobody listens on. The
// first attempt already knows nothing is there, so the call must fail after it, naming the endpoint and the
// refusal; other retryable errors keep the retry budget (see TestNewRetryer_retriesWhatTheSDKRetries).
func TestCallerIdentity_refusedConnectionIsNotRetried(t *testing.T) {
	isolate(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()

	conf := Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", MaxRetries: 3, Endpoints: Endpoints{STS: endpoint}}
	cfg, err := loadConfig(context.Background(), conf)
	if err != nil {
		t.Fatal(err)
	}
	var attempts atomic.Int32
	cfg.HTTPClient = countingClient{next: cfg.HTTPClient, n: &attempts}
	_, err = build(cfg, conf).CallerIdentity(context.Background())
	if err == nil {
		t.Fatal("CallerIdentity succeeded against a closed port")
	}
	if got := attempts.Load(); got != 1 {
		t.Errorf("%d attempts against a refused connection, want 1 (no retries)", got)
	}
	gotEndpoint, reason, ok := Unreachable(err)
	if !ok || gotEndpoint != endpoint || reason != "connection refused" {
		t.Errorf("Unreachable(%v) = %q, %q, %v; want %q, \"connection refused\", true", err, gotEndpoint, reason, ok, endpoint)
	}
}

// TestNewRetryer_retriesWhatTheSDKRetries makes sure that not retrying refused connections did not turn off
// the SDK's other retries: a connection reset midway is still retried.
func TestNewRetryer_retriesWhatTheSDKRetries(t *testing.T) {
	r := newRetryer(3)
	if r.MaxAttempts() != 4 {
		t.Errorf("MaxAttempts = %d, want 4", r.MaxAttempts())
	}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	if !r.IsErrorRetryable(reset) {
		t.Errorf("a reset connection is not retried")
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	if r.IsErrorRetryable(refused) {
		t.Errorf("a refused connection is retried")
	}
}
