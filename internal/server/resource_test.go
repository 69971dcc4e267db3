package server_test

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

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
`, acctest.LinuxImage, subnets[0], group, base64.StdEncoding.EncodeToString([]byte(secret))))
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
							image: acctest.LinuxImage, instanceType: "t3.micro", key: key, subnet: subnets[0], groups: []string{group},
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
`, acctest.WindowsImage))
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
							image: acctest.WindowsImage, instanceType: "t3.nano", key: key, sizeGB: 8, volumeType: "gp3",
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
		"image_id":            fmt.Sprintf("%q", acctest.LinuxImage),
		"instance_type":       `"t3.micro"`,
		"kms_key_arn":         "gdpr_key.a.arn",
		"subnet_id":           fmt.Sprintf("%q", subnets[0]),
		"security_group_ids":  fmt.Sprintf("[%q]", groupA),
		"root_volume_size_gb": `8`,
		"root_volume_type":    `"gp3"`,
		"tags":                `{ team = "a" }`,
	}
	changed := map[string]string{
		"image_id":            fmt.Sprintf("%q", acctest.WindowsImage),
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
		return map[string]string{"image_id": fmt.Sprintf("%q", acctest.LinuxImage), "instance_type": `"t3.micro"`, "user_data": s}
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
}`, acctest.LinuxImage),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Region not allowed for personal data.*gdpr_server.*us-east-1`),
		}},
	})
}

// TestAccServer_userDataNeedsTerraform1_11 shows what older Terraform and OpenTofu versions do with
// user_data: they cannot send write-only attributes, so the plan fails with an error that says which version is needed.
func TestAccServer_userDataNeedsTerraform1_11(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.Without(acctest.WriteOnly)},
		Steps: []resource.TestStep{{
			Config: serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  user_data     = "echo hello"
`, acctest.LinuxImage)),
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)WriteOnly Attribute Not Allowed.*user_data.*Write-only\s+attributes\s+are\s+only\s+supported\s+in\s+Terraform\s+1\.11`),
		}},
	})
}

// TestAccServer_requests counts what a server costs. Apply: two DescribeInstances looking for instances an
// interrupted apply left half-made, one by the plan and one by the create, the image's root device, RunInstances, the waiter's polls
// (whose last answer is the running instance, not described again), the shutdown behaviour, user data and
// root volume, read to prove the guarantees hold, and DeleteTags removing the creation marker. Refresh: the
// instance and the same three reads.
func TestAccServer_requests(t *testing.T) {
	acctest.RequireEmulator(t)
	apply, refresh := acctest.Requests(t, "eu-north-1", fmt.Sprintf(`
resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = "arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  tags          = { run = "requests" }
}`, acctest.LinuxImage))
	// The waiter polls until the instance runs; the emulator starts instances at once, so one poll is enough.
	acctest.CheckRequests(t, "apply", apply, []string{"ec2:DescribeInstances", "ec2:DescribeInstances", "ec2:DescribeImages", "ec2:RunInstances",
		"ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", "ec2:DescribeVolumes",
		"ec2:DeleteTags"})
	acctest.CheckRequests(t, "refresh", refresh, []string{"ec2:DescribeInstances",
		"ec2:DescribeInstanceAttribute", "ec2:DescribeInstanceAttribute", "ec2:DescribeVolumes"})
}
