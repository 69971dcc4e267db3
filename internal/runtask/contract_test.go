package runtask

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// violatingPlan is a plan whose one change breaks the residency rule, at the given address.
func violatingPlan(addresses ...string) []byte {
	changes := make([]string, len(addresses))
	for i, a := range addresses {
		changes[i] = fmt.Sprintf(`{"address":%q,"mode":"managed","type":"aws_s3_bucket","name":"b","change":{"actions":["create"],"before":null,"after":{"region":"us-east-1"},"after_unknown":{}}}`, a)
	}
	return []byte(`{"format_version":"1.2","resource_changes":[` + strings.Join(changes, ",") + `]}`)
}

// send posts a signed request and fails the test unless it is accepted.
func send(t *testing.T, url string, req Request) {
	t.Helper()
	body := mustJSON(t, req)
	if status := post(t, url, body, sign(testKey, body)); status != 200 {
		t.Fatalf("status %d, want 200", status)
	}
}

// waitLog waits for a line of the logs to contain want.
func waitLog(t *testing.T, logs *lockedBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(logs.String(), want) {
			return
		}
	}
	t.Fatalf("the logs never said %q:\n%s", want, logs)
}

// TestServer_planEndpointThatNeverAnswersStillGetsAResult: the plan's download hangs; the evaluation gives
// up at its fetch timeout, and the result still arrives, within the deadline, saying what happened.
func TestServer_planEndpointThatNeverAnswersStillGetsAResult(t *testing.T) {
	hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b"))
	hcp.release = make(chan struct{})
	const deadline = 2 * time.Second
	ts, logs := startServer(t, func(o *Options) { o.Deadline = deadline })
	t.Cleanup(func() { close(hcp.release) })
	start := time.Now()
	send(t, ts.URL, hcp.request())
	cb := decodeCallback(t, hcp.waitCallback().body)
	if took := time.Since(start); took > deadline {
		t.Errorf("the result arrived %s after the request, past the %s deadline", took, deadline)
	}
	if cb.Data.Attributes.Status != StatusFailed || !strings.Contains(cb.Data.Attributes.Message, "The plan could not be fetched within") {
		t.Fatalf("result %+v, want failed, saying the plan could not be fetched in time", cb.Data.Attributes)
	}
	waitLog(t, logs, "run task result sent")
}

// TestServer_redirectedCallbackIsAFailedDelivery: a 302 to the callback is not followed (it would turn
// the PATCH into a GET that delivers nothing): it is retried, and when the retries end the logs say the
// result was not delivered.
func TestServer_redirectedCallbackIsAFailedDelivery(t *testing.T) {
	t.Run("retried until taken", func(t *testing.T) {
		hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b"))
		hcp.redirectCallbacks.Store(2)
		ts, logs := startServer(t, nil)
		send(t, ts.URL, hcp.request())
		cb := decodeCallback(t, hcp.waitCallback().body)
		if cb.Data.Attributes.Status != StatusFailed || len(outcomeIDs(cb)) != 1 {
			t.Fatalf("result %+v", cb.Data.Attributes)
		}
		if n := hcp.callbackAttempts.Load(); n != 3 {
			t.Errorf("%d attempts, want 3 (two redirected, then the one taken)", n)
		}
		if n := hcp.redirected.Load(); n != 0 {
			t.Errorf("the redirect was followed %d times", n)
		}
		waitLog(t, logs, "run task result sent")
	})
	t.Run("never taken", func(t *testing.T) {
		hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b"))
		hcp.redirectCallbacks.Store(1000)
		ts, logs := startServer(t, nil)
		send(t, ts.URL, hcp.request())
		waitLog(t, logs, "run task result not delivered")
		if !strings.Contains(logs.String(), "a redirect") {
			t.Errorf("the logs do not say the callback was redirected:\n%s", logs)
		}
		if strings.Contains(logs.String(), "run task result sent") {
			t.Errorf("the logs claim a result was sent:\n%s", logs)
		}
		if n := hcp.redirected.Load(); n != 0 {
			t.Errorf("the redirect was followed %d times", n)
		}
		if n := hcp.callbackAttempts.Load(); n != 4 {
			t.Errorf("%d attempts, want 4 (the first and RetryMax 3 retries)", n)
		}
	})
}

// TestServer_runningUpdateAtAcceptance: a request is answered with a running update at once, while the
// only worker is still busy with another plan, and its result comes after that update.
func TestServer_runningUpdateAtAcceptance(t *testing.T) {
	hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b"))
	hcp.release = make(chan struct{})
	var once sync.Once
	release := func() { once.Do(func() { close(hcp.release) }) }
	ts, _ := startServer(t, func(o *Options) { o.Concurrency = 1 })
	t.Cleanup(release)
	first, second := hcp.request(), hcp.request()
	first.TaskResultID, second.TaskResultID = "taskrs-first", "taskrs-second"
	send(t, ts.URL, first)
	<-hcp.archivistAuth // the only worker is now downloading the first plan
	send(t, ts.URL, second)
	for range 2 {
		select {
		case cb := <-hcp.runningUpdates:
			if got := decodeCallback(t, cb.body); got.Data.Relationships != nil || got.Data.Attributes.Message == "" {
				t.Fatalf("running update %+v", got)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no running update while the worker is busy: it must be sent at acceptance")
		}
	}
	release()
	hcp.waitCallback()
	hcp.waitCallback()
	if got, want := hcp.order(), []string{"running", "running", "failed", "failed"}; !slices.Equal(got, want) {
		t.Fatalf("callbacks in the order %v, want %v", got, want)
	}
}

// TestServer_deadlineCountsFromAcceptance: with one worker held by a plan that never comes, a second
// request waits in the queue; its result still arrives within the deadline of its acceptance, saying it
// waited, instead of a full deadline after a worker took it.
func TestServer_deadlineCountsFromAcceptance(t *testing.T) {
	hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b"))
	hcp.release = make(chan struct{})
	const deadline = 2 * time.Second
	ts, _ := startServer(t, func(o *Options) { o.Concurrency, o.Deadline = 1, deadline })
	t.Cleanup(func() { close(hcp.release) })
	first, second := hcp.request(), hcp.request()
	first.TaskResultID, second.TaskResultID = "taskrs-first", "taskrs-second"
	send(t, ts.URL, first)
	<-hcp.archivistAuth
	accepted := time.Now()
	send(t, ts.URL, second)
	var messages []string
	for range 2 {
		cb := decodeCallback(t, hcp.waitCallback().body)
		messages = append(messages, cb.Data.Attributes.Message)
	}
	if took := time.Since(accepted); took > deadline+200*time.Millisecond {
		t.Fatalf("the second result arrived %s after its acceptance, past the %s deadline", took, deadline)
	}
	if !strings.Contains(strings.Join(messages, "\n"), "waited") {
		t.Fatalf("no result says the request waited for a worker: %q", messages)
	}
}

// TestServer_outcomeIDsWithinTheSchema: an outcome-id is at most 64 characters, distinct for distinct
// resources, and the whole address is in the description and body.
func TestServer_outcomeIDsWithinTheSchema(t *testing.T) {
	long := `module.customer_records["eu-central-1/records-for-the-retention-review"].aws_s3_bucket.b`
	hcp := newFakeHCP(t, violatingPlan(long+"[0]", long+"[1]", "aws_s3_bucket.b"))
	ts, _ := startServer(t, nil)
	send(t, ts.URL, hcp.request())
	cb := decodeCallback(t, hcp.waitCallback().body)
	ids := outcomeIDs(cb)
	if len(ids) != 3 || ids[2] != "residency:aws_s3_bucket.b" {
		t.Fatalf("outcome ids %q", ids)
	}
	if ids[0] == ids[1] {
		t.Fatalf("two resources share the outcome id %q", ids[0])
	}
	for i, o := range cb.Data.Relationships.Outcomes.Data {
		if n := utf8.RuneCountInString(o.Attributes.OutcomeID); n > 64 {
			t.Errorf("outcome-id %q has %d characters; the schema allows 64", o.Attributes.OutcomeID, n)
		}
		if i < 2 && !strings.Contains(o.Attributes.Body, long+fmt.Sprintf("[%d]", i)) {
			t.Errorf("the body of %q does not name the whole address", o.Attributes.OutcomeID)
		}
	}
}

// TestServer_noOutcomesWhereNotOffered: a caller that does not offer outcomes (capabilities absent, or
// outcomes false) gets none; the message, bounded, names the first findings instead.
func TestServer_noOutcomesWhereNotOffered(t *testing.T) {
	long := "aws_s3_bucket." + strings.Repeat("b", 1000)
	for name, caps := range map[string]*Capabilities{"absent": nil, "false": {Outcomes: false}} {
		t.Run(name, func(t *testing.T) {
			hcp := newFakeHCP(t, violatingPlan("aws_s3_bucket.b", long))
			ts, _ := startServer(t, nil)
			req := hcp.request()
			req.Capabilities = caps
			send(t, ts.URL, req)
			cb := decodeCallback(t, hcp.waitCallback().body)
			if cb.Data.Relationships != nil {
				t.Fatalf("outcomes sent to a caller that did not offer them: %+v", cb.Data.Relationships)
			}
			msg := cb.Data.Attributes.Message
			if cb.Data.Attributes.Status != StatusFailed || !strings.Contains(msg, "2 violations") || !strings.Contains(msg, "residency on aws_s3_bucket.b") {
				t.Fatalf("result %+v", cb.Data.Attributes)
			}
			if n := utf8.RuneCountInString(msg); n > maxMessage {
				t.Fatalf("message of %d characters, over %d", n, maxMessage)
			}
		})
	}
}

// TestServer_refusesAnUnknownPlanFormat: a plan whose format_version has a major version the rules do
// not read fails, saying so, instead of passing unread.
func TestServer_refusesAnUnknownPlanFormat(t *testing.T) {
	hcp := newFakeHCP(t, []byte(`{"format_version":"2.0","resource_changes":[],"changes":[{"address":"aws_s3_bucket.b"}]}`))
	ts, _ := startServer(t, nil)
	send(t, ts.URL, hcp.request())
	cb := decodeCallback(t, hcp.waitCallback().body)
	if cb.Data.Attributes.Status != StatusFailed || !strings.Contains(cb.Data.Attributes.Message, `format_version "2.0"`) {
		t.Fatalf("result %+v, want failed naming the format", cb.Data.Attributes)
	}
}

// TestServer_stages: at post_apply the result says the changes are already made; a stage with no plan,
// or one the server does not know, is refused with words saying where to attach the task.
func TestServer_stages(t *testing.T) {
	cases := []struct {
		stage, plan     string
		status, message string
		description     string
	}{
		{"post_plan", "violating", StatusFailed, "1 violation in 1 resource change", "aws_s3_bucket.b: us-east-1"},
		{"pre_apply", "violating", StatusFailed, "1 violation in 1 resource change", "aws_s3_bucket.b: us-east-1"},
		{"post_apply", "violating", StatusFailed, "The apply is done and made 1 violation", "Applied: aws_s3_bucket.b: us-east-1"},
		{"post_apply", "passing", StatusPassed, "The apply is done: 1 resource change applied, none breaks a gdpr rule.", ""},
		{"pre_plan", "", StatusFailed, "attach this run task at post_plan or pre_apply", ""},
		{"pre_destroy", "violating", StatusFailed, `at the "pre_destroy" stage, which it does not serve`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.stage+" "+tc.plan, func(t *testing.T) {
			plan := violatingPlan("aws_s3_bucket.b")
			if tc.plan == "passing" {
				plan = []byte(strings.ReplaceAll(string(plan), "us-east-1", "eu-west-1"))
			}
			hcp := newFakeHCP(t, plan)
			ts, _ := startServer(t, nil)
			req := hcp.request()
			req.Stage = tc.stage
			if tc.plan == "" {
				req.PlanJSONAPIURL = ""
			}
			send(t, ts.URL, req)
			cb := decodeCallback(t, hcp.waitCallback().body)
			if cb.Data.Attributes.Status != tc.status || !strings.Contains(cb.Data.Attributes.Message, tc.message) {
				t.Fatalf("result %+v, want %s with %q", cb.Data.Attributes, tc.status, tc.message)
			}
			if tc.description != "" && !strings.HasPrefix(cb.Data.Relationships.Outcomes.Data[0].Attributes.Description, tc.description) {
				t.Fatalf("outcome %q, want it to start %q", cb.Data.Relationships.Outcomes.Data[0].Attributes.Description, tc.description)
			}
		})
	}
}
