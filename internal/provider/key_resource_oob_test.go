package provider_test

import (
	"context"
	"fmt"
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

// outOfBand changes the key behind Terraform's back and then expects the same configuration to plan a
// replacement, which the apply carries out: the key in state afterwards is a new one.
func outOfBand(t *testing.T, ids *[]string, config string, change func(ctx context.Context, c *kms.Client, id string) error) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			id := (*ids)[len(*ids)-1]
			if err := change(context.Background(), acctest.KMS(t, acctest.Region), id); err != nil {
				t.Fatalf("changing key %s out of band: %v", id, err)
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionReplace)},
		},
		Check: resource.ComposeTestCheckFunc(acctest.AppendID(keyAddr, ids), func(*terraform.State) error {
			if n := len(*ids); (*ids)[n-1] == (*ids)[n-2] {
				return fmt.Errorf("key %s was kept after an out-of-band change", (*ids)[n-1])
			}
			return nil
		}),
	}
}

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

func keyBadInputs() []acctest.BadInput {
	tests := map[string]struct {
		provider, body string
		want           string
	}{
		"window below 7": {
			body: `description = "x"
  deletion_window_days = 6`,
			want: `(?s)deletion_window_days.*value must be between 7 and 30, got: 6`,
		},
		"window above 30": {
			body: `description = "x"
  deletion_window_days = 31`,
			want: `(?s)deletion_window_days.*value must be between 7 and 30, got: 31`,
		},
		"rotation below 90": {
			body: `description = "x"
  rotation_period_days = 89`,
			want: `(?s)rotation_period_days.*value must be between 90 and 2560, got: 89`,
		},
		"policy not JSON": {
			body: `description = "x"
  policy = "{not json"`,
			want: `(?s)Invalid JSON String Value.*policy`,
		},
		"empty description": {
			body: `description = ""`,
			want: `(?s)description.*string length must be between 1 and 8192`,
		},
		"unknown jurisdiction": {
			provider: `  allowed_jurisdictions = ["EUROPE"]`,
			body:     `description = "x"`,
			want:     `(?s)Invalid jurisdiction.*allowed_jurisdictions.*"EUROPE" is not a jurisdiction.*EU, EEA, ADEQUACY,\s+PARTIAL_ADEQUACY`,
		},
		"lower-case country": {
			provider: `  allowed_jurisdictions = ["de"]`,
			body:     `description = "x"`,
			want:     `(?s)Invalid jurisdiction.*allowed_jurisdictions.*use upper case: DE`,
		},
		"retention below one day": {
			provider: `  max_retries = 3
  allowed_jurisdictions = ["EU"]
  skip_credentials_validation = true
  max_retention_days = 0`,
			body: `description = "x"`,
			want: `(?s)max_retention_days.*at least 1`,
		},
	}
	var out []acctest.BadInput
	for name, tc := range tests {
		out = append(out, acctest.BadInput{Kind: "gdpr_key", Name: name, Want: tc.want,
			Config: acctest.ProviderConfig(acctest.Region, tc.provider) + fmt.Sprintf("resource \"gdpr_key\" \"test\" {\n  %s\n}\n", tc.body)})
	}
	return out
}
