package key_test

import (
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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccKey_importBlock(t *testing.T) {
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("adopted")}, true)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
import {
  to = gdpr_key.test
  id = %q
}

resource "gdpr_key" "test" {
  description = "adopted"
}`, id),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				// Adopting a key that matches its configuration changes nothing in KMS.
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
			},
		}},
	})
}

func TestAccKey_importRefusesKeysBreakingInvariants(t *testing.T) {
	tests := map[string]struct {
		in     *kms.CreateKeyInput
		rotate bool
		want   string
	}{
		"multi-region": {
			in:     &kms.CreateKeyInput{Description: aws.String("x"), MultiRegion: aws.Bool(true)},
			rotate: true,
			want:   `(?s)Cannot import gdpr_key.*multi-region key`,
		},
		"asymmetric": {
			in:   &kms.CreateKeyInput{Description: aws.String("x"), KeySpec: kmstypes.KeySpecRsa2048, KeyUsage: kmstypes.KeyUsageTypeSignVerify},
			want: `(?s)Cannot import gdpr_key.*RSA_2048 SIGN_VERIFY key`,
		},
		"rotation off": {
			in:   &kms.CreateKeyInput{Description: aws.String("x")},
			want: `(?s)Cannot import gdpr_key.*automatic rotation is off`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			id := acctest.CreateKey(t, tc.in, tc.rotate)
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:        keyConfig(`  description = "x"`),
					ResourceName:  keyAddr,
					ImportState:   true,
					ImportStateId: id,
					ExpectError:   regexp.MustCompile(tc.want),
				}},
			})
		})
	}
}

// An ARN of a key in another region or another account is refused before KMS is asked, naming both values
// and the provider alias that can import it; an ARN of the provider's own region and account is adopted
// like the bare key id.
func TestAccKey_importARN(t *testing.T) {
	// Each case has a key of its own: a foreign ARN the provider wrongly adopted would be destroyed with the
	// case, and must not take another case's key with it.
	newKey := func(t *testing.T) string {
		return acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("adopted")}, true)
	}
	importBlock := func(arn string) string {
		return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
import {
  to = gdpr_key.test
  id = %q
}

resource "gdpr_key" "test" {
  description = "adopted"
}`, arn)
	}
	t.Run("another region", func(t *testing.T) {
		id := newKey(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      importBlock(fmt.Sprintf("arn:aws:kms:eu-west-1:%s:key/%s", emulatorAccount, id)),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot import gdpr_key.*its region is "eu-west-1", and the provider's region is "eu-central-1".*Configure a provider alias`)),
			}},
		})
	})
	t.Run("another account", func(t *testing.T) {
		id := newKey(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      importBlock(fmt.Sprintf("arn:aws:kms:%s:111122223333:key/%s", acctest.Region, id)),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot import gdpr_key.*its account is "111122223333", and the provider's credentials belong to account "` + emulatorAccount + `".*Configure a provider alias with that account's credentials`)),
			}},
		})
	})
	t.Run("another partition", func(t *testing.T) {
		id := newKey(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config:      importBlock(fmt.Sprintf("arn:aws-cn:kms:cn-north-1:%s:key/%s", emulatorAccount, id)),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)its partition is "aws-cn", and the provider's region "eu-central-1" is in partition "aws".*its region is "cn-north-1"`)),
			}},
		})
	})
	t.Run("own region and account", func(t *testing.T) {
		id := newKey(t)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: importBlock(fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", acctest.Region, emulatorAccount, id)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				},
			}},
		})
	})
}

// emulatorAccount is the account moto answers for every caller, in sts:GetCallerIdentity and in the ARNs
// it makes.
const emulatorAccount = "123456789012"

// A key imported with its policy written in the configuration as HCL (jsonencode) plans nothing, although
// KMS holds the same policy as other text: a policy is compared by meaning, and a replacement would erase
// everything encrypted under the key.
func TestAccKey_importWithPolicyWrittenDifferently(t *testing.T) {
	policy := `{
  "Version": "2012-10-17",
  "Statement": [ { "Sid": "Root", "Effect": "Allow", "Resource": "*",
    "Principal": { "AWS": "arn:aws:iam::123456789012:root" }, "Action": "kms:*" } ]
}`
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("adopted"), Policy: aws.String(policy)}, true)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
import {
  to = gdpr_key.test
  id = %q
}

resource "gdpr_key" "test" {
  description = "adopted"
  policy      = %s
}`, id, policyJSON("kms:*")),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionNoop)},
			},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
			},
		}},
	})
}
