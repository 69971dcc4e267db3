package awsapi

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// kmsReadTimeout is how long the fake KMS of the ReadKey tests holds a request while it waits for the others
// of the same read: long enough for four requests in flight to meet on a loaded machine, short enough that a
// read that asks one at a time fails the test quickly.
const kmsReadTimeout = 3 * time.Second

// fakeKMSRead is a KMS endpoint for one key that answers the four calls of ReadKey. It holds every request
// until want requests have arrived (or kmsReadTimeout has passed) and records, in arrival order, the
// operations and how many had arrived when each was let through, so a test can tell a read that asks at
// once from one that waits for an answer before it asks again. A key in state PendingDeletion answers
// everything but DescribeKey with KMSInvalidStateException, and a call other than DescribeKey that names the
// key by an alias with NotFoundException, as KMS does.
type fakeKMSRead struct {
	state string
	want  int

	mu      sync.Mutex
	arrived int
	all     chan struct{}
	ops     []string
	met     []int // met[i] is how many requests had arrived when ops[i] was let through
}

func newFakeKMSRead(t *testing.T, state string, want int) (*fakeKMSRead, *Clients) {
	t.Helper()
	isolate(t)
	f := &fakeKMSRead{state: state, want: want, all: make(chan struct{})}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", MaxRetries: 0,
		Endpoints: Endpoints{KMS: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return f, c
}

func (f *fakeKMSRead) serve(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	var in struct{ KeyId string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	f.mu.Lock()
	f.arrived++
	if f.arrived == f.want {
		close(f.all)
	}
	f.mu.Unlock()
	select {
	case <-f.all:
	case <-time.After(kmsReadTimeout):
	}
	f.mu.Lock()
	f.ops = append(f.ops, op)
	f.met = append(f.met, f.arrived)
	f.mu.Unlock()

	arn := "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	var answer any
	switch {
	case op != "DescribeKey" && strings.HasPrefix(in.KeyId, "alias/"):
		// Only DescribeKey takes an alias.
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"__type":"NotFoundException","message":"Invalid keyId %s"}`, in.KeyId)
		return
	case op == "DescribeKey":
		meta := map[string]any{"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "Arn": arn, "KeyState": f.state,
			"KeySpec": "SYMMETRIC_DEFAULT", "KeyUsage": "ENCRYPT_DECRYPT", "MultiRegion": false, "Description": "read"}
		answer = map[string]any{"KeyMetadata": meta}
	case f.state == "PendingDeletion":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `{"__type":"KMSInvalidStateException","message":"%s is pending deletion."}`, arn)
		return
	case op == "GetKeyRotationStatus":
		answer = map[string]any{"KeyRotationEnabled": true, "RotationPeriodInDays": 365}
	case op == "GetKeyPolicy":
		answer = map[string]any{"Policy": `{"Version":"2012-10-17","Statement":[]}`}
	case op == "ListResourceTags":
		answer = map[string]any{"Tags": []map[string]string{{"TagKey": "team", "TagValue": "data"}}, "Truncated": false}
	default:
		http.Error(w, "the fake does not know "+op, http.StatusNotImplemented)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(answer)
}

// TestReadKey_asksEverythingAtOnce holds a key's refresh to one round trip to KMS: the description, rotation,
// policy and tags are asked together, so against AWS a plan waits for the slowest of four answers, not for
// the description and then the rest.
func TestReadKey_asksEverythingAtOnce(t *testing.T) {
	f, c := newFakeKMSRead(t, "Enabled", 4)
	k, err := c.ReadKey(context.Background(), "1234abcd-12ab-34cd-56ef-1234567890ab")
	if err != nil {
		t.Fatal(err)
	}
	for i, op := range f.ops {
		if f.met[i] != 4 {
			t.Errorf("%s was answered with %d of the read's 4 requests asked: the read waits for one answer before it asks the next (order %v)", op, f.met[i], f.ops)
		}
	}
	if len(f.ops) != 4 {
		t.Errorf("the read sent %v, want DescribeKey, GetKeyRotationStatus, GetKeyPolicy and ListResourceTags once each", f.ops)
	}
	if !k.RotationEnabled || k.RotationPeriodDays == nil || *k.RotationPeriodDays != 365 || k.Tags["team"] != "data" ||
		!strings.Contains(k.Policy, "2012-10-17") || k.State != "Enabled" || k.Description != "read" {
		t.Errorf("the read put together %+v, want every answer in it", k)
	}
}

// TestReadKey_pendingDeletionIsReadWithoutTheRest reads a key pending deletion, on which KMS refuses every
// call but DescribeKey: the refusals asked alongside the description are not errors, and the key comes back
// with its state, for the plan to replace it.
func TestReadKey_pendingDeletionIsReadWithoutTheRest(t *testing.T) {
	_, c := newFakeKMSRead(t, "PendingDeletion", 4)
	k, err := c.ReadKey(context.Background(), "1234abcd-12ab-34cd-56ef-1234567890ab")
	if err != nil {
		t.Fatalf("reading a key pending deletion: %v", err)
	}
	if !k.PendingDeletion() || len(k.Tags) != 0 || k.Policy != "" {
		t.Errorf("the read gave %+v, want the state PendingDeletion and nothing else", k)
	}
}

// TestReadKey_aliasIsDescribedFirst reads a key by an alias, which only DescribeKey takes: the other calls
// are asked with the key id the description gives.
func TestReadKey_aliasIsDescribedFirst(t *testing.T) {
	f, c := newFakeKMSRead(t, "Enabled", 1)
	k, err := c.ReadKey(context.Background(), "alias/personal-data")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.ops) != 4 || f.ops[0] != "DescribeKey" || k.Tags["team"] != "data" {
		t.Errorf("the read sent %v and gave %+v, want DescribeKey first, then the rest", f.ops, k)
	}
}
