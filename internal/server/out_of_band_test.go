package server_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccServer_outOfBandChangePlansReplacement(t *testing.T) {
	var ids []string
	// subnet_id and security_group_ids are left unset on purpose: a change of what EC2 chose is not a
	// difference from the configuration, and must still plan a replacement.
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  tags = { team = "crm" }
`, acctest.LinuxImage))
	group := createSecurityGroup(t)
	steps := []resource.TestStep{{Config: config, Check: acctest.AppendID(serverAddr, &ids)}}
	steps = append(steps, serverDrift(t, &ids, config, "instance type", stopped(func(ctx context.Context, c *ec2.Client, id string) error {
		_, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{
			InstanceId: &id, InstanceType: &ec2types.AttributeValue{Value: aws.String("t3.large")},
		})
		return err
	})))
	steps = append(steps, serverDrift(t, &ids, config, "metadata options", func(ctx context.Context, c *ec2.Client, id string) error {
		_, err := c.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
			InstanceId: &id, HttpTokens: ec2types.HttpTokensStateOptional,
		})
		return err
	}))
	steps = append(steps, serverDrift(t, &ids, config, "security groups", func(ctx context.Context, c *ec2.Client, id string) error {
		_, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id, Groups: []string{group}})
		return err
	}))
	steps = append(steps, serverDrift(t, &ids, config, "tags", func(ctx context.Context, c *ec2.Client, id string) error {
		_, err := c.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []ec2types.Tag{{Key: aws.String("backdoor"), Value: aws.String("1")}}})
		return err
	}))
	steps = append(steps, serverDrift(t, &ids, config, "root volume's delete-on-termination flag", func(ctx context.Context, c *ec2.Client, id string) error {
		_, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: &id,
			BlockDeviceMappings: []ec2types.InstanceBlockDeviceMappingSpecification{{
				DeviceName: aws.String("/dev/xvda"), Ebs: &ec2types.EbsInstanceBlockDeviceSpecification{DeleteOnTermination: aws.Bool(false)},
			}}})
		return err
	}))
	steps = append(steps, resource.TestStep{
		// After the replacements the new server is what the configuration says: nothing more to do.
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
	})
	var none string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkServersTerminated(t, &ids, &none, &none),
		Steps:                    steps,
	})
}

// TestAccServer_driftWarningNamesTheChange reads, through the provider's protocol server, the warning a
// refresh gives after an out-of-band change: Terraform prints it, but the test framework does not pass
// warnings on.
func TestAccServer_driftWarningNamesTheChange(t *testing.T) {
	var id, key string
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
`, acctest.LinuxImage))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeTestCheckFunc(acctest.CaptureID(serverAddr, &id), func(s *terraform.State) error {
					key = s.RootModule().Resources["gdpr_key.a"].Primary.Attributes["arn"]
					return nil
				}),
			},
			{
				PreConfig: func() {
					ctx := context.Background()
					c := acctest.EC2(t, acctest.Region)
					if _, err := c.ModifyInstanceMetadataOptions(ctx, &ec2.ModifyInstanceMetadataOptionsInput{
						InstanceId: &id, HttpTokens: ec2types.HttpTokensStateOptional,
					}); err != nil {
						t.Fatal(err)
					}
					if err := stopped(func(ctx context.Context, c *ec2.Client, id string) error {
						_, err := c.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{
							InstanceId: &id, InstanceType: &ec2types.AttributeValue{Value: aws.String("t3.xlarge")},
						})
						return err
					})(ctx, c, id); err != nil {
						t.Fatal(err)
					}
					diags := readServer(t, map[string]tftypes.Value{
						"id":                  tftypes.NewValue(tftypes.String, id),
						"image_id":            tftypes.NewValue(tftypes.String, acctest.LinuxImage),
						"instance_type":       tftypes.NewValue(tftypes.String, "t3.micro"),
						"kms_key_arn":         tftypes.NewValue(tftypes.String, key),
						"root_volume_size_gb": tftypes.NewValue(tftypes.Number, 8),
						"root_volume_type":    tftypes.NewValue(tftypes.String, "gp3"),
					})
					expectDiagnostic(t, diags, tfprotov6.DiagnosticSeverityWarning, "Changed outside Terraform",
						`The instance_type, metadata_options of gdpr_server "`+id+`" changed outside Terraform`)
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionReplace)},
				},
			},
		},
	})
}

func TestAccServer_terminatedOutOfBandIsRecreated(t *testing.T) {
	var ids []string
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
`, acctest.LinuxImage))
	recreate := func(change ec2Change) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				if err := change(context.Background(), acctest.EC2(t, acctest.Region), ids[len(ids)-1]); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(serverAddr, plancheck.ResourceActionCreate)},
			},
			Check: resource.ComposeTestCheckFunc(acctest.AppendID(serverAddr, &ids), acctest.DistinctIDs(&ids, 2)),
		}
	}
	var none string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkServersTerminated(t, &ids, &none, &none),
		Steps: []resource.TestStep{
			{Config: config, Check: acctest.AppendID(serverAddr, &ids)},
			recreate(func(ctx context.Context, c *ec2.Client, id string) error {
				_, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}})
				return err
			}),
		},
	})
}
