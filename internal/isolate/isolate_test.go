package isolate_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccIsolateServer_containsKeepsEvidenceThenTheNextApplyReplaces isolates a gdpr_server whose disk is
// under another key than the investigation's, with stop = true, and asks EC2 for the outcome: the VPC's
// isolation group allows nothing in or out and is the instance's only group, the root volume's snapshot is
// complete, encrypted under the investigation's key, tagged and shared with no one, the intermediate
// snapshot under the disk's key is gone, the instance is tagged and stopped; one isolate event names all of
// it. Invoked again, it makes nothing twice. Then the next plan warns that the server's security groups and
// tags changed outside Terraform and replaces it; the apply makes a new instance and the snapshot stays.
func TestAccIsolateServer_containsKeepsEvidenceThenTheNextApplyReplaces(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	config := acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail)) + keys +
		serverResource("test", "") + isolateAction("incident", "gdpr_server.test.id", "    stop = true")
	w := apply(t, config)
	id := attribute(t, w, "gdpr_server.test", "id")
	key := attribute(t, w, "gdpr_key.forensics", "arn")
	before := time.Now().UTC().Truncate(time.Second)

	out, err := invoke(w, "incident")
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	for _, want := range []string{`cutting instance ` + id + ` off`, `re-encrypting the snapshot of volume`, `stopping instance ` + id} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(out) {
			t.Errorf("the invocation showed no progress message %q:\n%s", want, out)
		}
	}
	group, snapshots := checkIsolated(t, id, key)
	i := instance(t, id)
	if i.State == nil || i.State.Name != ec2types.InstanceStateNameStopped {
		t.Errorf("instance %s is %v, want stopped", id, i.State)
	}
	at, err := time.Parse(time.RFC3339, tagsOf(i.Tags)["gdpr:isolated-at"])
	if err != nil || at.Before(before) || at.After(time.Now().Add(time.Second)) {
		t.Errorf("gdpr:isolated-at is %q (%v), want a UTC RFC 3339 time of the invocation", tagsOf(i.Tags)["gdpr:isolated-at"], err)
	}

	events := isolateEvents(t, trail)
	if len(events) != 1 {
		t.Fatalf("%d isolate events, want one: %+v", len(events), events)
	}
	e := events[0]
	if e.ResourceType != "gdpr_isolate_server" || e.CloudID != id || e.IncidentID != "INC-2026-0042" || e.IsolationGroup != group ||
		e.Stopped != "true" || e.Snapshots != snapshots[0] || e.Region != acctest.Region || e.Jurisdiction != "EU" || len(e.ArgumentsSHA256) != 64 {
		t.Errorf("isolate event %+v, want instance %s, group %s, snapshot %s, stopped", e, id, group, snapshots[0])
	}

	// The refresh of the next Terraform run finds the isolation and names what changed.
	if out, err := acctest.Plan(t, w); err != nil || !regexp.MustCompile(`Changed outside Terraform.*The security_group_ids, tags of gdpr_server "`+id+`" changed outside Terraform`).MatchString(out) {
		t.Errorf("the first plan after the isolation does not warn that the server changed outside Terraform: %v\n%s", err, out)
	}

	// A second invocation finds everything done: the same group and snapshot, nothing new.
	if out, err := invoke(w, "incident"); err != nil {
		t.Fatalf("invoking again: %v\n%s", err, out)
	}
	if g, s := checkIsolated(t, id, key); g != group || !slices.Equal(s, snapshots) {
		t.Errorf("after invoking again: group %s and snapshots %v, want %s and %v", g, s, group, snapshots)
	}
	if got := tagsOf(instance(t, id).Tags)["gdpr:isolated-at"]; got != at.Format(time.RFC3339) {
		t.Errorf("invoking again changed gdpr:isolated-at from %s to %s", at.Format(time.RFC3339), got)
	}

	out, err = acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`Isolated server will be replaced.*EC2 instance "` + id + `" was isolated for incident "INC-2026-0042" at ` +
		at.Format(time.RFC3339) + ` by gdpr_isolate_server: its security groups and tags changed outside Terraform`).MatchString(out) {
		t.Errorf("the plan does not say that the server was isolated, and for which incident:\n%s", out)
	}
	if !regexp.MustCompile(`gdpr_server\.test must be replaced`).MatchString(out) {
		t.Errorf("the plan does not replace the isolated server:\n%s", out)
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	if next := attribute(t, w, "gdpr_server.test", "id"); next == id {
		t.Errorf("the apply kept instance %s, want a new one", id)
	}
	if left := snapshotsOf(t, id); len(left) != len(snapshots) {
		t.Errorf("after the replacement %d forensic snapshots of %s are left, want %d", len(left), id, len(snapshots))
	}
}
