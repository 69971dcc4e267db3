package key_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccKey_providerRegionKnownOnlyAtApply(t *testing.T) {
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: unknownRegionConfig("eu-north-1"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("region"), knownvalue.StringExact("eu-north-1")),
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
			},
			Check: func(s *terraform.State) error {
				id := s.RootModule().Resources[keyAddr].Primary.ID
				_, err := acctest.KMS(t, "eu-north-1").DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
				return err
			},
		}},
	})
}

func TestAccKey_disallowedRegionKnownOnlyAtApplyCreatesNothing(t *testing.T) {
	// A region of its own in this test, so the emulator inventory below is this test's alone.
	const region = "ap-south-2"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      unknownRegionConfig(region),
			ExpectError: regexp.MustCompile(`(?s)Region not allowed for personal data.*ap-south-2.*India`),
		}},
		CheckDestroy: func(*terraform.State) error {
			out, err := acctest.KMS(t, region).ListKeys(context.Background(), &kms.ListKeysInput{})
			if err != nil {
				return err
			}
			if len(out.Keys) != 0 {
				return fmt.Errorf("%d keys were created in %s although the region is not allowed", len(out.Keys), region)
			}
			return nil
		},
	})
}
