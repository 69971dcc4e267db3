package provider_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// unknownDays feeds values known only at apply time into a bucket, as when they come from another resource.
func unknownDays(name string, expiration, lock int) string {
	return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "terraform_data" "days" {
  input = { expiration = %d, lock = %d }
}

resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = %q
  expiration_days = terraform_data.days.output.expiration
  object_lock     = { mode = "GOVERNANCE", days = terraform_data.days.output.lock }
}
`, expiration, lock, name, acctest.DummyKeyARN)
}

// TestAccUnknownValues_checkedOnceKnown plans with values that are unknown until apply: the plan must not
// fail on them, and the checks must run once they are known, before anything is created.
func TestAccUnknownValues_checkedOnceKnown(t *testing.T) {
	t.Run("valid once known", func(t *testing.T) {
		name := acctest.BucketName()
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{{
				Config: unknownDays(name, 30, 7),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectUnknownValue("gdpr_bucket.test", tfjsonpath.New("expiration_days"))},
				},
				Check: func(s *terraform.State) error {
					exists, err := acctest.BucketExists(t, name)
					if err != nil {
						return err
					}
					if !exists {
						return fmt.Errorf("bucket %s was not created", name)
					}
					return nil
				},
			}},
		})
	})
	t.Run("too long once known", func(t *testing.T) {
		name := acctest.BucketName()
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{{
				Config:      unknownDays(name, 5000, 7),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Retention too long.*A retention of 5000 days exceeds the policy's maximum of 3650 days`)),
			}},
		})
	})
	t.Run("lock outlasting expiration once known", func(t *testing.T) {
		name := acctest.BucketName()
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{{
				Config:      unknownDays(name, 30, 31),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Object Lock outlasts expiration.*Object Lock keeps each version for 31 days, longer than the 30 days`)),
			}},
		})
	})
}
