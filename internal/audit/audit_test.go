package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func event(i int) Event {
	return Event{
		Time: time.Date(2025, 5, 1, 12, 0, i, 0, time.UTC), Action: Create, ResourceType: "gdpr_key",
		CloudID: fmt.Sprintf("key-%d", i), Region: "eu-central-1", Jurisdiction: "EU", ArgumentsSHA256: "ab",
	}
}

// writeTrail appends n events to a new file from many goroutines at once and returns its path.
func writeTrail(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	f := NewFile(path)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.Append(event(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	return path
}

func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestFile_chainUnderConcurrency(t *testing.T) {
	path := writeTrail(t, 50)
	// A second writer with its own mutex, as a second provider process would be, relies on the file lock.
	other := NewFile(path)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 10 {
			if _, err := other.Append(event(100 + i)); err != nil {
				t.Error(err)
			}
		}
	}()
	if _, err := NewFile(path).Append(event(200)); err != nil {
		t.Fatal(err)
	}
	<-done
	n, err := VerifyFile(path)
	if err != nil || n != 61 {
		t.Fatalf("VerifyFile = %d, %v; want 61 events and an intact chain", n, err)
	}
	if l := lines(t, path); !strings.Contains(l[0], `"prev_hash":""`) {
		t.Errorf("the first line links to something: %s", l[0])
	}
}

func TestFile_neverRewritesEarlierLines(t *testing.T) {
	path := writeTrail(t, 3)
	before, _ := os.ReadFile(path)
	if _, err := NewFile(path).Append(event(9)); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	if !bytes.HasPrefix(after, before) {
		t.Error("appending changed the earlier lines")
	}
}

func TestFile_refusesToExtendGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, []byte("not json\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFile(path).Append(event(1)); err == nil || !strings.Contains(err.Error(), "audit verify") {
		t.Errorf("Append after garbage = %v, want an error naming the verifier", err)
	}
}

func TestVerify_catchesTampering(t *testing.T) {
	path := writeTrail(t, 6)
	l := lines(t, path)
	for _, tc := range []struct {
		name  string
		edit  func([]string) []string
		line  int
		cause string
	}{
		{"edited value", func(l []string) []string {
			l[2] = strings.Replace(l[2], `"eu-central-1"`, `"us-east-1"`, 1)
			return l
		}, 3, "hash does not match"},
		{"edited hash too", func(l []string) []string {
			e := event(42)
			l[2] = string(e.chain("x").encode())
			return l
		}, 3, "prev_hash does not match the hash of line 2"},
		{"whitespace", func(l []string) []string { l[1] = strings.Replace(l[1], ",", ", ", 1); return l }, 2, "exact form"},
		{"deleted line", func(l []string) []string { return append(l[:3], l[4:]...) }, 4, "prev_hash does not match the hash of line 3"},
		{"deleted first line", func(l []string) []string { return l[1:] }, 1, "first event"},
		{"reordered", func(l []string) []string { l[1], l[2] = l[2], l[1]; return l }, 2, "prev_hash does not match"},
		{"inserted", func(l []string) []string { return append(l[:2], append([]string{l[4]}, l[2:]...)...) }, 3, "prev_hash does not match"},
		{"extra field", func(l []string) []string { l[0] = strings.Replace(l[0], "{", `{"note":"x",`, 1); return l }, 1, "not an audit event"},
		{"line blanked", func(l []string) []string { l[3] = ""; return l }, 5, "prev_hash does not match the hash of line 3"},
		{"blank line with a stray character", func(l []string) []string { return append(l[:2], append([]string{" x"}, l[2:]...)...) }, 3, "not an audit event"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			edited := tc.edit(append([]string(nil), l...))
			_, err := Verify(strings.NewReader(strings.Join(edited, "\n") + "\n"))
			var b *BrokenLink
			if !errors.As(err, &b) || b.Line != tc.line || !strings.Contains(b.Reason, tc.cause) {
				t.Errorf("Verify = %v, want line %d: %s", err, tc.line, tc.cause)
			}
		})
	}
}

func TestMain_verifyCommand(t *testing.T) {
	path := writeTrail(t, 4)
	var out, errOut bytes.Buffer
	if code := Main([]string{"verify", path}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "4 events") {
		t.Errorf("verify intact: exit %d, %q %q", code, out.String(), errOut.String())
	}
	l := lines(t, path)
	if err := os.WriteFile(path, []byte(strings.Join([]string{l[0], l[2], l[3]}, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := Main([]string{"verify", path}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "line 2: prev_hash") {
		t.Errorf("verify broken: exit %d, %q", code, errOut.String())
	}
	if code := Main([]string{"check"}, &out, &errOut); code != 2 {
		t.Errorf("usage error: exit %d, want 2", code)
	}
}

var fast = Retry{RetryMax: 3, WaitMin: 5 * time.Millisecond, WaitMax: 50 * time.Millisecond, Timeout: 5 * time.Second}

// receiver is a webhook endpoint that checks signatures and deduplicates by idempotency key, as the guide
// tells receivers to. Its first answer to each key is a 503; its second stores the event and then fails as
// if the response were lost; the third finds the key and accepts without storing it again.
type receiver struct {
	secret   []byte
	mu       sync.Mutex
	attempts map[string]int
	stored   map[string]int
	bad      int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if !hmac.Equal([]byte(req.Header.Get(SignatureHeader)), []byte(Sign(r.secret, body))) {
		r.bad++
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	key := req.Header.Get(IdempotencyHeader)
	r.attempts[key]++
	switch {
	case r.attempts[key] == 1:
		w.Header().Set("Retry-After", "0")
		http.Error(w, "busy", http.StatusServiceUnavailable)
	case r.stored[key] == 0:
		r.stored[key]++
		http.Error(w, "lost response", http.StatusBadGateway)
	default:
		w.WriteHeader(http.StatusOK)
	}
}

func TestWebhook_failsTwiceThenSucceedsOncePerEvent(t *testing.T) {
	recv := &receiver{secret: []byte("s3cret"), attempts: map[string]int{}, stored: map[string]int{}}
	srv := httptest.NewServer(recv)
	defer srv.Close()
	dir := t.TempDir()
	trail := NewTrail(filepath.Join(dir, "audit.jsonl"), srv.URL, "s3cret", fast)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, errs := trail.Record(context.Background(), event(i)); len(errs) > 0 {
				t.Error(errs)
			}
		}()
	}
	wg.Wait()
	if recv.bad != 0 || len(recv.stored) != 10 {
		t.Fatalf("bad signatures %d, stored %d events; want 0 and 10", recv.bad, len(recv.stored))
	}
	for key, n := range recv.stored {
		if n != 1 || recv.attempts[key] != 3 {
			t.Errorf("event %s stored %d times in %d attempts, want once in 3", key, n, recv.attempts[key])
		}
	}
}

func TestWebhook_signatureAndBody(t *testing.T) {
	var got []byte
	var sig, key string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		sig, key = r.Header.Get(SignatureHeader), r.Header.Get(IdempotencyHeader)
	}))
	defer srv.Close()
	e, errs := NewTrail("", srv.URL, "k", fast).Record(context.Background(), event(1))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if n, err := Verify(bytes.NewReader(append(got, '\n'))); err != nil || n != 1 {
		t.Errorf("the delivered body is not a valid one-line trail: %v", err)
	}
	if key != e.Hash || sig != Sign([]byte("k"), got) || !strings.HasPrefix(sig, "sha256=") {
		t.Errorf("headers: signature %q, idempotency key %q", sig, key)
	}
}

func TestWebhook_retryAfterHonouredButBounded(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		atLeast    time.Duration
		below      time.Duration
	}{
		{"1", time.Second, 3 * time.Second},
		{"3600", 0, time.Second}, // capped at WaitMax
	} {
		calls := 0
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			calls++
			if calls == 1 {
				w.Header().Set("Retry-After", tc.retryAfter)
				w.WriteHeader(http.StatusTooManyRequests)
			}
		}))
		r := fast
		if tc.atLeast > 0 {
			r.WaitMax = 2 * time.Second
		}
		start := time.Now()
		err := NewWebhook(srv.URL, "", r).Send(context.Background(), event(1).chain(""))
		took := time.Since(start)
		srv.Close()
		if err != nil || took < tc.atLeast || took >= tc.below {
			t.Errorf("Retry-After %s: err %v after %s, want success in [%s, %s)", tc.retryAfter, err, took, tc.atLeast, tc.below)
		}
	}
}

func TestTrail_webhookFailureKeepsFileEvent(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	_, errs := NewTrail(path, srv.URL, "", fast).Record(context.Background(), event(1))
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "500") {
		t.Errorf("errors = %v, want one naming the 500", errs)
	}
	if n, err := VerifyFile(path); err != nil || n != 1 {
		t.Errorf("the file holds %d events (%v), want the one the webhook missed", n, err)
	}
}

func TestTrail_webhookOnlyChainsInMemory(t *testing.T) {
	var bodies [][]byte
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
	}))
	defer srv.Close()
	trail := NewTrail("", srv.URL, "", fast)
	for i := range 3 {
		trail.Record(context.Background(), event(i))
	}
	if _, err := Verify(bytes.NewReader(append(bytes.Join(bodies, []byte("\n")), '\n'))); err != nil {
		t.Errorf("the delivered events do not form a chain: %v", err)
	}
}

func TestMain_exitCodes(t *testing.T) {
	dir := t.TempDir()
	broken := writeTrail(t, 3)
	l := lines(t, broken)
	if err := os.WriteFile(broken, []byte(l[0]+"\n"+l[2]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		// out and errOut are substrings of what Main prints on stdout and stderr.
		out, errOut string
	}{
		{"intact", []string{"verify", writeTrail(t, 2)}, 0, "2 events, chain intact", ""},
		{"empty file", []string{"verify", empty}, 0, "no events", ""},
		{"broken", []string{"verify", broken}, 1, "", "line 2: prev_hash"},
		{"a directory", []string{"verify", dir}, 2, "", "cannot read"},
		{"a missing file", []string{"verify", filepath.Join(dir, "missing.jsonl")}, 2, "", "cannot read"},
		{"no file", []string{"verify"}, 2, "", "usage: terraform-provider-gdpr audit verify FILE"},
		{"an unknown command", []string{"check", empty}, 2, "", "usage: terraform-provider-gdpr audit verify FILE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(tc.args, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.errOut) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					code, out.String(), errOut.String(), tc.code, tc.out, tc.errOut)
			}
		})
	}
}

func TestUsage_listsTheAuditCommands(t *testing.T) {
	for _, cmd := range []string{"audit verify FILE [--public-key PUB.pem]", "audit keygen --private PRIV.pem --public PUB.pem",
		"audit deliver --outbox FILE.outbox --url URL [--secret-env VAR]",
		"audit timeline FILE --since T [--until T] [--public-key PUB.pem] [--format markdown|json]"} {
		if !strings.Contains(Usage, "terraform-provider-gdpr "+cmd) {
			t.Errorf("Usage does not list %s:\n%s", cmd, Usage)
		}
	}
}

func TestVerify_overlongLineIsBroken(t *testing.T) {
	path := writeTrail(t, 1)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(bytes.Repeat([]byte("x"), 17<<20)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var out, errOut bytes.Buffer
	if code := Main([]string{"verify", path}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "line 2: longer than 16 MiB") {
		t.Errorf("exit %d, stderr %q; want 1 and line 2 named as broken", code, errOut.String())
	}
}

// The run's context comes from the variables HCP Terraform sets; the organisation and, without
// TFC_WORKSPACE_NAME, the workspace come from the workspace slug; outside a run nothing is recorded.
func TestFromEnvironment_recordsTheRunContext(t *testing.T) {
	t.Setenv("TFC_RUN_ID", "run-CKuwsxMGgMd4W7Ui")
	t.Setenv("TFC_WORKSPACE_ID", "")
	t.Setenv("TFC_WORKSPACE_NAME", "")
	t.Setenv("TFC_WORKSPACE_SLUG", "acme/records-prod")
	t.Setenv("TFC_PROJECT_NAME", "customer-data")
	t.Setenv("TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA", "4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e")
	t.Setenv("TFC_CONFIGURATION_VERSION_GIT_BRANCH", "main")
	t.Setenv("TFC_CONFIGURATION_VERSION_GIT_TAG", "v1.4.0")
	var e Event
	e.FromEnvironment()
	want := Event{TFCRunID: "run-CKuwsxMGgMd4W7Ui", TFCWorkspaceName: "records-prod", TFCOrganization: "acme",
		TFCProject: "customer-data", TFCGitCommitSHA: "4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e", TFCGitBranch: "main", TFCGitTag: "v1.4.0"}
	if e != want {
		t.Errorf("FromEnvironment = %+v, want %+v", e, want)
	}

	for _, v := range []string{"TFC_RUN_ID", "TFC_WORKSPACE_SLUG", "TFC_PROJECT_NAME", "TFC_CONFIGURATION_VERSION_GIT_COMMIT_SHA",
		"TFC_CONFIGURATION_VERSION_GIT_BRANCH", "TFC_CONFIGURATION_VERSION_GIT_TAG"} {
		t.Setenv(v, "")
	}
	var local Event
	local.FromEnvironment()
	if local != (Event{}) {
		t.Errorf("outside a run FromEnvironment recorded %+v", local)
	}
}
