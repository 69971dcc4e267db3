package key_test

import (
	"context"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccKey_outOfBandChangePlansReplacement(t *testing.T) {
	var ids []string
	// The policy is left unset on purpose: a change to the default policy is not a difference from the
	// configuration, and must still plan a replacement.
	config := keyConfig(`
  description = "out of band"
  tags        = { team = "crm" }
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: acctest.AppendID(keyAddr, &ids)},
			outOfBand(t, &ids, config, func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.UpdateKeyDescription(ctx, &kms.UpdateKeyDescriptionInput{KeyId: &id, Description: aws.String("tampered")})
				return err
			}),
			outOfBand(t, &ids, config, func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.TagResource(ctx, &kms.TagResourceInput{KeyId: &id, Tags: []kmstypes.Tag{{TagKey: aws.String("backdoor"), TagValue: aws.String("1")}}})
				return err
			}),
			outOfBand(t, &ids, config, func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.DisableKeyRotation(ctx, &kms.DisableKeyRotationInput{KeyId: &id})
				return err
			}),
			outOfBand(t, &ids, config, func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{KeyId: &id, PolicyName: aws.String("default"),
					Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Sid":"Everyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}`)})
				return err
			}),
			{
				// After the replacement the new key is what the configuration says: nothing more to do.
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccKey_unusableKeyIsRecreated(t *testing.T) {
	var ids []string
	config := keyConfig(`  description = "recreated"`)
	recreate := func(change func(ctx context.Context, c *kms.Client, id string) error) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				if err := change(context.Background(), acctest.KMS(t, acctest.Region), ids[len(ids)-1]); err != nil {
					t.Fatal(err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionCreate)},
			},
			Check: acctest.AppendID(keyAddr, &ids),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: acctest.AppendID(keyAddr, &ids)},
			recreate(func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.DisableKey(ctx, &kms.DisableKeyInput{KeyId: &id})
				return err
			}),
			recreate(func(ctx context.Context, c *kms.Client, id string) error {
				_, err := c.ScheduleKeyDeletion(ctx, &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
				return err
			}),
		},
	})
}

func TestAccKey_residency(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The default policy, EEA, does not admit the United States: the plan fails, nothing is made.
				Config: acctest.ProviderConfig("us-east-1", "") + `
resource "gdpr_key" "test" {
  description = "misplaced"
}`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Region not allowed for personal data.*us-east-1.*United\s+States.*PARTIAL_ADEQUACY.*\[EEA\]`),
			},
			{
				Config: acctest.ProviderConfig("eu-west-2", `  allowed_jurisdictions = ["ADEQUACY"]`) + `
resource "gdpr_key" "test" {
  description = "London"
}`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("region"), knownvalue.StringExact("eu-west-2")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("ADEQUACY")),
				},
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources[keyAddr].Primary.ID
					_, err := acctest.KMS(t, "eu-west-2").DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
					return err
				},
			},
		},
	})
}
