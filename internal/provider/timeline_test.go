package provider_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// timelineRun is what one run of audit timeline printed, and its exit code.
type timelineRun struct {
	code        int
	out, errOut string
}

// runTimeline runs the provider binary's audit timeline as a user does, and returns what it printed.
func runTimeline(t *testing.T, args ...string) timelineRun {
	t.Helper()
	cmd := exec.Command(filepath.Join(acctest.ProviderBinary(t), "terraform-provider-gdpr"), append([]string{"audit", "timeline"}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return timelineRun{exit.ExitCode(), out.String(), errOut.String()}
	case err != nil:
		t.Fatalf("running audit timeline: %v", err)
	}
	return timelineRun{0, out.String(), errOut.String()}
}

// timelineJSON is the part of the JSON timeline the test reads, by the field names the audit guide documents.
type timelineJSON struct {
	TrailVerified bool `json:"trail_verified"`
	Counts        struct {
		Events     int `json:"events"`
		Verified   int `json:"verified"`
		Unverified int `json:"unverified"`
	} `json:"counts"`
	Stores []struct {
		Kind          string   `json:"kind"`
		CloudID       string   `json:"cloud_id"`
		Regions       []string `json:"regions"`
		Jurisdictions []string `json:"jurisdictions"`
	} `json:"stores"`
	Events []struct {
		Line        int         `json:"line"`
		Status      string      `json:"status"`
		Reason      string      `json:"reason"`
		Who         string      `json:"who"`
		Replacement int         `json:"replacement"`
		Event       audit.Event `json:"event"`
	} `json:"events"`
	Replacements []struct {
		From       string `json:"from"`
		To         string `json:"to"`
		CreateLine int    `json:"create_line"`
		MoveLine   int    `json:"move_line"`
		DeleteLine int    `json:"delete_line"`
	} `json:"replacements"`
}

// TestAccAuditTimeline_ofARealTrail writes a signed trail through the Terraform CLI, as a run in HCP
// Terraform would (a key, a bucket holding an object, then the bucket replaced with its data moved), and
// checks that audit timeline lists each event with who, where and when, verified by the public key, with
// the bucket's replacement proven by the trail; then that a copy of the trail with one line edited is
// flagged: that event and every later one unverified, no replacement claimed, exit code 1.
func TestAccAuditTimeline_ofARealTrail(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	since := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "signing.pem"), filepath.Join(dir, "signing.pub.pem")
	if err := audit.GenerateKeys(priv, pub); err != nil {
		t.Fatal(err)
	}
	trail := filepath.Join(dir, "audit.jsonl")
	prefix := fmt.Sprintf("tl%08x-", rand.Uint32())
	// config declares the bucket with expiration_days = days; force_destroy, which would make a replacement
	// erase the objects rather than move them, is set only for the test's destroy.
	config := func(days int, forceDestroy bool) string {
		return acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, fmt.Sprintf(`
  audit = {
    path             = %q
    signing_key_file = %q
  }`, trail, priv)) + fmt.Sprintf(`
resource "gdpr_key" "k" {
  description          = "timeline test"
  deletion_window_days = 7
}

resource "gdpr_bucket" "b" {
  bucket_prefix   = %q
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = %d
  on_replace      = "move_data"
  force_destroy   = %t
  lifecycle {
    create_before_destroy = true
  }
}

output "bucket" {
  value = gdpr_bucket.b.bucket
}`, prefix, days, forceDestroy)
	}
	days := 30
	w := acctest.NewWorkdir(t, config(days, false), runEnvironment...)
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	// Destroyed even when a check fails, so that no bucket or key outlives the test: force_destroy first,
	// a change of the state alone, since the bucket holds an object.
	defer func() {
		w.Write(config(days, true))
		w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
		w.MustTerraform("destroy", "-input=false", "-auto-approve", "-no-color")
	}()
	old := strings.TrimSpace(w.MustTerraform("output", "-raw", "bucket"))
	if _, err := acctest.S3(t, acctest.Region).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(old),
		Key: aws.String("records/1.json"), Body: strings.NewReader(`{"id":1}`)}); err != nil {
		t.Fatal(err)
	}
	days = 31
	w.Write(config(days, false))
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	replacement := strings.TrimSpace(w.MustTerraform("output", "-raw", "bucket"))
	if replacement == old {
		t.Fatalf("the bucket %s was not replaced", old)
	}

	run := runTimeline(t, trail, "--since", since, "--public-key", pub, "--format", "json")
	if run.code != 0 {
		t.Fatalf("audit timeline of the intact trail: exit %d, stderr %s", run.code, run.errOut)
	}
	var tl timelineJSON
	if err := json.Unmarshal([]byte(run.out), &tl); err != nil {
		t.Fatalf("the JSON timeline does not parse: %v\n%s", err, run.out)
	}
	// The key and the first bucket created, the bucket that replaced it created, the object moved into
	// it, and the old bucket deleted, in that order.
	want := []string{"create gdpr_key", "create gdpr_bucket " + old, "create gdpr_bucket " + replacement,
		"move gdpr_bucket " + old, "delete gdpr_bucket " + old}
	var got []string
	for i, e := range tl.Events {
		s := string(e.Event.Action) + " " + e.Event.ResourceType
		if e.Event.ResourceType == "gdpr_bucket" {
			s += " " + e.Event.CloudID
		}
		got = append(got, s)
		if e.Line != i+1 || e.Status != "verified" || e.Event.Region != acctest.Region || e.Event.Jurisdiction != "EU" ||
			e.Event.Time.Before(time.Now().Add(-10*time.Minute)) || !strings.Contains(e.Who, e.Event.CallerARN) ||
			e.Event.CallerARN == "" || !strings.Contains(e.Who, "HCP Terraform run run-audit-test") ||
			!strings.Contains(e.Who, "workspace acme/records-prod") || !strings.Contains(e.Who, "commit "+runCommit) {
			t.Errorf("event %d: line %d, %s, who %q, event %+v; want verified, in %s (EU), at the test's time, with the caller and the run",
				i, e.Line, e.Status, e.Who, e.Event, acctest.Region)
		}
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Fatalf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !tl.TrailVerified || tl.Counts.Events != 5 || tl.Counts.Verified != 5 || len(tl.Stores) != 3 {
		t.Errorf("trail verified %v, counts %+v, %d stores; want a verified trail of 5 events in 3 stores", tl.TrailVerified, tl.Counts, len(tl.Stores))
	}
	for _, s := range tl.Stores {
		if len(s.Regions) != 1 || s.Regions[0] != acctest.Region || len(s.Jurisdictions) != 1 || s.Jurisdictions[0] != "EU" {
			t.Errorf("store %s %s: regions %v, jurisdictions %v; want %s and EU", s.Kind, s.CloudID, s.Regions, s.Jurisdictions, acctest.Region)
		}
	}
	if len(tl.Replacements) != 1 || tl.Replacements[0].From != old || tl.Replacements[0].To != replacement ||
		tl.Replacements[0].CreateLine != 3 || tl.Replacements[0].MoveLine != 4 || tl.Replacements[0].DeleteLine != 5 {
		t.Errorf("replacements %+v; want %s replaced by %s through lines 3, 4 and 5", tl.Replacements, old, replacement)
	}
	markdown := runTimeline(t, trail, "--since", since, "--public-key", pub)
	t.Logf("audit timeline %s --since %s --public-key %s:\n%s", trail, since, pub, markdown.out)
	if line := fmt.Sprintf("\n1. bucket `%s` replaced by `%s`: the new bucket created (line 3), the data moved (line 4), the old one deleted (line 5).\n",
		old, replacement); markdown.code != 0 || !strings.Contains(markdown.out, line) ||
		!strings.Contains(markdown.out, "1 object (8 bytes) moved to `"+replacement+"`, each verified | verified |") {
		t.Errorf("the Markdown timeline: exit %d, want 0, with the replacement and the move:\n%s%s", markdown.code, markdown.out, markdown.errOut)
	}

	// An edited copy: the move claims another count of objects.
	raw, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(raw), "\n")
	if !strings.Contains(lines[3], `"moved_objects":"1"`) {
		t.Fatalf("line 4 is not the move of one object: %s", lines[3])
	}
	lines[3] = strings.Replace(lines[3], `"moved_objects":"1"`, `"moved_objects":"0"`, 1)
	tampered := filepath.Join(dir, "tampered.jsonl")
	if err := os.WriteFile(tampered, []byte(strings.Join(lines, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	run = runTimeline(t, tampered, "--since", since, "--public-key", pub, "--format", "json")
	tl = timelineJSON{}
	if err := json.Unmarshal([]byte(run.out), &tl); err != nil {
		t.Fatalf("the JSON timeline of the edited trail does not parse: %v\n%s", err, run.out)
	}
	if run.code != 1 || !strings.Contains(run.errOut, "UNVERIFIED "+tampered+": the trail does not verify, and 2 of the 5 events") {
		t.Errorf("audit timeline of the edited trail: exit %d, stderr %q; want 1, flagged", run.code, run.errOut)
	}
	var statuses []string
	for _, e := range tl.Events {
		reason, _, _ := strings.Cut(e.Reason, ":")
		statuses = append(statuses, strings.TrimSpace(fmt.Sprintf("%d %s %s", e.Line, e.Status, reason)))
	}
	wantStatuses := []string{"1 verified", "2 verified", "3 verified", "4 unverified the hash does not match the line's content",
		"5 unverified the chain is broken at line 4, before this event, so nothing vouches for it"}
	if strings.Join(statuses, "; ") != strings.Join(wantStatuses, "; ") {
		t.Errorf("statuses of the edited trail:\n%s\nwant:\n%s", strings.Join(statuses, "\n"), strings.Join(wantStatuses, "\n"))
	}
	if tl.TrailVerified || len(tl.Replacements) != 0 {
		t.Errorf("the edited trail: verified %v, replacements %+v; want unverified, and no replacement claimed", tl.TrailVerified, tl.Replacements)
	}
}
