package provider_test

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
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

const serverAddr = "gdpr_server.test"

// Images the emulator ships (moto's default AMIs, the same ids in every region): an Amazon Linux image
// whose root device is /dev/xvda, and a Windows image whose root device is /dev/sda1.
const (
	linuxImage   = "ami-760aaa0f"
	windowsImage = "ami-03cf127a"
)

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

// writeOnly skips a test on Terraform versions that cannot send write-only attributes.
var writeOnly = []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)}

func TestAccServer_basic(t *testing.T) {
	secret := "echo 'db-password=" + randomName(t) + "'"
	subnets := defaultSubnets(t)
	group := createSecurityGroup(t)
	workDir := t.TempDir()
	var id, volume string
	// The script reaches the configuration only as an expression, so the one place its plain text could land
	// in the plan or state files is a value the provider or Terraform stored.
	config := serverConfig(fmt.Sprintf(`
  image_id            = %q
  instance_type       = "t3.micro"
  subnet_id           = %q
  security_group_ids  = [%q]
  root_volume_size_gb = 12
  root_volume_type    = "gp2"
  user_data           = base64decode(%q)
  tags = { purpose = "crm" }
`, linuxImage, subnets[0], group, base64.StdEncoding.EncodeToString([]byte(secret))))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   writeOnly,
		WorkingDir:               workDir,
		CheckDestroy:             checkServersTerminated(t, &[]string{}, &id, &volume),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{secretNotInPlan{secret: secret, dir: workDir}},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					secretNotInState{secret: secret, dir: workDir},
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("user_data_sha256"), knownvalue.StringExact(sha256Hex(secret))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("user_data"), knownvalue.Null()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("arn"),
						knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:ec2:eu-central-1:\d{12}:instance/i-[0-9a-f]+$`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("availability_zone"), knownvalue.StringRegexp(regexp.MustCompile(`^eu-central-1[a-c]$`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("private_ip"), knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+\.\d+\.\d+$`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("security_group_ids"), knownvalue.SetExact([]knownvalue.Check{knownvalue.StringExact(group)})),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CaptureID(serverAddr, &id),
					func(s *terraform.State) error {
						key := s.RootModule().Resources["gdpr_key.a"].Primary.Attributes["arn"]
						srv, err := checkServerInEmulator(t, id, serverWant{
							image: linuxImage, instanceType: "t3.micro", key: key, subnet: subnets[0], groups: []string{group},
							sizeGB: 12, volumeType: "gp2", rootDevice: "/dev/xvda", userData: secret,
							tags: map[string]string{"purpose": "crm"},
						})
						if srv != nil {
							volume = rootVolumeID(srv)
						}
						return err
					},
				),
			},
			{
				// A plan of the same configuration has nothing to do: the fingerprint matches, nothing drifted.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan(), secretNotInPlan{secret: secret, dir: workDir}},
				},
			},
			{
				ResourceName:      serverAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// Write-only values are never read back, by design.
				ImportStateVerifyIgnore: []string{"user_data"},
			},
		},
	})
}

// TestAccServer_defaults leaves every optional argument unset: the server gets an 8 GiB gp3 root volume,
// the default subnet and security group, and no user data, and plans nothing afterwards.
func TestAccServer_defaults(t *testing.T) {
	var id, volume string
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.nano"
`, windowsImage))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkServersTerminated(t, &[]string{}, &id, &volume),
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("root_volume_size_gb"), knownvalue.Int64Exact(8)),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("root_volume_type"), knownvalue.StringExact("gp3")),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("user_data_sha256"), knownvalue.Null()),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("subnet_id"), knownvalue.StringRegexp(regexp.MustCompile(`^subnet-`))),
					statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("security_group_ids"), knownvalue.SetSizeExact(1)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CaptureID(serverAddr, &id),
					func(s *terraform.State) error {
						key := s.RootModule().Resources["gdpr_key.a"].Primary.Attributes["arn"]
						srv, err := checkServerInEmulator(t, id, serverWant{
							image: windowsImage, instanceType: "t3.nano", key: key, sizeGB: 8, volumeType: "gp3",
							rootDevice: "/dev/sda1", tags: map[string]string{},
						})
						if srv != nil {
							volume = rootVolumeID(srv)
						}
						return err
					},
				),
			},
			{
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

// TestAccServer_everyArgumentForcesReplacement changes each argument in turn and expects a replacement. The
// write-only user_data has its own test, which needs a newer Terraform.
func TestAccServer_everyArgumentForcesReplacement(t *testing.T) {
	subnets := defaultSubnets(t)
	groupA, groupB := createSecurityGroup(t), createSecurityGroup(t)
	base := map[string]string{
		"image_id":            fmt.Sprintf("%q", linuxImage),
		"instance_type":       `"t3.micro"`,
		"kms_key_arn":         "gdpr_key.a.arn",
		"subnet_id":           fmt.Sprintf("%q", subnets[0]),
		"security_group_ids":  fmt.Sprintf("[%q]", groupA),
		"root_volume_size_gb": `8`,
		"root_volume_type":    `"gp3"`,
		"tags":                `{ team = "a" }`,
	}
	changed := map[string]string{
		"image_id":            fmt.Sprintf("%q", windowsImage),
		"instance_type":       `"t3.small"`,
		"kms_key_arn":         "gdpr_key.b.arn",
		"subnet_id":           fmt.Sprintf("%q", subnets[1]),
		"security_group_ids":  fmt.Sprintf("[%q, %q]", groupA, groupB),
		"root_volume_size_gb": `9`,
		"root_volume_type":    `"gp2"`,
		"tags":                `{ team = "b" }`,
	}
	order := []string{"image_id", "instance_type", "kms_key_arn", "subnet_id", "security_group_ids",
		"root_volume_size_gb", "root_volume_type", "tags"}
	render := func(v map[string]string) string { return serverConfig(acctest.RenderArguments(order, v)) }
	var ids []string
	steps, _ := acctest.ReplacementSteps(serverAddr, order, base, changed, render, &ids)
	steps[len(steps)-1].Check = resource.ComposeTestCheckFunc(steps[len(steps)-1].Check, acctest.DistinctIDs(&ids, len(order)+1))
	var none string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkServersTerminated(t, &ids, &none, &none),
		Steps:                    steps,
	})
}

// TestAccServer_userDataChangeForcesReplacement changes, removes and adds the user data: each plans a
// replacement through the fingerprint, and the same script again plans nothing.
func TestAccServer_userDataChangeForcesReplacement(t *testing.T) {
	acctest.RequireEmulator(t)
	order := []string{"image_id", "instance_type", "user_data"}
	render := func(v map[string]string) string { return serverConfig(acctest.RenderArguments(order, v)) }
	script := func(s string) map[string]string {
		return map[string]string{"image_id": fmt.Sprintf("%q", linuxImage), "instance_type": `"t3.micro"`, "user_data": s}
	}
	var ids []string
	step := func(userData string, action plancheck.ResourceActionType, sha knownvalue.Check) resource.TestStep {
		return resource.TestStep{
			Config: render(script(userData)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, action)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("user_data_sha256"), sha),
			},
			Check: acctest.AppendID(serverAddr, &ids),
		}
	}
	one, two := "#!/bin/sh\necho one", "#!/bin/sh\necho two"
	steps := []resource.TestStep{
		step(fmt.Sprintf("%q", one), plancheck.ResourceActionCreate, knownvalue.StringExact(sha256Hex(one))),
		step(fmt.Sprintf("%q", two), plancheck.ResourceActionReplace, knownvalue.StringExact(sha256Hex(two))),
		step("null", plancheck.ResourceActionReplace, knownvalue.Null()),
		step(fmt.Sprintf("%q", one), plancheck.ResourceActionReplace, knownvalue.StringExact(sha256Hex(one))),
		step(fmt.Sprintf("%q", one), plancheck.ResourceActionNoop, knownvalue.StringExact(sha256Hex(one))),
	}
	steps[len(steps)-1].Check = resource.ComposeTestCheckFunc(steps[len(steps)-1].Check, func(*terraform.State) error {
		// The last step kept the server: drop its repeated id before counting.
		ids = ids[:len(ids)-1]
		return acctest.DistinctIDs(&ids, 4)(nil)
	})
	var none string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   writeOnly,
		CheckDestroy:             checkServersTerminated(t, &ids, &none, &none),
		Steps:                    steps,
	})
}

func serverBadInputs() []acctest.BadInput {
	valid := map[string]string{
		"image_id":      fmt.Sprintf("%q", linuxImage),
		"instance_type": `"t3.micro"`,
	}
	tests := map[string]struct {
		attr, value, want string
		also              map[string]string
	}{
		"malformed image id":      {"image_id", `"ami-12345"`, `(?s)image_id.*must be an AMI id`, nil},
		"image id not hex":        {"image_id", `"ami-0123456z"`, `(?s)image_id.*must be an AMI id`, nil},
		"size 0":                  {"root_volume_size_gb", `0`, `(?s)root_volume_size_gb.*value must be between 1 and 16384, got: 0`, nil},
		"size 16385":              {"root_volume_size_gb", `16385`, `(?s)root_volume_size_gb.*value must be between 1 and 16384, got: 16385`, nil},
		"unknown volume type":     {"root_volume_type", `"st1"`, `(?s)root_volume_type.*value must be one of: \["gp2" "gp3" "io1" "io2"\],\s+got: "st1"`, nil},
		"bad subnet id":           {"subnet_id", `"subnet_1"`, `(?s)subnet_id.*must be a subnet id`, nil},
		"bad security group id":   {"security_group_ids", `["default"]`, `(?s)security_group_ids.*must be a security group id`, nil},
		"empty security groups":   {"security_group_ids", `[]`, `(?s)security_group_ids.*set must contain at least 1 elements`, nil},
		"empty instance type":     {"instance_type", `""`, `(?s)instance_type.*must be an EC2 instance type`, nil},
		"instance type with caps": {"instance_type", `"T3.micro"`, `(?s)instance_type.*must be an EC2 instance type`, nil},
		"key alias":               {"kms_key_arn", `"alias/server"`, `(?s)kms_key_arn.*must be the ARN of a KMS key`, nil},
		"io2 below 4 GiB": {"root_volume_type", `"io2"`, `(?s)Root volume too small.*root_volume_size_gb.*io2 volume must be at least 4 GiB`,
			map[string]string{"root_volume_size_gb": "3"}},
	}
	var out []acctest.BadInput
	for name, tc := range tests {
		args := maps.Clone(valid)
		args[tc.attr] = tc.value
		maps.Copy(args, tc.also)
		out = append(out, acctest.BadInput{Kind: "gdpr_server", Name: name, Want: tc.want,
			Config: serverConfig(acctest.RenderArguments(slices.Sorted(maps.Keys(args)), args))})
	}
	return out
}

func TestAccServer_imageNotFound(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: serverConfig(`
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
`),
			ExpectError: regexp.MustCompile(`(?s)Image not found.*image_id.*ami-0123456789abcdef0 in eu-central-1`),
		}},
	})
}

func TestAccServer_residency(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("us-east-1", "") + fmt.Sprintf(`
resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}`, linuxImage),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Region not allowed for personal data.*gdpr_server.*us-east-1`),
		}},
	})
}

// TestAccServer_userDataNeedsTerraform1_11 shows what older Terraform versions do with user_data: they
// cannot send write-only attributes, so the plan fails with an error that says which version is needed.
func TestAccServer_userDataNeedsTerraform1_11(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{skipFromWriteOnly{}},
		Steps: []resource.TestStep{{
			Config: serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  user_data     = "echo hello"
`, linuxImage)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)WriteOnly Attribute Not Allowed.*user_data.*Write-only\s+attributes\s+are\s+only\s+supported\s+in\s+Terraform\s+1\.11`),
		}},
	})
}

// skipFromWriteOnly skips a test on Terraform versions that support write-only attributes.
type skipFromWriteOnly struct{}

func (skipFromWriteOnly) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	if !req.TerraformVersion.LessThan(tfversion.Version1_11_0) {
		resp.Skip = fmt.Sprintf("Terraform %s supports write-only attributes; this test covers Terraform below 1.11", req.TerraformVersion)
	}
}

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
	if !maps.Equal(tags, want.tags) {
		return i, fmt.Errorf("tags = %v, want %v", tags, want.tags)
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

// TestAccServer_requests counts what a server costs. Apply: the image's root device, RunInstances, the
// waiter's polls (whose last answer is the running instance, not described again) and the shutdown
// behaviour, user data and root volume, read to prove the guarantees hold. Refresh: the instance and the
// same three reads.
func TestAccServer_requests(t *testing.T) {
	acctest.RequireEmulator(t)
	apply, refresh := acctest.Requests(t, "eu-north-1", fmt.Sprintf(`
resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = "arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  tags          = { run = "requests" }
}`, linuxImage))
	// The waiter polls until the instance runs; the emulator starts instances at once, so one poll is enough.
	acctest.CheckRequests(t, "apply", apply, []string{"ec2:DescribeImages", "ec2:RunInstances", "ec2:DescribeInstances",
		"ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", "ec2:DescribeVolumes"})
	acctest.CheckRequests(t, "refresh", refresh, []string{"ec2:DescribeInstances",
		"ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", "ec2:DescribeVolumes"})
}
