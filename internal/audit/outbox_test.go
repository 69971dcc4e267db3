package audit

import (
	"bytes"
	"context"
	"encoding/json"
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

// switchable is a webhook receiver that refuses every delivery with refuse while down, and otherwise
// accepts, keeping the bodies it accepted in order and every request's idempotency key.
type switchable struct {
	mu       sync.Mutex
	down     bool
	refuse   int
	accepted [][]byte
	seen     []string
}

func (s *switchable) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen = append(s.seen, r.Header.Get(IdempotencyHeader))
	if s.down {
		w.WriteHeader(s.refuse)
		return
	}
	s.accepted = append(s.accepted, body)
}

// up makes the receiver accept deliveries from now on.
func (s *switchable) up() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = false
}

// newSwitchable starts a receiver on 127.0.0.1 that is down, answering refuse, until up().
func newSwitchable(t *testing.T, refuse int) (*switchable, string) {
	t.Helper()
	recv := &switchable{down: true, refuse: refuse}
	srv := httptest.NewServer(recv)
	t.Cleanup(srv.Close)
	return recv, srv.URL
}

// once makes a failing delivery cost one request, so the tests count requests per event.
var once = Retry{RetryMax: 0, WaitMin: time.Millisecond, WaitMax: time.Millisecond, Timeout: 5 * time.Second}

// outboxLines returns the outbox's lines; none when it does not exist.
func outboxLines(t *testing.T, auditPath string) []string {
	t.Helper()
	b, err := os.ReadFile(auditPath + ".outbox")
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func record(t *testing.T, trail *Trail, i int) []error {
	t.Helper()
	_, errs := trail.Record(context.Background(), event(i))
	return errs
}

func TestOutbox_receiverDownQueuesTheEventNextToTheFile(t *testing.T) {
	_, url := newSwitchable(t, http.StatusServiceUnavailable)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	errs := record(t, NewTrail(path, url, "", once), 1)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "503") {
		t.Fatalf("errors = %v, want one naming the 503", errs)
	}
	file := lines(t, path)
	if got := outboxLines(t, path); len(got) != 1 || len(file) != 1 || got[0] != file[0] {
		t.Errorf("outbox %q, file %q: want the file's one event queued in the outbox", got, file)
	}
}

// A receiver back up gets the pending events, oldest first, then the new one, from a later provider
// process; the bodies it accepted are, in order, exactly the lines of the file, so the prev_hash of each
// delivery is the hash of the delivery before it.
func TestOutbox_nextRecordDeliversThePendingInOrderThenTheNew(t *testing.T) {
	recv, url := newSwitchable(t, http.StatusServiceUnavailable)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	first := NewTrail(path, url, "", once)
	for i := range 3 {
		if errs := record(t, first, i); len(errs) != 1 {
			t.Fatalf("event %d: errors %v, want one: the receiver is down", i, errs)
		}
	}
	if got := outboxLines(t, path); len(got) != 3 {
		t.Fatalf("the outbox holds %d events, want 3", len(got))
	}
	recv.up()
	if errs := record(t, NewTrail(path, url, "", once), 3); len(errs) != 0 {
		t.Fatalf("errors %v with the receiver up", errs)
	}
	file := lines(t, path)
	var got []string
	for _, b := range recv.accepted {
		got = append(got, string(b))
	}
	if strings.Join(got, "\n") != strings.Join(file, "\n") {
		t.Errorf("the receiver accepted\n%s\nthe file holds\n%s", strings.Join(got, "\n"), strings.Join(file, "\n"))
	}
	if _, err := Verify(strings.NewReader(strings.Join(got, "\n") + "\n")); err != nil {
		t.Errorf("the deliveries do not form a gap-free chain: %v", err)
	}
	if l := outboxLines(t, path); l != nil {
		t.Errorf("the outbox still holds %q after everything was delivered", l)
	}
}

// While the oldest pending event is refused, a new one is not delivered ahead of it: it joins the outbox
// behind the pending ones, and the receiver never sees it out of order.
func TestOutbox_failingDrainQueuesTheNewEventBehind(t *testing.T) {
	var mu sync.Mutex
	var refused string
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		key := r.Header.Get(IdempotencyHeader)
		seen = append(seen, key)
		if refused == "" || refused == key {
			refused = key // the first event is refused, every time; any other is accepted
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	trail := NewTrail(path, srv.URL, "", once)
	for i := range 3 {
		if errs := record(t, trail, i); len(errs) != 1 {
			t.Fatalf("event %d: errors %v, want one", i, errs)
		}
	}
	file := lines(t, path)
	if got := outboxLines(t, path); strings.Join(got, "\n") != strings.Join(file, "\n") {
		t.Errorf("the outbox holds\n%s\nwant the file's events in its order\n%s", strings.Join(got, "\n"), strings.Join(file, "\n"))
	}
	for i, key := range seen {
		if key != refused {
			t.Errorf("request %d delivered %s ahead of the refused oldest event %s", i+1, key, refused)
		}
	}
}

// A redelivery carries the same Idempotency-Key as the first attempt, so a receiver that stored the
// event before the answer was lost recognises it.
func TestOutbox_redeliveryKeepsTheIdempotencyKey(t *testing.T) {
	recv, url := newSwitchable(t, http.StatusBadGateway)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	record(t, NewTrail(path, url, "", once), 1)
	recv.up()
	record(t, NewTrail(path, url, "", once), 2)
	file := lines(t, path)
	var hashes []string
	for _, l := range file {
		var e Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, e.Hash)
	}
	want := []string{hashes[0], hashes[0], hashes[1]}
	if strings.Join(recv.seen, ",") != strings.Join(want, ",") {
		t.Errorf("idempotency keys %v, want %v: the first event twice, then the second", recv.seen, want)
	}
}

// An outbox whose last line was cut short is found by the plan-time check, and at apply the event stays
// in the file without a claim that it was delivered or queued, and nothing is sent out of order.
func TestOutbox_tornLastLineIsDetected(t *testing.T) {
	recv, url := newSwitchable(t, http.StatusServiceUnavailable)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	record(t, NewTrail(path, url, "", once), 1)
	record(t, NewTrail(path, url, "", once), 2)
	b, err := os.ReadFile(path + ".outbox")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".outbox", b[:len(b)-30], 0o600); err != nil {
		t.Fatal(err)
	}
	trail := NewTrail(path, url, "", once)
	if err := trail.Check(); err == nil || !strings.Contains(err.Error(), "line 2 of the outbox") {
		t.Errorf("Check = %v, want an error naming line 2 of the outbox", err)
	}
	recv.up()
	errs := record(t, trail, 3)
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "neither delivered to the webhook nor queued") {
		t.Errorf("errors = %v, want one saying the event was neither delivered nor queued", errs)
	}
	if len(recv.accepted) != 0 {
		t.Errorf("the receiver accepted %d events past a damaged outbox", len(recv.accepted))
	}
	if n, err := VerifyFile(path); err != nil || n != 3 {
		t.Errorf("the file holds %d events (%v), want 3", n, err)
	}
	// Check without a webhook has no outbox to look at.
	if err := NewTrail(path, "", "", once).Check(); err != nil {
		t.Errorf("Check of the file alone = %v", err)
	}
}

// A 4xx and a redirect are still one request each, not followed, not retried within the delivery; the
// event waits in the outbox for a receiver that accepts it.
func TestOutbox_refusedAndRedirectedDeliveriesAreQueued(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusFound} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			target, targetRequests := countingServer(t, http.StatusOK, nil)
			srv, requests := countingServer(t, status, http.Header{"Location": {target.URL}})
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			errs := record(t, NewTrail(path, srv.URL, "", fast), 1)
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), http.StatusText(status)) || !strings.Contains(errs[0].Error(), "1 attempt") {
				t.Errorf("errors = %v, want one naming %q after 1 attempt", errs, http.StatusText(status))
			}
			if requests.Load() != 1 || targetRequests.Load() != 0 {
				t.Errorf("%d requests to the webhook, %d to the redirect target; want 1 and 0", requests.Load(), targetRequests.Load())
			}
			if got, file := outboxLines(t, path), lines(t, path); len(got) != 1 || got[0] != file[0] {
				t.Errorf("outbox %q, want the file's event %q", got, file)
			}
		})
	}
}

// After a failed delivery, the events of the next cooldown are queued without a request: a receiver that
// is down costs a parallel apply one round of retries, not one per resource.
func TestOutbox_cooldownQueuesWithoutCallingTheWebhook(t *testing.T) {
	srv, requests := countingServer(t, http.StatusServiceUnavailable, nil)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	r := once
	r.Cooldown = time.Hour
	trail := NewTrail(path, srv.URL, "", r)
	for i := range 5 {
		errs := record(t, trail, i)
		if len(errs) != 1 {
			t.Fatalf("event %d: errors %v", i, errs)
		}
		if i > 0 && !strings.Contains(errs[0].Error(), "not tried") {
			t.Errorf("event %d: %v, want it to say the webhook was not tried", i, errs[0])
		}
	}
	if n := requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
	if got := outboxLines(t, path); len(got) != 5 {
		t.Errorf("the outbox holds %d events, want 5", len(got))
	}
}

// audit deliver drains an outbox by hand, in order, and leaves it empty.
func TestMain_deliverDrainsTheOutbox(t *testing.T) {
	// A 400 is not retried, so the command, which retries as the provider does, answers at once.
	recv, url := newSwitchable(t, http.StatusBadRequest)
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	for i := range 2 {
		record(t, NewTrail(path, url, "s", once), i)
	}
	t.Setenv("HOOK_SECRET", "s")
	var out, errOut bytes.Buffer
	args := []string{"deliver", "--outbox", path + ".outbox", "--url", url, "--secret-env", "HOOK_SECRET"}
	if code := Main(args, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "2 still queued") {
		t.Errorf("receiver down: exit %d, %q; want 1 and 2 still queued", code, errOut.String())
	}
	recv.up()
	out.Reset()
	if code := Main(args, &out, &errOut); code != 0 || !strings.Contains(out.String(), "2 events delivered") {
		t.Errorf("receiver up: exit %d, %q %q; want 0 and 2 delivered", code, out.String(), errOut.String())
	}
	if got := bytes.Join(recv.accepted, []byte("\n")); string(got) != strings.Join(lines(t, path), "\n") {
		t.Errorf("delivered\n%s\nwant the file's lines in order", got)
	}
	if l := outboxLines(t, path); l != nil {
		t.Errorf("the outbox still holds %q", l)
	}
}
