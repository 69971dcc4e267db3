package isolate_test

// Helpers that only the isolation action's tests use: configurations, and checks that ask EC2 rather than
// the state.

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// keys are the key that encrypts the servers' disks and the key kept for the investigation.
const keys = `
resource "gdpr_key" "disks" {
  description          = "server disks"
  deletion_window_days = 7
}

resource "gdpr_key" "forensics" {
  description          = "forensic evidence"
  deletion_window_days = 7
}
`

// serverResource is a gdpr_server named name, in the given subnet ("" for EC2's choice).
func serverResource(name, subnet string) string {
	subnetLine := ""
	if subnet != "" {
		subnetLine = fmt.Sprintf("  subnet_id     = %q\n", subnet)
	}
	return fmt.Sprintf(`
resource "gdpr_server" %q {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.disks.arn
%s}
`, name, acctest.LinuxImage, subnetLine)
}

// isolateAction is an action block isolating serverID (an expression); config holds further arguments.
func isolateAction(name, serverID, config string) string {
	return fmt.Sprintf(`
action "gdpr_isolate_server" %q {
  config {
    server_id   = %s
    incident_id = "INC-2026-0042"
    kms_key_arn = gdpr_key.forensics.arn
%s
  }
}
`, name, serverID, config)
}

// invoke runs terraform apply -invoke for the action and returns its output with line breaks folded.
func invoke(w *acctest.Workdir, name string) (string, error) {
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_isolate_server."+name)
	return strings.Join(strings.Fields(out), " "), err
}

// apply applies config in a fresh working directory and destroys it at the end of the test.
func apply(t *testing.T, config string) *acctest.Workdir {
	t.Helper()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+config)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	return w
}

// attribute reads one attribute of a resource from the working directory's state.
func attribute(t *testing.T, w *acctest.Workdir, addr, name string) string {
	t.Helper()
	out := w.MustTerraform("state", "show", "-no-color", addr)
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if ok && strings.TrimSpace(k) == name {
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	t.Fatalf("%s has no attribute %s:\n%s", addr, name, out)
	return ""
}

// instance describes the instance in EC2.
func instance(t *testing.T, id string) ec2types.Instance {
	t.Helper()
	out, err := acctest.EC2(t, acctest.Region).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("describing instance %s: %v", id, err)
	}
	return out.Reservations[0].Instances[0]
}

// groupsOf are the ids of the security groups EC2 reports for the instance itself and for each of its
// network interfaces, each list sorted.
func groupsOf(i ec2types.Instance) (own []string, perInterface map[string][]string) {
	for _, g := range i.SecurityGroups {
		own = append(own, aws.ToString(g.GroupId))
	}
	sort.Strings(own)
	perInterface = map[string][]string{}
	for _, n := range i.NetworkInterfaces {
		var gs []string
		for _, g := range n.Groups {
			gs = append(gs, aws.ToString(g.GroupId))
		}
		sort.Strings(gs)
		perInterface[aws.ToString(n.NetworkInterfaceId)] = gs
	}
	return own, perInterface
}

// tagsOf turns EC2 tags into a map.
func tagsOf(tags []ec2types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

// isolationGroups are the security groups of the VPC named gdpr-isolation.
func isolationGroups(t *testing.T, vpc string) []ec2types.SecurityGroup {
	t.Helper()
	out, err := acctest.EC2(t, acctest.Region).DescribeSecurityGroups(context.Background(), &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}},
		{Name: aws.String("group-name"), Values: []string{"gdpr-isolation"}},
	}})
	if err != nil {
		t.Fatalf("describing the isolation group of %s: %v", vpc, err)
	}
	return out.SecurityGroups
}

// snapshotsOf are the snapshots tagged as forensics of the instance, intermediates included.
func snapshotsOf(t *testing.T, id string) []ec2types.Snapshot {
	t.Helper()
	out, err := acctest.EC2(t, acctest.Region).DescribeSnapshots(context.Background(), &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"},
		Filters:  []ec2types.Filter{{Name: aws.String("tag:gdpr:forensics-for"), Values: []string{id}}},
	})
	if err != nil {
		t.Fatalf("describing the snapshots of %s: %v", id, err)
	}
	return out.Snapshots
}

// volumesOf are the ids of the instance's EBS volumes, sorted.
func volumesOf(i ec2types.Instance) []string {
	var ids []string
	for _, b := range i.BlockDeviceMappings {
		if b.Ebs != nil {
			ids = append(ids, aws.ToString(b.Ebs.VolumeId))
		}
	}
	slices.Sort(ids)
	return ids
}

// checkIsolated asks EC2 whether the instance is isolated for the incident as the action promises: the
// VPC's one isolation group, tagged, with no rule at all, is the only group of the instance and of each of
// its interfaces; each volume has exactly one forensic snapshot, complete, encrypted under key, tagged,
// shared with no one, and no intermediate is left; the instance carries the incident's tags. It returns
// the group's id and the snapshots' ids, in the order of the volumes.
func checkIsolated(t *testing.T, id, key string) (group string, snapshots []string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.EC2(t, acctest.Region)
	i := instance(t, id)
	groups := isolationGroups(t, aws.ToString(i.VpcId))
	if len(groups) != 1 {
		t.Fatalf("VPC %s has %d groups named gdpr-isolation, want one", aws.ToString(i.VpcId), len(groups))
	}
	g := groups[0]
	group = aws.ToString(g.GroupId)
	if len(g.IpPermissions) != 0 || len(g.IpPermissionsEgress) != 0 {
		t.Errorf("the isolation group %s has %d ingress and %d egress rules, want none: %+v %+v", group,
			len(g.IpPermissions), len(g.IpPermissionsEgress), g.IpPermissions, g.IpPermissionsEgress)
	}
	if tagsOf(g.Tags)["gdpr:isolation"] == "" {
		t.Errorf("the isolation group %s lacks the tag gdpr:isolation: %v", group, tagsOf(g.Tags))
	}
	own, nics := groupsOf(i)
	if !slices.Equal(own, []string{group}) {
		t.Errorf("instance %s is in the groups %v, want only the isolation group %s", id, own, group)
	}
	if len(nics) == 0 {
		t.Errorf("instance %s has no network interface", id)
	}
	for nic, gs := range nics {
		if !slices.Equal(gs, []string{group}) {
			t.Errorf("network interface %s is in the groups %v, want only the isolation group %s", nic, gs, group)
		}
	}
	tags := tagsOf(i.Tags)
	if tags["gdpr:incident"] != "INC-2026-0042" || tags["gdpr:isolated-at"] == "" {
		t.Errorf("instance %s is tagged %v, want gdpr:incident = INC-2026-0042 and gdpr:isolated-at", id, tags)
	}
	byVolume := map[string][]ec2types.Snapshot{}
	for _, s := range snapshotsOf(t, id) {
		st := tagsOf(s.Tags)
		if _, mid := st["gdpr:forensics-intermediate"]; mid {
			t.Errorf("intermediate snapshot %s is left", aws.ToString(s.SnapshotId))
			continue
		}
		byVolume[st["gdpr:forensics-volume"]] = append(byVolume[st["gdpr:forensics-volume"]], s)
	}
	for _, v := range volumesOf(i) {
		if len(byVolume[v]) != 1 {
			t.Errorf("volume %s has %d forensic snapshots, want one", v, len(byVolume[v]))
			continue
		}
		s := byVolume[v][0]
		sid := aws.ToString(s.SnapshotId)
		snapshots = append(snapshots, sid)
		if s.State != ec2types.SnapshotStateCompleted || !aws.ToBool(s.Encrypted) || aws.ToString(s.KmsKeyId) != key {
			t.Errorf("snapshot %s of %s is %s, encrypted %v under %q, want completed and encrypted under %s", sid, v, s.State,
				aws.ToBool(s.Encrypted), aws.ToString(s.KmsKeyId), key)
		}
		if st := tagsOf(s.Tags); st["gdpr:incident"] != "INC-2026-0042" || st["gdpr:forensics-for"] != id {
			t.Errorf("snapshot %s is tagged %v", sid, st)
		}
		attr, err := c.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: aws.String(sid),
			Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission})
		if err != nil || len(attr.CreateVolumePermissions) != 0 {
			t.Errorf("snapshot %s: create-volume permissions %+v (%v), want none", sid, attr, err)
		}
	}
	if len(snapshots) == 0 {
		t.Errorf("instance %s has no forensic snapshot", id)
	}
	temporary, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{Filters: []ec2types.Filter{
		{Name: aws.String("tag:gdpr:forensics-for"), Values: []string{id}}}})
	if err != nil {
		t.Fatalf("listing the volumes made for the forensics of %s: %v", id, err)
	}
	for _, v := range temporary.Volumes {
		t.Errorf("temporary volume %s (%s) is left, tagged %v", aws.ToString(v.VolumeId), v.State, tagsOf(v.Tags))
	}
	return group, snapshots
}

// isolateEvents are the trail's isolate events.
func isolateEvents(t *testing.T, trail string) []audit.Event {
	t.Helper()
	var out []audit.Event
	for _, e := range acctest.AuditEvents(t, trail) {
		if e.Action == audit.Isolate {
			out = append(out, e)
		}
	}
	return out
}
