package runtask

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// evaluateThroughServer sends plan through a run task server and a fake HCP Terraform, and returns the
// outcome ids of the callback.
func evaluateThroughServer(t *testing.T, plan []byte) []string {
	t.Helper()
	hcp := newFakeHCP(t, plan)
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	if status := post(t, ts.URL, body, sign(testKey, body)); status != 200 {
		t.Fatalf("status %d, want 200", status)
	}
	return outcomeIDs(decodeCallback(t, hcp.waitCallback().body))
}

func readFixture(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestServer_checksPlansEndToEnd sends plans made by the real Terraform CLI (the gdpr provider's, and the
// policy pack's plan of hashicorp/aws and gdpr resources) and hand-written plans of aws, azurerm and google
// resources through the server, and checks the outcomes HCP Terraform receives.
func TestServer_checksPlansEndToEnd(t *testing.T) {
	cases := []struct {
		name, fixture string
		want          []string
	}{
		{
			name: "gdpr provider, real CLI", fixture: "testdata/gdpr_provider.json",
			want: []string{"forget-personal-data:gdpr_key.forgotten", "gdpr-ignore-changes:gdpr_key.ignored"},
		},
		{
			name: "hashicorp/aws and gdpr, real CLI", fixture: "../../examples/policy/testdata/raw_resources/data.json",
			want: []string{
				"personal-data-outside-gdpr:aws_instance.crm",
				"personal-data-outside-gdpr:aws_kms_key.customer_exports",
				"personal-data-outside-gdpr:aws_s3_bucket.customer_exports",
			},
		},
		{
			name: "hashicorp/aws 5 databases, real CLI", fixture: "../../examples/policy/testdata/raw_database/data.json",
			want: []string{"personal-data-outside-gdpr:aws_db_instance.customers"},
		},
		{
			name: "aws, azurerm and google shapes, hand-written", fixture: "testdata/clouds.json",
			want: []string{
				"forget-personal-data:azurerm_storage_account.forgotten",
				"personal-data-in-place-update:aws_db_instance.customers",
				"personal-data-outside-gdpr:aws_db_instance.customers",
				"residency-unknown-region:google_storage_bucket.multi_region",
				"residency:aws_s3_bucket.virginia",
				"residency:azurerm_storage_account.east_us",
				"residency:google_compute_instance.iowa",
				"residency:module.us.aws_iam_role.in_module_provider",
				"retention:aws_s3_bucket_lifecycle_configuration.long",
				"retention:aws_s3_bucket_object_lock_configuration.long",
				"retention:azurerm_storage_management_policy.long",
				"retention:google_storage_bucket.long",
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := evaluateThroughServer(t, readFixture(t, tc.fixture))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("outcomes\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// TestServer_callbackBodyIsTheIntegrationAPIs checks the exact PATCH HCP Terraform receives: method, media
// type, bearer token and the JSON:API document with one outcome per finding.
func TestServer_callbackBodyIsTheIntegrationAPIs(t *testing.T) {
	plan := []byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_s3_bucket.b","mode":"managed",` +
		`"type":"aws_s3_bucket","name":"b","provider_name":"registry.terraform.io/hashicorp/aws","change":` +
		`{"actions":["create"],"before":null,"after":{"bucket":"b","region":"us-east-1"},"after_unknown":{},` +
		`"after_sensitive":{}}}],"configuration":{"root_module":{}}}`)
	hcp := newFakeHCP(t, plan)
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	if status := post(t, ts.URL, body, sign(testKey, body)); status != 200 {
		t.Fatalf("status %d", status)
	}
	cb := hcp.waitCallback()
	if cb.method != "PATCH" || cb.contentType != "application/vnd.api+json" || cb.authorization != "Bearer "+testToken {
		t.Fatalf("callback %s with Content-Type %q, Authorization %q", cb.method, cb.contentType, cb.authorization)
	}
	if string(cb.body) != wantCallback {
		t.Fatalf("callback body\n%s\nwant\n%s", cb.body, wantCallback)
	}
}

// TestServer_passedPlanHasNoOutcomes: a plan that breaks no rule is passed with a message and no outcome.
func TestServer_passedPlanHasNoOutcomes(t *testing.T) {
	plan := []byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_s3_bucket.b","mode":"managed",` +
		`"type":"aws_s3_bucket","name":"b","change":{"actions":["create"],"before":null,"after":{"region":"eu-west-1"}}}]}`)
	hcp := newFakeHCP(t, plan)
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	post(t, ts.URL, body, sign(testKey, body))
	got := string(hcp.waitCallback().body)
	want := `{"data":{"type":"task-results","attributes":{"status":"passed","message":"1 resource change checked: none breaks a gdpr rule."}}}`
	if got != want {
		t.Fatalf("callback %s, want %s", got, want)
	}
}

// TestServer_signatures: only a body signed with the run task's key is taken; a missing, malformed or
// wrong signature, or a body replayed with another body's signature, is refused before anything is fetched.
func TestServer_signatures(t *testing.T) {
	hcp := newFakeHCP(t, []byte(`{"format_version":"1.2","resource_changes":[]}`))
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	other := hcp.request()
	other.RunID = "run-2"
	otherBody := mustJSON(t, other)
	cases := []struct {
		name      string
		signature string
		want      int
	}{
		{"missing", "", 401},
		{"not hex", "not-a-signature", 403},
		{"wrong key", sign("another key", body), 403},
		{"replayed body with another body's signature", sign(testKey, otherBody), 403},
		{"truncated", sign(testKey, body)[:64], 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(t, ts.URL, body, tc.signature); got != tc.want {
				t.Fatalf("status %d, want %d", got, tc.want)
			}
		})
	}
	hcp.expectNoCallback(200 * time.Millisecond)
	if n := hcp.planRequests.Load(); n != 0 {
		t.Fatalf("the plan was fetched %d times for refused requests", n)
	}
	if got := post(t, ts.URL, body, sign(testKey, body)); got != 200 {
		t.Fatalf("signed request: status %d, want 200", got)
	}
	hcp.waitCallback()
}

// TestServer_verificationRequestIsAnswered: the request HCP Terraform sends when the run task is created
// is answered 200, with no plan fetched and no callback, and only when it is signed.
func TestServer_verificationRequestIsAnswered(t *testing.T) {
	hcp := newFakeHCP(t, nil)
	ts, _ := startServer(t, nil)
	req := hcp.request()
	req.AccessToken = "test-token"
	req.PlanJSONAPIURL = ""
	body := mustJSON(t, req)
	if got := post(t, ts.URL, body, ""); got != 401 {
		t.Fatalf("unsigned verification: status %d, want 401", got)
	}
	if got := post(t, ts.URL, body, sign(testKey, body)); got != 200 {
		t.Fatalf("verification: status %d, want 200", got)
	}
	hcp.expectNoCallback(200 * time.Millisecond)
	if hcp.planRequests.Load() != 0 {
		t.Fatal("the verification request fetched a plan")
	}
}

// TestServer_callbackRetriedUntilHCPTerraformTakesIt: the callback endpoint fails twice with 503 and then
// takes the result, which is sent once more each time and arrives once.
func TestServer_callbackRetriedUntilHCPTerraformTakesIt(t *testing.T) {
	hcp := newFakeHCP(t, readFixture(t, "testdata/gdpr_provider.json"))
	hcp.failCallbacks.Store(2)
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	post(t, ts.URL, body, sign(testKey, body))
	cb := decodeCallback(t, hcp.waitCallback().body)
	if cb.Data.Attributes.Status != StatusFailed || len(outcomeIDs(cb)) != 2 {
		t.Fatalf("callback %+v", cb)
	}
	if n := hcp.callbackAttempts.Load(); n != 3 {
		t.Fatalf("%d callback attempts, want 3 (two 503s, then the one taken)", n)
	}
	hcp.expectNoCallback(200 * time.Millisecond)
}

// TestServer_redirectDoesNotForwardTheToken: HCP Terraform answers the plan download with a 307 to its
// archivist, on another host; the bearer token goes to the API only.
func TestServer_redirectDoesNotForwardTheToken(t *testing.T) {
	hcp := newFakeHCP(t, readFixture(t, "testdata/gdpr_provider.json"))
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	post(t, ts.URL, body, sign(testKey, body))
	hcp.waitCallback()
	if got := <-hcp.apiAuthorizations; got != "Bearer "+testToken {
		t.Fatalf("the API received Authorization %q", got)
	}
	if got := <-hcp.archivistAuth; got != "" {
		t.Fatalf("the archivist received Authorization %q; the token must not leave the API's host", got)
	}
}

// TestServer_logsNeitherTheTokenNorSensitiveValues runs a request whose plan holds a sensitive password,
// with logging at debug level, and searches the logs and the callback for the token and the password.
func TestServer_logsNeitherTheTokenNorSensitiveValues(t *testing.T) {
	const password = "hunter2-sensitive-db-password"
	plan := []byte(`{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.customers","mode":"managed","type":"aws_db_instance",` +
		`"name":"customers","change":{"actions":["update"],"before":{"region":"eu-west-1","password":"old-` + password + `",` +
		`"tags":{"gdpr-personal-data":"customers"}},"after":{"region":"eu-west-1","password":"` + password + `",` +
		`"tags":{"gdpr-personal-data":"customers"}},"after_unknown":{},"after_sensitive":{"password":true}}}]}`)
	hcp := newFakeHCP(t, plan)
	hcp.failCallbacks.Store(1)
	ts, logs := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	post(t, ts.URL, body, sign(testKey, body))
	post(t, ts.URL, body, "bad")
	cb := hcp.waitCallback()
	if !strings.Contains(string(cb.body), "personal-data-in-place-update") {
		t.Fatalf("callback %s lacks the finding", cb.body)
	}
	// The server logs the result after HCP Terraform has answered the callback.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && !strings.Contains(logs.String(), "run task result sent"); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logs.String(), "run task result sent") {
		t.Fatalf("the logs lack the result line:\n%s", logs)
	}
	for _, secret := range []string{testToken, password} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("the logs hold %q:\n%s", secret, logs)
		}
		if strings.Contains(string(cb.body), secret) {
			t.Errorf("the callback holds %q", secret)
		}
	}
}

// TestServer_boundsTheRequestBody: a body over the limit is refused with 413 before its signature is checked.
func TestServer_boundsTheRequestBody(t *testing.T) {
	hcp := newFakeHCP(t, nil)
	ts, _ := startServer(t, func(o *Options) { o.MaxRequestBytes = 1024 })
	body := []byte(`{"payload_version":1,"run_message":"` + strings.Repeat("x", 2048) + `"}`)
	if got := post(t, ts.URL, body, sign(testKey, body)); got != 413 {
		t.Fatalf("status %d, want 413", got)
	}
	if hcp.planRequests.Load() != 0 {
		t.Fatal("a plan was fetched")
	}
}

// TestServer_sameTaskResultEvaluatedOnce: HCP Terraform sends a request again when it did not see the 200;
// the task result is evaluated and reported once.
func TestServer_sameTaskResultEvaluatedOnce(t *testing.T) {
	hcp := newFakeHCP(t, readFixture(t, "testdata/gdpr_provider.json"))
	ts, _ := startServer(t, nil)
	body := mustJSON(t, hcp.request())
	for range 3 {
		if got := post(t, ts.URL, body, sign(testKey, body)); got != 200 {
			t.Fatalf("status %d", got)
		}
	}
	hcp.waitCallback()
	hcp.expectNoCallback(300 * time.Millisecond)
	if n := hcp.planRequests.Load(); n != 1 {
		t.Fatalf("the plan was fetched %d times, want 1", n)
	}
}

// TestServer_planWithoutAPlanStageFails: a task at the pre_plan stage has no plan; the result says so.
func TestServer_planWithoutAPlanStageFails(t *testing.T) {
	hcp := newFakeHCP(t, nil)
	ts, _ := startServer(t, nil)
	req := hcp.request()
	req.Stage, req.PlanJSONAPIURL = "pre_plan", ""
	body := mustJSON(t, req)
	post(t, ts.URL, body, sign(testKey, body))
	cb := decodeCallback(t, hcp.waitCallback().body)
	if cb.Data.Attributes.Status != StatusFailed || !strings.Contains(cb.Data.Attributes.Message, "attach this run task at post_plan or pre_apply") {
		t.Fatalf("callback %+v", cb.Data.Attributes)
	}
}

// TestServer_refusesToStartWithoutAKey: New has no unsigned mode.
func TestServer_refusesToStartWithoutAKey(t *testing.T) {
	if _, err := New(Options{}); err == nil || !strings.Contains(err.Error(), "HMAC key") {
		t.Fatalf("New without a key: %v", err)
	}
}

// TestServer_boundsTheWorkWaiting: with one evaluation at a time and room for one more, a third request
// is answered 503 so that HCP Terraform sends it again later, and the two accepted ones are reported.
func TestServer_boundsTheWorkWaiting(t *testing.T) {
	hcp := newFakeHCP(t, []byte(`{"format_version":"1.2","resource_changes":[]}`))
	hcp.release = make(chan struct{})
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(hcp.release) }) }
	ts, _ := startServer(t, func(o *Options) { o.Concurrency, o.Queue = 1, 1 })
	// Registered after the servers, so it runs first: a failing test must not leave a download held.
	t.Cleanup(release)
	send := func(id string) int {
		req := hcp.request()
		req.TaskResultID = id
		body := mustJSON(t, req)
		return post(t, ts.URL, body, sign(testKey, body))
	}
	if got := send("taskrs-a"); got != 200 {
		t.Fatalf("first: %d", got)
	}
	<-hcp.archivistAuth // the only worker is now downloading the first plan
	if got := send("taskrs-b"); got != 200 {
		t.Fatalf("second: %d", got)
	}
	if got := send("taskrs-c"); got != 503 {
		t.Fatalf("third: %d, want 503", got)
	}
	release()
	hcp.waitCallback()
	hcp.waitCallback()
}

// wantCallback is the exact callback for a bucket planned in us-east-1 under the default policy.
const wantCallback = "{\"data\":{\"type\":\"task-results\",\"attributes\":{\"status\":\"failed\",\"message\":\"1 violation in 1 resource change: 1 residency.\"},\"relationships\":{\"outcomes\":{\"data\":[{\"type\":\"task-result-outcomes\",\"attributes\":{\"outcome-id\":\"residency:aws_s3_bucket.b\",\"description\":\"aws_s3_bucket.b: us-east-1 (N. Virginia) is in the United States (US), jurisdiction PARTIAL_ADEQUACY, which the policy [EEA] does not allow; add PARTIAL_ADEQUACY or US to allow it if every recipient…\",\"body\":\"aws_s3_bucket.b: us-east-1 (N. Virginia) is in the United States (US), jurisdiction PARTIAL_ADEQUACY, which the policy [EEA] does not allow; add PARTIAL_ADEQUACY or US to allow it if every recipient is certified under the EU-US Data Privacy Framework; note that an appeal against the decision, case C-703/25 P (Latombe v Commission), lodged on 31 October 2025, is pending before the Court of Justice and could annul it.\\n\\nRule: `residency`.\",\"tags\":{\"Severity\":[{\"label\":\"High\",\"level\":\"error\"}],\"Status\":[{\"label\":\"Failed\",\"level\":\"error\"}]}}}]}}}}"

// TestServer_parityTableEndToEnd sends every plan of the table that the Go rules and the Rego pack are
// checked against (internal/planrules/testdata/parity.json, see TestParity_goAndRegoAgree) through the
// server and the fake HCP Terraform API: each run passes or fails with exactly the outcomes the table names,
// so the run task, the rules and the OPA pack judge the same plans the same way.
func TestServer_parityTableEndToEnd(t *testing.T) {
	var cases []struct {
		Name string          `json:"name"`
		Plan json.RawMessage `json:"plan"`
		Want []string        `json:"want"`
	}
	if err := json.Unmarshal(readFixture(t, "../planrules/testdata/parity.json"), &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 10 {
		t.Fatalf("the parity table holds %d plans: it proves little", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			t.Parallel()
			hcp := newFakeHCP(t, tc.Plan)
			ts, _ := startServer(t, nil)
			body := mustJSON(t, hcp.request())
			if status := post(t, ts.URL, body, sign(testKey, body)); status != 200 {
				t.Fatalf("status %d, want 200", status)
			}
			cb := decodeCallback(t, hcp.waitCallback().body)
			got := outcomeIDs(cb)
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tc.Want))
			wantStatus := "passed"
			if len(want) > 0 {
				wantStatus = "failed"
			}
			if !slices.Equal(got, want) || cb.Data.Attributes.Status != wantStatus {
				t.Errorf("status %q with outcomes %v, want %q with %v", cb.Data.Attributes.Status, got, wantStatus, want)
			}
		})
	}
}
