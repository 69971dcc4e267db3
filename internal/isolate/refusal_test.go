package isolate_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccIsolateServer_refusesAnInstanceTheProviderDidNotLaunch invokes the action on an instance launched
// through the SDK, without gdpr_server's tag: with managed_only left at its default the invocation fails
// naming the instance and the way out, and EC2 shows nothing changed (its groups, its tags, no snapshot, no
// isolation group, no event); with managed_only = false the same instance, whose root volume is not
// encrypted at all, is isolated with its snapshot encrypted under the investigation's key.
func TestAccIsolateServer_refusesAnInstanceTheProviderDidNotLaunch(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	// A VPC of its own, so that no other test makes an isolation group in it meanwhile.
	id, vpc := runUnmanaged(t, newSubnet(t, "10.122.0.0/16"))
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := apply(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+keys+
		isolateAction("refused", fmt.Sprintf("%q", id), "")+
		isolateAction("allowed", fmt.Sprintf("%q", id), "    managed_only = false"))
	key := attribute(t, w, "gdpr_key.forensics", "arn")
	before := instance(t, id)
	groups, _ := groupsOf(before)
	hadIsolationGroup := len(isolationGroups(t, vpc)) > 0

	out, err := invoke(w, "refused")
	if err == nil || !regexp.MustCompile(`Not a server of this provider.*EC2 instance "`+id+`" does not carry the tag "gdpr:managed-by".*nothing was changed.*set managed_only = false`).MatchString(out) {
		t.Fatalf("the invocation on an unmanaged instance was not refused: %v\n%s", err, out)
	}
	after := instance(t, id)
	if got, _ := groupsOf(after); !slices.Equal(got, groups) {
		t.Errorf("the refused invocation moved instance %s from the groups %v to %v", id, groups, got)
	}
	if tags := tagsOf(after.Tags); tags["gdpr:incident"] != "" || tags["gdpr:isolated-at"] != "" {
		t.Errorf("the refused invocation tagged instance %s: %v", id, tags)
	}
	if s := snapshotsOf(t, id); len(s) != 0 {
		t.Errorf("the refused invocation took %d snapshots of %s", len(s), id)
	}
	if !hadIsolationGroup && len(isolationGroups(t, vpc)) != 0 {
		t.Errorf("the refused invocation created an isolation group in %s", vpc)
	}
	if e := isolateEvents(t, trail); len(e) != 0 {
		t.Errorf("the refused invocation recorded %d isolate events: %+v", len(e), e)
	}

	if out, err := invoke(w, "allowed"); err != nil {
		t.Fatalf("invoking with managed_only = false: %v\n%s", err, out)
	}
	checkIsolated(t, id, key)
	if e := isolateEvents(t, trail); len(e) != 1 || e[0].CloudID != id || e[0].Stopped != "" {
		t.Errorf("isolate events %+v, want one of %s, not stopped", e, id)
	}
}

// TestAccIsolateServer_refusesAGroupOfThatNameItDidNotMake puts a security group named gdpr-isolation,
// without the provider's tag and with EC2's allow-all egress rule, in the VPC of the instance: the
// invocation fails naming the group and what to do, and EC2 shows nothing changed (the instance's groups,
// the group's rule, no snapshot, no event). Once the group is tagged as the diagnostic says, the next
// invocation uses it: its rule is revoked and the instance isolated in it.
func TestAccIsolateServer_refusesAGroupOfThatNameItDidNotMake(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	ctx := context.Background()
	c := acctest.EC2(t, acctest.Region)
	id, vpc := runUnmanaged(t, newSubnet(t, "10.120.0.0/16"))
	g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("gdpr-isolation"),
		VpcId: aws.String(vpc), Description: aws.String("someone else's")})
	if err != nil {
		t.Fatalf("creating a group named gdpr-isolation: %v", err)
	}
	group := aws.ToString(g.GroupId)
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := apply(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+keys+
		isolateAction("any", fmt.Sprintf("%q", id), "    managed_only = false"))
	key := attribute(t, w, "gdpr_key.forensics", "arn")
	groups, _ := groupsOf(instance(t, id))

	out, err := invoke(w, "any")
	if err == nil || !regexp.MustCompile(`Isolation group name taken.*VPC `+vpc+` has a security group named "gdpr-isolation", `+group+
		`, that the provider did not make.*EC2 instance "`+id+`" was not isolated: nothing was changed.*tag it gdpr:isolation = true`).MatchString(out) {
		t.Fatalf("the invocation did not refuse the foreign group: %v\n%s", err, out)
	}
	if got, _ := groupsOf(instance(t, id)); !slices.Equal(got, groups) {
		t.Errorf("the refused invocation moved instance %s from the groups %v to %v", id, groups, got)
	}
	if gs := isolationGroups(t, vpc); len(gs) != 1 || len(gs[0].IpPermissionsEgress) != 1 {
		t.Errorf("the refused invocation changed the groups named gdpr-isolation: %+v", gs)
	}
	if s := snapshotsOf(t, id); len(s) != 0 {
		t.Errorf("the refused invocation took %d snapshots of %s", len(s), id)
	}
	if e := isolateEvents(t, trail); len(e) != 0 {
		t.Errorf("the refused invocation recorded %d isolate events: %+v", len(e), e)
	}

	if _, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{group},
		Tags: []ec2types.Tag{{Key: aws.String("gdpr:isolation"), Value: aws.String("true")}}}); err != nil {
		t.Fatalf("tagging %s: %v", group, err)
	}
	if out, err := invoke(w, "any"); err != nil {
		t.Fatalf("invoking once the group is tagged: %v\n%s", err, out)
	}
	if got, _ := checkIsolated(t, id, key); got != group {
		t.Errorf("isolated in %s, want the tagged group %s", got, group)
	}
}

// TestAccIsolateServer_auditTrailThatCannotTakeEventsChangesNothing configures an audit file in a directory
// that does not exist: the invocation fails with "Audit trail cannot take events", worded for an isolation,
// and EC2 shows the instance in its own groups, untagged, with no snapshot.
func TestAccIsolateServer_auditTrailThatCannotTakeEventsChangesNothing(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	body := keys + serverResource("test", "") + isolateAction("incident", "gdpr_server.test.id", "")
	w := apply(t, acctest.ProviderConfig(acctest.Region, "")+body)
	id := attribute(t, w, "gdpr_server.test", "id")
	groups, _ := groupsOf(instance(t, id))
	// The audit block comes only for the invocation, so the server's create and destroy are not stopped.
	w.Write(acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region,
		fmt.Sprintf("  audit = { path = %q }", filepath.Join(t.TempDir(), "missing", "audit.jsonl"))) + body)
	out, err := invoke(w, "incident")
	w.Write(acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, "") + body)
	if err == nil || !regexp.MustCompile(`Audit trail cannot take events.*The gdpr_isolate_server action cuts a server off from the network and keeps its disks as evidence, and every isolation is recorded in the audit trail.*so nothing is changed`).MatchString(out) {
		t.Errorf("the invocation did not stop for the audit trail: %v\n%s", err, out)
	}
	i := instance(t, id)
	if got, _ := groupsOf(i); !slices.Equal(got, groups) {
		t.Errorf("instance %s moved from the groups %v to %v", id, groups, got)
	}
	if tags := tagsOf(i.Tags); tags["gdpr:incident"] != "" {
		t.Errorf("instance %s was tagged: %v", id, tags)
	}
	if s := snapshotsOf(t, id); len(s) != 0 {
		t.Errorf("%d snapshots of %s were taken", len(s), id)
	}
}

// TestAccIsolateServer_unknownOrTerminatedInstanceIsAClearError invokes the action on an instance id EC2
// does not know, and on a terminated instance: each fails saying what was found and that
// nothing was changed, and neither leaves an isolation group, a snapshot or an event behind.
func TestAccIsolateServer_unknownOrTerminatedInstanceIsAClearError(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	id, vpc := runUnmanaged(t, newSubnet(t, "10.121.0.0/16"))
	if _, err := acctest.EC2(t, acctest.Region).TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatalf("terminating %s: %v", id, err)
	}
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := apply(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+keys+
		isolateAction("unknown", `"i-0123456789abcdef0"`, "")+
		isolateAction("terminated", fmt.Sprintf("%q", id), "    managed_only = false"))
	for action, want := range map[string]string{
		"unknown":    `Cannot find the server.*EC2 has no instance "i-0123456789abcdef0" in region eu-central-1 that the credentials can see, so nothing was changed`,
		"terminated": `Server already terminated.*EC2 instance "` + id + `" is terminated, so it has no network to cut off.*nothing was changed`,
	} {
		if out, err := invoke(w, action); err == nil || !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("invoking %s: %v, want an error matching %s\n%s", action, err, want, out)
		}
	}
	if gs := isolationGroups(t, vpc); len(gs) != 0 {
		t.Errorf("an isolation group was made in %s: %+v", vpc, gs)
	}
	if s := snapshotsOf(t, id); len(s) != 0 {
		t.Errorf("%d snapshots of the terminated %s were taken", len(s), id)
	}
	if e := isolateEvents(t, trail); len(e) != 0 {
		t.Errorf("%d isolate events were recorded: %+v", len(e), e)
	}
}

// TestAccIsolateServer_keyInAnotherRegionFailsAtPlan plans an invocation whose key is in another region
// than the provider's: the plan fails on kms_key_arn, naming both regions, before anything is invoked.
func TestAccIsolateServer_keyInAnotherRegionFailsAtPlan(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, "")+`
action "gdpr_isolate_server" "elsewhere" {
  config {
    server_id   = "i-0123456789abcdef0"
    incident_id = "INC-2026-0042"
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}
`)
	out, err := w.Terraform("plan", "-input=false", "-no-color", "-invoke=action.gdpr_isolate_server.elsewhere")
	out = strings.Join(strings.Fields(out), " ")
	if err == nil || !regexp.MustCompile(`Key in another region.*kms_key_arn = .*The key is in region us-east-1, and the server is isolated in the provider's region, eu-central-1`).MatchString(out) {
		t.Errorf("the plan with a key in another region did not fail on kms_key_arn: %v\n%s", err, out)
	}
}

// TestAccIsolateServer_badInputs plans every bad configuration of the action; each fails with the
// attribute's path, what is wrong and what is allowed, and nothing is invoked.
func TestAccIsolateServer_badInputs(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	action := func(serverID, incident, key string) string {
		return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
action "gdpr_isolate_server" "bad" {
  config {
    server_id   = %q
    incident_id = %q
    kms_key_arn = %q
  }
}
`, serverID, incident, key)
	}
	const server, incident, key = "i-0123456789abcdef0", "INC-2026-0042", "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	cases := map[string]struct{ config, want string }{
		"server id too short":                      {action("i-123", incident, key), `(?s)server_id.*must be an EC2 instance id: i- followed by 8 or 17 lower-case hexadecimal digits`},
		"server name, not id":                      {action("web-1", incident, key), `(?s)server_id.*must be an EC2 instance id`},
		"server id upper case":                     {action("i-0123456789ABCDEF0", incident, key), `(?s)server_id.*must be an EC2 instance id`},
		"empty incident id":                        {action(server, "", key), `(?s)Invalid value.*incident_id.*The value is 0 characters long; it becomes a tag's value, and must be 1 to 128 characters long`},
		"incident id too long":                     {action(server, strings.Repeat("x", 129), key), `(?s)Invalid value.*incident_id.*The value is 129 characters long.*1 to 128`},
		"incident id with a character tags refuse": {action(server, "INC#42", key), `(?s)Invalid value.*incident_id.*The value contains '#'; it becomes a tag's value, which may contain`},
		"key alias":                                {action(server, incident, "alias/forensics"), `(?s)kms_key_arn.*must be the ARN of a KMS key.*aliases are not accepted`},
		"key id":                                   {action(server, incident, "1234abcd-12ab-34cd-56ef-1234567890ab"), `(?s)kms_key_arn.*must be the ARN of a KMS key`},
	}
	var inputs []acctest.BadInput
	for name, c := range cases {
		inputs = append(inputs, acctest.BadInput{Kind: "action", Name: name, Config: c.config, Want: acctest.Wrapped(c.want)})
	}
	acctest.RunBadInputs(t, inputs, 8)
}

// runUnmanaged launches an instance through the SDK, as another tool would, in the subnet ("" for EC2's
// choice), terminated with the test, and returns its id and VPC.
func runUnmanaged(t *testing.T, subnet string) (id, vpc string) {
	t.Helper()
	c := acctest.EC2(t, acctest.Region)
	in := &ec2.RunInstancesInput{
		ImageId: aws.String(acctest.LinuxImage), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
	}
	if subnet != "" {
		in.SubnetId = aws.String(subnet)
	}
	out, err := c.RunInstances(context.Background(), in)
	if err != nil {
		t.Fatalf("launching an instance: %v", err)
	}
	id = aws.ToString(out.Instances[0].InstanceId)
	t.Cleanup(func() {
		if _, err := c.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
			t.Errorf("terminating %s: %v", id, err)
		}
	})
	return id, aws.ToString(instance(t, id).VpcId)
}
