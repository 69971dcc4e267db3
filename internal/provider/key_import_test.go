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
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// createKey makes a key directly in the emulator, as someone outside Terraform would.
func createKey(t *testing.T, in *kms.CreateKeyInput, rotate bool) string {
	t.Helper()
	acctest.RequireEmulator(t)
	ctx := context.Background()
	c := acctest.KMS(t, acctest.Region)
	out, err := c.CreateKey(ctx, in)
	if err != nil {
		t.Fatalf("creating a key in the emulator: %v", err)
	}
	id := aws.ToString(out.KeyMetadata.KeyId)
	if rotate {
		if _, err := c.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: &id}); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_, _ = c.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)})
	})
	return id
}

func TestAccKey_importBlock(t *testing.T) {
	id := createKey(t, &kms.CreateKeyInput{Description: aws.String("adopted")}, true)
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
			id := createKey(t, tc.in, tc.rotate)
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
