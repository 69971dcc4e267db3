package runtask

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// guideRequest returns the sample request body of the HCP Terraform guide, byte for byte as a reader would
// save it to request.json.
func guideRequest(t *testing.T) []byte {
	t.Helper()
	guide, err := os.ReadFile("../../templates/guides/hcp-terraform.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(guide), "### A sample request")
	if !found {
		t.Fatal(`the HCP Terraform guide has no section "A sample request" with a run task request body`)
	}
	m := regexp.MustCompile("(?s)```json\n(.*?)```").FindStringSubmatch(section)
	if m == nil {
		t.Fatal(`the guide's section "A sample request" has no json block`)
	}
	return []byte(m[1])
}

// TestGuide_sampleRequestIsWhatTheServerReads checks the guide's sample request against the payload this
// server reads: every field is one of the payload's, under the same name, and every field HCP Terraform
// always sends is there.
func TestGuide_sampleRequestIsWhatTheServerReads(t *testing.T) {
	body := guideRequest(t)
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var req Request
	if err := dec.Decode(&req); err != nil {
		t.Fatalf("the guide's sample request is not a run task request as protocol.go reads it: %v", err)
	}
	var fields map[string]any
	if err := json.Unmarshal(body, &fields); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[Request]()
	for i := range typ.NumField() {
		name, opts, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		if _, ok := fields[name]; !ok && opts != "omitempty" {
			t.Errorf("the guide's sample request lacks %q, which HCP Terraform always sends", name)
		}
	}
	if req.PayloadVersion != 1 || req.Stage != "post_plan" || req.IsVerification() {
		t.Errorf("the guide's sample request is payload_version %d at stage %q (verification: %v), want a run's request of version 1 after a plan",
			req.PayloadVersion, req.Stage, req.IsVerification())
	}
	if !strings.HasSuffix(req.PlanJSONAPIURL, "/json-output") || !strings.HasSuffix(req.TaskResultCallbackURL, "/callback") {
		t.Errorf("the guide's sample request names the plan %q and the callback %q, not HCP Terraform's API paths", req.PlanJSONAPIURL, req.TaskResultCallbackURL)
	}
}

// TestGuide_sampleRequestIsAcceptedAndChecked sends the guide's sample request, signed as the guide says, to
// the server, with its HCP Terraform addresses and token pointed at a fake HCP Terraform API: the server must
// take it, fetch the plan, and deliver a result.
func TestGuide_sampleRequestIsAcceptedAndChecked(t *testing.T) {
	body := guideRequest(t)
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		t.Fatal(err)
	}
	hcp := newFakeHCP(t, readFixture(t, "testdata/gdpr_provider.json"))
	body = bytes.ReplaceAll(body, []byte("https://app.terraform.io/api/"), []byte(hcp.api.URL+"/api/"))
	body = bytes.ReplaceAll(body, []byte(`"access_token": "`+req.AccessToken+`"`), []byte(`"access_token": "`+testToken+`"`))
	ts, logs := startServer(t, nil)
	if got := post(t, ts.URL, body, sign("another key", body)); got != 403 {
		t.Fatalf("the sample request signed with another key: status %d, want 403", got)
	}
	if got := post(t, ts.URL, body, sign(testKey, body)); got != 200 {
		t.Fatalf("the guide's sample request, signed with the run task's key: status %d, want 200; logs:\n%s", got, logs)
	}
	cb := hcp.waitCallback()
	var result Callback
	if err := json.Unmarshal(cb.body, &result); err != nil {
		t.Fatal(err)
	}
	if result.Data.Attributes.Status != StatusFailed || !strings.Contains(string(cb.body), "forget-personal-data") {
		t.Fatalf("the result of the sample request over a plan that forgets a gdpr_key: %s; want failed with forget-personal-data", cb.body)
	}
}
