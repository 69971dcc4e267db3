package runtask

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }

const (
	testKey   = "run-task-hmac-key-for-tests"
	testToken = "at-SECRET.atlasv1.tokenvalue-that-must-never-be-logged"
)

// fakeHCP stands in for HCP Terraform's API: the plan's JSON endpoint answers a 307 to an archivist on
// another port, as HCP Terraform does, and the callback endpoint records each PATCH.
type fakeHCP struct {
	t         *testing.T
	api       *httptest.Server
	archivist *httptest.Server
	plan      []byte
	// planReader, when set, serves the plan instead of plan, as a stream the test need not hold.
	planReader func() io.Reader
	// release, when set, holds every plan download until it is closed.
	release chan struct{}

	planRequests  atomic.Int64
	archivistAuth chan string
	// failCallbacks and redirectCallbacks make the next results (not running updates) answer 503, or
	// 302 to another address, which answers 200 to anything.
	failCallbacks     atomic.Int64
	redirectCallbacks atomic.Int64
	callbackAttempts  atomic.Int64
	redirected        atomic.Int64
	callbacks         chan recordedCallback
	runningUpdates    chan recordedCallback
	apiAuthorizations chan string

	mu sync.Mutex
	// statuses are the statuses of the callbacks taken, in the order they arrived.
	statuses []string
}

type recordedCallback struct {
	method, contentType, authorization string
	body                               []byte
}

func newFakeHCP(t *testing.T, plan []byte) *fakeHCP {
	t.Helper()
	f := &fakeHCP{t: t, plan: plan, archivistAuth: make(chan string, 16), callbacks: make(chan recordedCallback, 16),
		runningUpdates: make(chan recordedCallback, 16), apiAuthorizations: make(chan string, 16)}
	f.archivist = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.archivistAuth <- r.Header.Get("Authorization")
		if f.release != nil {
			<-f.release
		}
		w.Header().Set("Content-Type", "application/json")
		if f.planReader != nil {
			_, _ = io.Copy(w, f.planReader())
			return
		}
		_, _ = w.Write(f.plan)
	}))
	t.Cleanup(f.archivist.Close)
	f.api = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/json-output"):
			f.planRequests.Add(1)
			f.apiAuthorizations <- r.Header.Get("Authorization")
			if r.Header.Get("Authorization") != "Bearer "+testToken {
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, f.archivist.URL+"/v1/object/plan-json", http.StatusTemporaryRedirect)
		case r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/callback"):
			body, _ := io.ReadAll(r.Body)
			var status struct {
				Data struct {
					Attributes struct {
						Status string `json:"status"`
					} `json:"attributes"`
				} `json:"data"`
			}
			_ = json.Unmarshal(body, &status)
			got := recordedCallback{method: r.Method, contentType: r.Header.Get("Content-Type"), authorization: r.Header.Get("Authorization"), body: body}
			if status.Data.Attributes.Status == StatusRunning {
				f.record(StatusRunning)
				f.runningUpdates <- got
				w.WriteHeader(http.StatusOK)
				return
			}
			f.callbackAttempts.Add(1)
			if f.failCallbacks.Load() > 0 {
				f.failCallbacks.Add(-1)
				http.Error(w, "unavailable", http.StatusServiceUnavailable)
				return
			}
			if f.redirectCallbacks.Load() > 0 {
				f.redirectCallbacks.Add(-1)
				http.Redirect(w, r, f.api.URL+"/elsewhere", http.StatusFound)
				return
			}
			f.record(status.Data.Attributes.Status)
			f.callbacks <- got
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(r.URL.Path, "/elsewhere"):
			f.redirected.Add(1)
			w.WriteHeader(http.StatusOK)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(f.api.Close)
	return f
}

func (f *fakeHCP) record(status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.statuses = append(f.statuses, status)
}

// order returns the statuses of the callbacks taken so far, in the order they arrived.
func (f *fakeHCP) order() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.statuses)
}

// request is a run task request as HCP Terraform sends it at the post_plan stage.
func (f *fakeHCP) request() Request {
	return Request{
		PayloadVersion:             1,
		AccessToken:                testToken,
		Stage:                      "post_plan",
		TaskResultID:               "taskrs-" + strings.ReplaceAll(f.t.Name(), "/", "-"),
		TaskResultEnforcementLevel: "mandatory",
		TaskResultCallbackURL:      f.api.URL + "/api/v2/task-results/taskrs-1/callback",
		RunAppURL:                  "https://app.terraform.io/app/org/ws/runs/run-1",
		RunID:                      "run-1",
		RunMessage:                 "Queued manually",
		RunCreatedAt:               "2026-12-01T10:00:00.000Z",
		RunCreatedBy:               "someone",
		WorkspaceID:                "ws-1",
		WorkspaceName:              "customers",
		WorkspaceAppURL:            "https://app.terraform.io/app/org/ws",
		OrganizationName:           "org",
		PlanJSONAPIURL:             f.api.URL + "/api/v2/plans/plan-1/json-output",
		Capabilities:               &Capabilities{Outcomes: true},
	}
}

// waitCallback returns the next callback HCP Terraform received, or fails the test.
func (f *fakeHCP) waitCallback() recordedCallback {
	f.t.Helper()
	select {
	case cb := <-f.callbacks:
		return cb
	case <-time.After(20 * time.Second):
		f.t.Fatal("no callback within 20 seconds")
		return recordedCallback{}
	}
}

func (f *fakeHCP) expectNoCallback(wait time.Duration) {
	f.t.Helper()
	select {
	case cb := <-f.callbacks:
		f.t.Fatalf("unexpected callback: %s", cb.body)
	case <-time.After(wait):
	}
}

// lockedBuffer collects the server's logs from its workers and handler goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs a run task server with short retry waits, its logs at debug level in the returned buffer.
func startServer(t *testing.T, mutate func(*Options)) (*httptest.Server, *lockedBuffer) {
	t.Helper()
	logs := &lockedBuffer{}
	opts := Options{
		HMACKey:      []byte(testKey),
		RetryMax:     3,
		RetryWaitMin: 10 * time.Millisecond,
		RetryWaitMax: 50 * time.Millisecond,
		Logger:       slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if mutate != nil {
		mutate(&opts)
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(func() {
		ts.Close()
		_ = srv.Close(t.Context())
	})
	return ts, logs
}

func sign(key string, body []byte) string {
	mac := hmac.New(sha512.New, []byte(key))
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

// post sends body to the run task with the given signature header ("" sends none) and returns the status.
func post(t *testing.T, url string, body []byte, signature string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set("X-TFC-Task-Signature", signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeCallback parses a callback's body, failing the test on anything but a callback.
func decodeCallback(t *testing.T, body []byte) Callback {
	t.Helper()
	var cb Callback
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cb); err != nil {
		t.Fatalf("callback body %s: %v", body, err)
	}
	return cb
}

// outcomeIDs lists the outcome ids of a callback, in its order.
func outcomeIDs(cb Callback) []string {
	var ids []string
	if cb.Data.Relationships != nil {
		for _, o := range cb.Data.Relationships.Outcomes.Data {
			ids = append(ids, o.Attributes.OutcomeID)
		}
	}
	return ids
}
