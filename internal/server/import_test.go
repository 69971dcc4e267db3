package server_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccServer_importBlock(t *testing.T) {
	keyARN := createKeyARN(t, "adopted server disk")
	script := "#!/bin/sh\necho adopted\n"
	id := runInstance(t, &ec2.RunInstancesInput{
		ImageId:      aws.String(acctest.LinuxImage),
		InstanceType: ec2types.InstanceTypeT3Micro,
		BlockDeviceMappings: []ec2types.BlockDeviceMapping{{
			DeviceName: aws.String("/dev/xvda"),
			Ebs: &ec2types.EbsBlockDevice{Encrypted: aws.Bool(true), KmsKeyId: &keyARN, DeleteOnTermination: aws.Bool(true),
				VolumeSize: aws.Int32(10), VolumeType: ec2types.VolumeTypeGp3},
		}},
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(1), HttpEndpoint: ec2types.InstanceMetadataEndpointStateEnabled},
		NetworkInterfaces:                 []ec2types.InstanceNetworkInterfaceSpecification{{DeviceIndex: aws.Int32(0), AssociatePublicIpAddress: aws.Bool(false)}},
		InstanceInitiatedShutdownBehavior: ec2types.ShutdownBehaviorStop,
		UserData:                          aws.String(base64.StdEncoding.EncodeToString([]byte(script))),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("crm")}}}},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		TerraformVersionChecks:   writeOnly,
		Steps: []resource.TestStep{{
			Config: importConfig(id, fmt.Sprintf(`
  image_id            = %q
  instance_type       = "t3.micro"
  kms_key_arn         = %q
  root_volume_size_gb = 10
  user_data           = %q
  tags = { team = "crm" }
`, acctest.LinuxImage, keyARN, script)),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// Adopting a server that keeps every guarantee and matches its configuration, user data
				// included, changes nothing in EC2.
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionNoop)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("user_data_sha256"), knownvalue.StringExact(sha256Hex(script))),
				statecheck.ExpectKnownValue(serverAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
			},
		}},
	})
}

// TestAccServer_importBreakingInvariants adopts instances that break the guarantees: the import succeeds, a
// warning names each problem, and the plan replaces the instance.
func TestAccServer_importBreakingInvariants(t *testing.T) {
	keyARN := createKeyARN(t, "adopted server disk")
	tests := map[string]struct {
		root     ec2types.EbsBlockDevice
		keyARN   string
		problems []string
	}{
		// EC2's defaults: an unencrypted root volume that outlives the instance, IMDSv1, a public IP address.
		"launched with EC2 defaults": {
			root:   ec2types.EbsBlockDevice{DeleteOnTermination: aws.Bool(false), VolumeSize: aws.Int32(8), VolumeType: ec2types.VolumeTypeGp3},
			keyARN: "gdpr_key.a.arn",
			problems: []string{
				"its instance metadata service does not require IMDSv2 session tokens",
				"it has a public IP address",
				"its root volume is not encrypted",
				"its root volume would outlive the instance",
			},
		},
		// Everything the configuration names matches, so only the recorded drift can plan the replacement.
		"only IMDSv1 and a public IP address": {
			root: ec2types.EbsBlockDevice{Encrypted: aws.Bool(true), KmsKeyId: &keyARN, DeleteOnTermination: aws.Bool(true),
				VolumeSize: aws.Int32(8), VolumeType: ec2types.VolumeTypeGp3},
			keyARN: fmt.Sprintf("%q", keyARN),
			problems: []string{
				"its instance metadata service does not require IMDSv2 session tokens",
				"it has a public IP address",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			id := runInstance(t, &ec2.RunInstancesInput{
				ImageId:             aws.String(acctest.LinuxImage),
				InstanceType:        ec2types.InstanceTypeT3Micro,
				BlockDeviceMappings: []ec2types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &tc.root}},
				MetadataOptions:     &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateOptional},
			})
			diags := readServer(t, map[string]tftypes.Value{"id": tftypes.NewValue(tftypes.String, id)})
			for _, want := range append([]string{`"` + id + `" was imported, but`, "The next apply replaces it"}, tc.problems...) {
				expectDiagnostic(t, diags, tfprotov6.DiagnosticSeverityWarning, "Imported server breaks the provider's guarantees", want)
			}
			var replaced string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config: strings.Replace(importConfig(id, fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = %s
`, acctest.LinuxImage, tc.keyARN)), "import {", `resource "gdpr_key" "a" {
  description          = "replacement disk"
  deletion_window_days = 7
}

import {`, 1),
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionReplace)},
					},
					Check: resource.ComposeTestCheckFunc(acctest.CaptureID(serverAddr, &replaced), func(*terraform.State) error {
						if replaced == id {
							return fmt.Errorf("instance %s, which breaks the guarantees, was kept", id)
						}
						return nil
					}),
				}},
			})
		})
	}
}

// TestAccServer_importedStaysAdoptedOnEveryPlan imports, with terraform import, an instance launched with
// IMDSv1 and a public IP address. Every plan after the import says it was adopted that way, not that it
// changed outside Terraform, which would send an auditor after a change nobody made.
func TestAccServer_importedStaysAdoptedOnEveryPlan(t *testing.T) {
	acctest.RequireEmulator(t)
	keyARN := createKeyARN(t, "adopted server disk")
	id := runInstance(t, &ec2.RunInstancesInput{
		ImageId:      aws.String(acctest.LinuxImage),
		InstanceType: ec2types.InstanceTypeT3Micro,
		BlockDeviceMappings: []ec2types.BlockDeviceMapping{{DeviceName: aws.String("/dev/xvda"), Ebs: &ec2types.EbsBlockDevice{
			Encrypted: aws.Bool(true), KmsKeyId: &keyARN, DeleteOnTermination: aws.Bool(true), VolumeSize: aws.Int32(8), VolumeType: ec2types.VolumeTypeGp3}}},
		MetadataOptions: &ec2types.InstanceMetadataOptionsRequest{HttpTokens: ec2types.HttpTokensStateOptional},
	})
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+serverConfig(fmt.Sprintf("  image_id = %q\n  instance_type = \"t3.micro\"\n  kms_key_arn = %q\n", acctest.LinuxImage, keyARN)))
	w.MustTerraform("import", "-input=false", serverAddr, id)
	for i := range 2 {
		plan, err := acctest.Plan(t, w)
		if err != nil {
			t.Fatalf("plan %d: %v\n%s", i+1, err, plan)
		}
		for _, want := range []string{`EC2 instance "` + id + `" was imported, but`, "it has a public IP address",
			"nothing has changed since it was adopted", "# " + serverAddr + " must be replaced"} {
			if !strings.Contains(plan, want) {
				t.Errorf("plan %d does not say %q:\n%s", i+1, want, plan)
			}
		}
		if strings.Contains(plan, "changed outside Terraform") {
			t.Errorf("plan %d reports the adopted server as changed outside Terraform, though nothing changed:\n%s", i+1, plan)
		}
	}
}
