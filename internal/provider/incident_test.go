package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// TestAccIncident_containRecoverReport runs the incident of the guide "Responding to an incident" through
// the Terraform CLI, with a signed audit trail: objects under a prefix written, a moment recorded, then one
// overwritten, one deleted, one added and a key outside the prefix changed; the server isolated with
// gdpr_isolate_server; the prefix restored to the moment with gdpr_restore_objects; the next apply replaces
// the isolated server. The emulator must show each key as it was at the moment, every later version kept,
// the isolated instance in a group with no rule and stopped; then audit timeline must list the isolation,
// the restore and the server's replacement, each verified, with who, where and when, and a copy of the
// trail whose restore was edited must be flagged unverified from that event on, with exit code 1.
func TestAccIncident_containRecoverReport(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	priv, pub := filepath.Join(dir, "signing.pem"), filepath.Join(dir, "signing.pub.pem")
	if err := audit.GenerateKeys(priv, pub); err != nil {
		t.Fatal(err)
	}
	trail := filepath.Join(dir, "audit.jsonl")
	bucket := fmt.Sprintf("incident-%08x", rand.Uint32())
	config := acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, fmt.Sprintf(`
  audit = {
    path             = %q
    signing_key_file = %q
  }`, trail, priv)) + fmt.Sprintf(`
resource "gdpr_key" "records" {
  description          = "incident test"
  deletion_window_days = 7
}

resource "gdpr_key" "forensics" {
  description          = "incident test evidence"
  deletion_window_days = 7
}

resource "gdpr_bucket" "records" {
  bucket          = %q
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 30
  force_destroy   = true
}

resource "gdpr_server" "crm" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.records.arn
}

action "gdpr_isolate_server" "crm" {
  config {
    server_id   = gdpr_server.crm.id
    incident_id = "INC-7"
    kms_key_arn = gdpr_key.forensics.arn
    stop        = true
  }
}

variable "restore_to" {
  type    = string
  default = "2000-01-01T00:00:00Z"
}

action "gdpr_restore_objects" "invoices" {
  config {
    bucket  = gdpr_bucket.records.bucket
    prefix  = "invoices/"
    to_time = var.restore_to
  }
}

output "server" {
  value = gdpr_server.crm.id
}`, bucket, acctest.LinuxImage)
	since := time.Now().UTC().Add(-time.Minute).Format(time.RFC3339)
	w := acctest.NewWorkdir(t, config)
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	defer w.MustTerraform("destroy", "-input=false", "-auto-approve", "-no-color")
	compromised := strings.TrimSpace(w.MustTerraform("output", "-raw", "server"))

	// Before the moment: three invoices and a key outside the prefix. S3 dates versions to the second, and
	// a version of the moment's second counts as written before it, so the writes after it wait a second.
	for key, body := range map[string]string{"invoices/a": "a1", "invoices/b": "b1", "invoices/c": "c1", "other/x": "x1"} {
		acctest.PutObject(t, bucket, key, body, nil)
	}
	time.Sleep(1100 * time.Millisecond)
	moment := time.Now().UTC().Truncate(time.Second)
	time.Sleep(1100 * time.Millisecond)
	s3c := acctest.S3(t, acctest.Region)
	acctest.PutObject(t, bucket, "invoices/a", "a2 encrypted by the attacker", nil)
	if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("invoices/b")}); err != nil {
		t.Fatal(err)
	}
	acctest.PutObject(t, bucket, "invoices/d", "ransom note", nil)
	acctest.PutObject(t, bucket, "other/x", "x2", nil)
	before, beforeMarkers := acctest.AllVersions(t, bucket)

	// Contain.
	if out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_isolate_server.crm"); err != nil {
		t.Fatalf("isolating the server: %v\n%s", err, out)
	}
	instance := describeInstance(t, compromised)
	if instance.State == nil || instance.State.Name != ec2types.InstanceStateNameStopped {
		t.Errorf("the isolated instance is %v, want stopped", instance.State)
	}
	var groups []string
	for _, ni := range instance.NetworkInterfaces {
		for _, g := range ni.Groups {
			groups = append(groups, aws.ToString(g.GroupId))
		}
	}
	if len(groups) != 1 {
		t.Fatalf("the isolated instance's interfaces are in the groups %v, want the isolation group alone", groups)
	}
	sg, err := acctest.EC2(t, acctest.Region).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: groups})
	if err != nil || len(sg.SecurityGroups) != 1 {
		t.Fatalf("describing the isolation group %v: %v", groups, err)
	}
	if g := sg.SecurityGroups[0]; aws.ToString(g.GroupName) != "gdpr-isolation" || len(g.IpPermissions) != 0 || len(g.IpPermissionsEgress) != 0 {
		t.Errorf("the isolation group %s (%s) has %d ingress and %d egress rules, want gdpr-isolation with none",
			aws.ToString(g.GroupId), aws.ToString(g.GroupName), len(g.IpPermissions), len(g.IpPermissionsEgress))
	}

	// Recover: the prefix back to the moment, then the apply that replaces the isolated server.
	if out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_restore_objects.invoices",
		"-var=restore_to="+moment.Format(time.RFC3339)); err != nil {
		t.Fatalf("restoring the invoices: %v\n%s", err, out)
	}
	for key, want := range map[string]string{"invoices/a": "a1", "invoices/b": "b1", "invoices/c": "c1", "invoices/d": "", "other/x": "x2"} {
		if got := objectBody(t, s3c, bucket, key); got != want {
			t.Errorf("%s holds %q after the restore, want %q (empty: not found)", key, got, want)
		}
	}
	after, afterMarkers := acctest.AllVersions(t, bucket)
	for _, v := range before {
		if !containsVersion(after, v) {
			t.Errorf("version %s of %s is gone after the restore: a restore deletes nothing", aws.ToString(v.VersionId), aws.ToString(v.Key))
		}
	}
	if len(after) != len(before)+2 || len(afterMarkers) != len(beforeMarkers)+1 {
		t.Errorf("the restore made %d versions and %d delete markers, want 2 (a and b) and 1 (d)",
			len(after)-len(before), len(afterMarkers)-len(beforeMarkers))
	}
	out := w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	replacement := strings.TrimSpace(w.MustTerraform("output", "-raw", "server"))
	if replacement == compromised || !strings.Contains(strings.Join(strings.Fields(out), " "), "INC-7") {
		t.Errorf("the apply after the isolation: server %s -> %s, want a new server, and a warning naming the incident:\n%s",
			compromised, replacement, out)
	}

	// Report.
	run := runTimeline(t, trail, "--since", since, "--public-key", pub, "--format", "json")
	if run.code != 0 {
		t.Fatalf("audit timeline of the intact trail: exit %d, stderr %s", run.code, run.errOut)
	}
	var tl timelineJSON
	if err := json.Unmarshal([]byte(run.out), &tl); err != nil {
		t.Fatalf("the JSON timeline does not parse: %v\n%s", err, run.out)
	}
	var response []string
	restoreLine := 0
	for _, e := range tl.Events {
		ev := e.Event
		if e.Status != "verified" || ev.CallerARN == "" || !strings.Contains(e.Who, ev.CallerARN) || ev.Region != acctest.Region ||
			ev.Jurisdiction != "EU" || ev.Time.Before(time.Now().Add(-10*time.Minute)) {
			t.Errorf("line %d: %s %s, %s, who %q, in %s (%s) at %s; want verified, with the caller, in %s (EU), at the test's time",
				e.Line, ev.Action, ev.ResourceType, e.Status, e.Who, ev.Region, ev.Jurisdiction, ev.Time, acctest.Region)
		}
		switch {
		case ev.Action == audit.Isolate:
			response = append(response, "isolate "+ev.CloudID)
			if ev.IncidentID != "INC-7" || ev.Stopped != "true" || ev.IsolationGroup != groups[0] || !strings.HasPrefix(ev.Snapshots, "snap-") {
				t.Errorf("the isolate event %+v, want incident INC-7, stopped, group %s, its snapshots", ev, groups[0])
			}
		case ev.Action == audit.Restore:
			response = append(response, "restore "+ev.CloudID)
			restoreLine = e.Line
			if ev.RestoredToTime != moment.Format(time.RFC3339) || ev.RestoredKeys != "2" || ev.HiddenKeys != "1" || ev.UnchangedKeys != "1" {
				t.Errorf("the restore event %+v, want to %s: 2 keys restored, 1 hidden, 1 unchanged", ev, moment.Format(time.RFC3339))
			}
		case ev.ResourceType == "gdpr_server" && ev.CloudID == replacement && ev.Action == audit.Create:
			response = append(response, "create "+ev.CloudID)
		case ev.ResourceType == "gdpr_server" && ev.CloudID == compromised && ev.Action == audit.Delete:
			response = append(response, "delete "+ev.CloudID)
		}
	}
	want := []string{"isolate " + compromised, "restore " + bucket}
	if len(response) != 4 || strings.Join(response[:2], ", ") != strings.Join(want, ", ") ||
		!containsAll(response[2:], "create "+replacement, "delete "+compromised) {
		t.Errorf("the timeline's events of the response: %v; want %v, then the create of %s and the delete of %s",
			response, want, replacement, compromised)
	}

	// An edited trail: the restore claims other counts.
	raw, err := os.ReadFile(trail)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(raw), `"restored_keys":"2"`, `"restored_keys":"5"`, 1)
	if edited == string(raw) {
		t.Fatalf("the trail holds no restore event to edit:\n%s", raw)
	}
	copyPath := filepath.Join(dir, "edited.jsonl")
	if err := os.WriteFile(copyPath, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	run = runTimeline(t, copyPath, "--since", since, "--public-key", pub, "--format", "json")
	tl = timelineJSON{}
	if err := json.Unmarshal([]byte(run.out), &tl); err != nil {
		t.Fatalf("the JSON timeline of the edited trail does not parse: %v\n%s", err, run.out)
	}
	if run.code != 1 || tl.TrailVerified {
		t.Errorf("audit timeline of the edited trail: exit %d, trail verified %v; want exit 1, not verified", run.code, tl.TrailVerified)
	}
	for _, e := range tl.Events {
		if wantStatus := map[bool]string{true: "unverified", false: "verified"}[e.Line >= restoreLine]; e.Status != wantStatus {
			t.Errorf("edited trail, line %d (%s): %s (%s), want %s", e.Line, e.Event.Action, e.Status, e.Reason, wantStatus)
		}
	}
}

// describeInstance describes one instance in the emulator.
func describeInstance(t *testing.T, id string) ec2types.Instance {
	t.Helper()
	out, err := acctest.EC2(t, acctest.Region).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("describing instance %s: %v", id, err)
	}
	return out.Reservations[0].Instances[0]
}

// objectBody reads the current version of the key, or "" when S3 answers that it has none.
func objectBody(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "NoSuchKey" {
		return ""
	}
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return string(body)
}

// containsVersion reports whether versions lists v, by key and version id.
func containsVersion(versions []s3types.ObjectVersion, v s3types.ObjectVersion) bool {
	return slices.ContainsFunc(versions, func(o s3types.ObjectVersion) bool {
		return aws.ToString(o.Key) == aws.ToString(v.Key) && aws.ToString(o.VersionId) == aws.ToString(v.VersionId)
	})
}

// containsAll reports whether list holds every one of want.
func containsAll(list []string, want ...string) bool {
	for _, w := range want {
		if !slices.Contains(list, w) {
			return false
		}
	}
	return true
}
