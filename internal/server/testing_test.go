package server_test

// Helpers of the gdpr_server tests: configurations, checks that ask EC2 rather than the state, and ways to
// change a server behind Terraform's back.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

const serverAddr = "gdpr_server.test"

// serverConfig is a provider block, two keys (a and b) and a server whose root volume uses key a unless
// the body says otherwise.
func serverConfig(body string) string {
	if !strings.Contains(body, "kms_key_arn") {
		body = "  kms_key_arn = gdpr_key.a.arn\n" + body
	}
	return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_key" "a" {
  description          = "server disks"
  deletion_window_days = 7
}

resource "gdpr_key" "b" {
  description          = "other server disks"
  deletion_window_days = 7
}

resource "gdpr_server" "test" {
%s
}
`, body)
}

// writeOnly skips a test on a CLI that cannot send write-only attributes.
var writeOnly = []tfversion.TerraformVersionCheck{acctest.WriteOnly}

// secretNotInPlan fails when the secret appears in the plan as Terraform shows it, or anywhere in the saved
// plan file (a zip archive: every entry is searched).
type secretNotInPlan struct{ secret, dir string }

func (c secretNotInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	if resp.Error = secretInJSON(req.Plan, c.secret, "plan"); resp.Error != nil {
		return
	}
	resp.Error = searchFiles(c.dir, "tfplan", c.secret, func(path string) ([][]byte, error) {
		r, err := zip.OpenReader(path)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		var entries [][]byte
		for _, f := range r.File {
			rc, err := f.Open()
			if err != nil {
				return nil, err
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
			entries = append(entries, b)
		}
		return entries, nil
	})
}

// secretNotInState fails when the secret appears in the state as Terraform shows it, or in the state file.
type secretNotInState struct{ secret, dir string }

func (c secretNotInState) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	if resp.Error = secretInJSON(req.State, c.secret, "state"); resp.Error != nil {
		return
	}
	resp.Error = searchFiles(c.dir, "terraform.tfstate", c.secret, func(path string) ([][]byte, error) {
		b, err := os.ReadFile(path)
		return [][]byte{b}, err
	})
}

// secretInJSON fails when the secret appears in v, a plan or state as Terraform shows it, marshalled.
func secretInJSON(v any, secret, what string) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if bytes.Contains(raw, []byte(secret)) {
		return fmt.Errorf("the user data appears in the %s", what)
	}
	return nil
}

// searchFiles reads every file called name under dir and fails when one holds the secret, or when there is
// no such file at all (then the check proved nothing).
func searchFiles(dir, name, secret string, read func(string) ([][]byte, error)) error {
	found := 0
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != name {
			return err
		}
		found++
		contents, err := read(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		for _, c := range contents {
			if bytes.Contains(c, []byte(secret)) {
				return fmt.Errorf("the user data appears in %s", path)
			}
		}
		return nil
	})
	if err == nil && found == 0 {
		err = fmt.Errorf("no %s file under %s to search", name, dir)
	}
	return err
}

// serverWant is what an instance made by gdpr_server must look like in EC2.
type serverWant struct {
	image, instanceType, key, subnet string
	groups                           []string
	sizeGB                           int32
	volumeType, rootDevice           string
	userData                         string
	tags                             map[string]string
}

// checkServerInEmulator asks EC2 directly, not the state, whether the instance is what was configured and
// keeps every guarantee. It returns the instance for further checks.
func checkServerInEmulator(t *testing.T, id string, want serverWant) (*ec2types.Instance, error) {
	ctx := context.Background()
	client := acctest.EC2(t, acctest.Region)
	i, err := describeInstance(ctx, client, id)
	if err != nil {
		return nil, err
	}
	var groups []string
	for _, n := range i.NetworkInterfaces {
		for _, g := range n.Groups {
			groups = append(groups, aws.ToString(g.GroupId))
		}
	}
	sort.Strings(groups)
	switch {
	case i.State.Name != ec2types.InstanceStateNameRunning:
		return i, fmt.Errorf("state = %s, want running", i.State.Name)
	case aws.ToString(i.ImageId) != want.image:
		return i, fmt.Errorf("image = %s, want %s", aws.ToString(i.ImageId), want.image)
	case string(i.InstanceType) != want.instanceType:
		return i, fmt.Errorf("instance type = %s, want %s", i.InstanceType, want.instanceType)
	case want.subnet != "" && aws.ToString(i.SubnetId) != want.subnet:
		return i, fmt.Errorf("subnet = %s, want %s", aws.ToString(i.SubnetId), want.subnet)
	case want.groups != nil && !slices.Equal(groups, want.groups):
		return i, fmt.Errorf("security groups = %v, want %v", groups, want.groups)
	case i.PublicIpAddress != nil:
		return i, fmt.Errorf("the instance has the public IP address %s", aws.ToString(i.PublicIpAddress))
	case i.MetadataOptions == nil || i.MetadataOptions.HttpTokens != ec2types.HttpTokensStateRequired ||
		aws.ToInt32(i.MetadataOptions.HttpPutResponseHopLimit) != 1 || i.MetadataOptions.HttpEndpoint != ec2types.InstanceMetadataEndpointStateEnabled:
		return i, fmt.Errorf("metadata options = %+v, want tokens required, hop limit 1, endpoint enabled", i.MetadataOptions)
	case aws.ToString(i.RootDeviceName) != want.rootDevice:
		return i, fmt.Errorf("root device = %s, want %s", aws.ToString(i.RootDeviceName), want.rootDevice)
	case len(i.BlockDeviceMappings) != 1:
		return i, fmt.Errorf("%d block devices, want only the root volume", len(i.BlockDeviceMappings))
	}
	tags := map[string]string{}
	for _, tag := range i.Tags {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	// The instance carries the provider's mark of its servers too, which gdpr_isolate_server looks for; its
	// root volume does not.
	wantTags := maps.Clone(want.tags)
	if wantTags == nil {
		wantTags = map[string]string{}
	}
	wantTags["gdpr:managed-by"] = "gdpr_server"
	if !maps.Equal(tags, wantTags) {
		return i, fmt.Errorf("tags = %v, want %v", tags, wantTags)
	}

	root := i.BlockDeviceMappings[0]
	if aws.ToString(root.DeviceName) != want.rootDevice || !aws.ToBool(root.Ebs.DeleteOnTermination) {
		return i, fmt.Errorf("root mapping %s, delete on termination %v; want %s, true", aws.ToString(root.DeviceName), aws.ToBool(root.Ebs.DeleteOnTermination), want.rootDevice)
	}
	vols, err := client.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{aws.ToString(root.Ebs.VolumeId)}})
	if err != nil {
		return i, err
	}
	v := vols.Volumes[0]
	switch {
	case !aws.ToBool(v.Encrypted):
		return i, errors.New("the root volume is not encrypted")
	case aws.ToString(v.KmsKeyId) != want.key:
		return i, fmt.Errorf("root volume key = %s, want %s", aws.ToString(v.KmsKeyId), want.key)
	case aws.ToInt32(v.Size) != want.sizeGB:
		return i, fmt.Errorf("root volume size = %d, want %d", aws.ToInt32(v.Size), want.sizeGB)
	case string(v.VolumeType) != want.volumeType:
		return i, fmt.Errorf("root volume type = %s, want %s", v.VolumeType, want.volumeType)
	}
	volTags := map[string]string{}
	for _, tag := range v.Tags {
		volTags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if !maps.Equal(volTags, want.tags) {
		return i, fmt.Errorf("root volume tags = %v, want %v", volTags, want.tags)
	}

	shutdown, err := client.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: &id, Attribute: ec2types.InstanceAttributeNameInstanceInitiatedShutdownBehavior})
	if err != nil {
		return i, err
	}
	if got := aws.ToString(shutdown.InstanceInitiatedShutdownBehavior.Value); got != "stop" {
		return i, fmt.Errorf("shutdown behaviour = %s, want stop", got)
	}
	ud, err := client.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: &id, Attribute: ec2types.InstanceAttributeNameUserData})
	if err != nil {
		return i, err
	}
	got := ""
	if ud.UserData != nil && ud.UserData.Value != nil {
		b, err := base64.StdEncoding.DecodeString(aws.ToString(ud.UserData.Value))
		if err != nil {
			return i, fmt.Errorf("user data is not base64: %w", err)
		}
		got = string(b)
	}
	if got != want.userData {
		return i, fmt.Errorf("the instance's user data is not the configured script (%d bytes, want %d)", len(got), len(want.userData))
	}
	return i, nil
}

func describeInstance(ctx context.Context, client *ec2.Client, id string) (*ec2types.Instance, error) {
	out, err := client.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, fmt.Errorf("describing instance %s: %w", id, err)
	}
	if len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0 {
		return nil, fmt.Errorf("instance %s not found", id)
	}
	return &out.Reservations[0].Instances[0], nil
}

func rootVolumeID(i *ec2types.Instance) string {
	for _, b := range i.BlockDeviceMappings {
		if aws.ToString(b.DeviceName) == aws.ToString(i.RootDeviceName) && b.Ebs != nil {
			return aws.ToString(b.Ebs.VolumeId)
		}
	}
	return ""
}

// checkServersTerminated checks in EC2 that destroy terminated every instance the test made, and that the
// root volume captured in volume (when set) is gone with it.
func checkServersTerminated(t *testing.T, ids *[]string, id, volume *string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		all := slices.Clone(*ids)
		if *id != "" {
			all = append(all, *id)
		}
		if len(all) == 0 {
			return errors.New("no instance id was captured")
		}
		ctx := context.Background()
		client := acctest.EC2(t, acctest.Region)
		for _, i := range all {
			inst, err := describeInstance(ctx, client, i)
			if err != nil {
				return err
			}
			if inst.State.Name != ec2types.InstanceStateNameTerminated {
				return fmt.Errorf("instance %s is %s after destroy, want terminated", i, inst.State.Name)
			}
		}
		if *volume != "" {
			_, err := client.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{*volume}})
			if err == nil {
				return fmt.Errorf("root volume %s still exists after destroy", *volume)
			}
		}
		return nil
	}
}

// defaultSubnets returns the default subnets of the test region, sorted by availability zone.
func defaultSubnets(t *testing.T) []string {
	t.Helper()
	acctest.RequireEmulator(t)
	out, err := acctest.EC2(t, acctest.Region).DescribeSubnets(context.Background(), &ec2.DescribeSubnetsInput{
		Filters: []ec2types.Filter{{Name: aws.String("default-for-az"), Values: []string{"true"}}},
	})
	if err != nil {
		t.Fatalf("listing the default subnets: %v", err)
	}
	sort.Slice(out.Subnets, func(i, j int) bool {
		return aws.ToString(out.Subnets[i].AvailabilityZone) < aws.ToString(out.Subnets[j].AvailabilityZone)
	})
	var ids []string
	for _, s := range out.Subnets {
		ids = append(ids, aws.ToString(s.SubnetId))
	}
	if len(ids) < 2 {
		t.Fatalf("the emulator has %d default subnets in %s, want at least 2", len(ids), acctest.Region)
	}
	return ids
}

// createSecurityGroup makes a security group in the default VPC, as a network team would outside this
// configuration.
func createSecurityGroup(t *testing.T) string {
	t.Helper()
	acctest.RequireEmulator(t)
	out, err := acctest.EC2(t, acctest.Region).CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(randomName(t)),
		Description: aws.String("gdpr_server acceptance test"),
	})
	if err != nil {
		t.Fatalf("creating a security group: %v", err)
	}
	return aws.ToString(out.GroupId)
}

// randomName is a name unique to this test run, for things the emulator keeps across tests.
func randomName(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "gdpr-test-" + hex.EncodeToString(b)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

type ec2Change func(ctx context.Context, c *ec2.Client, id string) error

// serverDrift changes the server behind Terraform's back and then expects the same configuration to plan a
// replacement, which the apply carries out: the server in state afterwards is a new one.
func serverDrift(t *testing.T, ids *[]string, config, named string, change ec2Change) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			id := (*ids)[len(*ids)-1]
			if err := change(context.Background(), acctest.EC2(t, acctest.Region), id); err != nil {
				t.Fatalf("changing instance %s out of band: %v", id, err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionReplace)},
		},
		Check: resource.ComposeTestCheckFunc(acctest.AppendID(serverAddr, ids), func(*terraform.State) error {
			if n := len(*ids); (*ids)[n-1] == (*ids)[n-2] {
				return fmt.Errorf("instance %s was kept after a change of its %s", (*ids)[n-1], named)
			}
			return nil
		}),
	}
}

// stopped wraps a change that EC2 allows only on a stopped instance: stop, change, start again, as an
// operator resizing a server by hand would.
func stopped(change ec2Change) ec2Change {
	return func(ctx context.Context, c *ec2.Client, id string) error {
		if _, err := c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}}); err != nil {
			return err
		}
		if err := ec2.NewInstanceStoppedWaiter(c).Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 5*time.Minute); err != nil {
			return err
		}
		if err := change(ctx, c, id); err != nil {
			return err
		}
		_, err := c.StartInstances(ctx, &ec2.StartInstancesInput{InstanceIds: []string{id}})
		return err
	}
}

// readServer reads a gdpr_server with the given state through the provider's protocol server, configured
// for the emulator, and returns the diagnostics Terraform would print.
func readServer(t *testing.T, state map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	ctx := context.Background()
	server, err := acctest.ProtoV6ProviderFactories["gdpr"]()
	if err != nil {
		t.Fatal(err)
	}
	schemas, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	providerType, ok := schemas.Provider.ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the provider schema is not an object")
	}
	endpoint := tftypes.NewValue(tftypes.String, acctest.Endpoint())
	endpoints := providerType.AttributeTypes["endpoints"]
	config := objectValue(t, providerType, map[string]tftypes.Value{
		"region":     tftypes.NewValue(tftypes.String, acctest.Region),
		"access_key": tftypes.NewValue(tftypes.String, "testing"),
		"secret_key": tftypes.NewValue(tftypes.String, "testing"),
		"endpoints": tftypes.NewValue(endpoints, map[string]tftypes.Value{
			"kms": endpoint, "s3": endpoint, "ec2": endpoint, "sts": endpoint, "rds": endpoint,
		}),
	})
	providerConfig := dynamicValue(t, config)
	configured, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &providerConfig})
	if err != nil || len(configured.Diagnostics) > 0 {
		t.Fatalf("configuring the provider: %v %v", err, configured.Diagnostics)
	}
	serverType, ok := schemas.ResourceSchemas["gdpr_server"].ValueType().(tftypes.Object)
	if !ok {
		t.Fatal("the gdpr_server schema is not an object")
	}
	current := dynamicValue(t, objectValue(t, serverType, state))
	resp, err := server.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "gdpr_server", CurrentState: &current})
	if err != nil {
		t.Fatal(err)
	}
	return resp.Diagnostics
}

// objectValue builds an object of the given type from the values given, with every other attribute null.
func objectValue(t *testing.T, typ tftypes.Object, vals map[string]tftypes.Value) tftypes.Value {
	t.Helper()
	all := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		all[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range vals {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("no attribute %s", name)
		}
		all[name] = v
	}
	return tftypes.NewValue(typ, all)
}

func dynamicValue(t *testing.T, v tftypes.Value) tfprotov6.DynamicValue {
	t.Helper()
	dv, err := tfprotov6.NewDynamicValue(v.Type(), v)
	if err != nil {
		t.Fatal(err)
	}
	return dv
}

// expectDiagnostic fails unless one diagnostic has the severity and summary, and a detail containing want.
func expectDiagnostic(t *testing.T, diags []*tfprotov6.Diagnostic, severity tfprotov6.DiagnosticSeverity, summary, want string) {
	t.Helper()
	for _, d := range diags {
		if d.Severity == severity && d.Summary == summary && strings.Contains(d.Detail, want) {
			return
		}
	}
	var got []string
	for _, d := range diags {
		got = append(got, fmt.Sprintf("%s %q: %q", d.Severity, d.Summary, d.Detail))
	}
	t.Errorf("no %s %q containing %q; got %v", severity, summary, want, got)
}

// runInstance launches an instance directly in the emulator, as someone outside Terraform would, and
// terminates it when the test ends.
func runInstance(t *testing.T, in *ec2.RunInstancesInput) string {
	t.Helper()
	acctest.RequireEmulator(t)
	ctx := context.Background()
	c := acctest.EC2(t, acctest.Region)
	in.MinCount, in.MaxCount = aws.Int32(1), aws.Int32(1)
	out, err := c.RunInstances(ctx, in)
	if err != nil {
		t.Fatalf("launching an instance in the emulator: %v", err)
	}
	id := aws.ToString(out.Instances[0].InstanceId)
	t.Cleanup(func() {
		_, _ = c.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
	})
	return id
}

// createKeyARN makes a key with rotation in the emulator, as createKey does, and returns its ARN.
func createKeyARN(t *testing.T, description string) string {
	t.Helper()
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: &description}, true)
	key, err := acctest.KMS(t, acctest.Region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(key.KeyMetadata.Arn)
}

func importConfig(id, body string) string {
	return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
import {
  to = gdpr_server.test
  id = %q
}

resource "gdpr_server" "test" {
%s
}`, id, body)
}
