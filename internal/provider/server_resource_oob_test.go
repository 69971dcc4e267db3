package provider_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

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

func TestAccServer_outOfBandChangePlansReplacement(t *testing.T) {
	var ids []string
	// subnet_id and security_group_ids are left unset on purpose: a change of what EC2 chose is not a
	// difference from the configuration, and must still plan a replacement.
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
  tags = { team = "crm" }
`, linuxImage))
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

// TestAccServer_driftWarningNamesTheChange reads, through the provider's protocol server, the warning a
// refresh gives after an out-of-band change: Terraform prints it, but the test framework does not pass
// warnings on.
func TestAccServer_driftWarningNamesTheChange(t *testing.T) {
	var id, key string
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
`, linuxImage))
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
						"image_id":            tftypes.NewValue(tftypes.String, linuxImage),
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
			"kms": endpoint, "s3": endpoint, "ec2": endpoint, "sts": endpoint,
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

func TestAccServer_terminatedOutOfBandIsRecreated(t *testing.T) {
	var ids []string
	config := serverConfig(fmt.Sprintf(`
  image_id      = %q
  instance_type = "t3.micro"
`, linuxImage))
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
