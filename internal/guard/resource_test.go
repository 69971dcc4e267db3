package guard_test

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccImmutable_terraformData(t *testing.T) {
	var first, second string
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          guardedData,
				ConfigVariables: guardVars("15.4", "1"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("gdpr_immutable.db", tfjsonpath.New("attributes"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"engine_version": knownvalue.StringExact("15.4"), "generation": knownvalue.StringExact("1"),
						})),
					statecheck.CompareValuePairs("gdpr_immutable.db", tfjsonpath.New("id"),
						"terraform_data.db", tfjsonpath.New("id"), compare.ValuesSame()),
				},
				Check: acctest.CaptureID("gdpr_immutable.db", &first),
			},
			{
				// terraform_data would update input in place: its id stays, the watched value changes.
				Config:          guardedData,
				ConfigVariables: guardVars("16.1", "1"),
				ExpectError: regexp.MustCompile(`(?s)In-place update of a guarded resource refused.*"` +
					`[0-9a-f-]{36}".*changed: engine_version\)`),
			},
			{
				// The same change with a new generation replaces the target, so the guard follows it.
				Config:          guardedData,
				ConfigVariables: guardVars("16.1", "2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("terraform_data.db", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("gdpr_immutable.db", plancheck.ResourceActionReplace),
					plancheck.ExpectUnknownValue("gdpr_immutable.db", tfjsonpath.New("id")),
				}},
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureID("gdpr_immutable.db", &second),
					func(*terraform.State) error {
						if first == second {
							return fmt.Errorf("the guard kept id %s after its target was replaced", first)
						}
						return nil
					},
				),
			},
			{
				// A key removed from the watch list is a change too.
				Config: offlineProvider + `
resource "terraform_data" "db" {
  input            = "16.1"
  triggers_replace = "2"
}
resource "gdpr_immutable" "db" {
  target_id  = terraform_data.db.id
  attributes = { engine_version = terraform_data.db.input }
}`,
				ExpectError: regexp.MustCompile(`(?s)In-place update of a guarded resource refused.*changed: generation\)`),
			},
		},
	})
}

// TestAccImmutable_unknownValue shows that a watched value unknown at plan time counts as a change while
// the target keeps its id: terraform_data's output is unknown while its input is being updated in place.
func TestAccImmutable_unknownValue(t *testing.T) {
	cfg := func(input string) string {
		return offlineProvider + fmt.Sprintf(`
resource "terraform_data" "db" {
  input = %q
}
resource "gdpr_immutable" "db" {
  target_id  = terraform_data.db.id
  attributes = { output = terraform_data.db.output }
}`, input)
	}
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: cfg("a")},
			{Config: cfg("b"), ExpectError: regexp.MustCompile(`(?s)In-place update of a guarded resource refused.*changed: output\)`)},
		},
	})
}

func TestAccImmutable_bucketReplacedPasses(t *testing.T) {
	prefix := fmt.Sprintf("bucket_prefix = %q", "gdpr-guard-")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: guardedBucket(prefix, 30)},
			{
				Config: guardedBucket(prefix, 60),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("gdpr_bucket.b", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("gdpr_immutable.b", plancheck.ResourceActionReplace),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("gdpr_immutable.b", tfjsonpath.New("attributes").AtMapKey("expiration_days"),
						knownvalue.StringExact("60")),
				},
			},
		},
	})
}

// TestAccImmutable_bucketFixedName guards a bucket with a fixed name. A replaced bucket keeps its name, but
// Terraform plans a replacement as a new resource, so the id is unknown at plan time and the guard follows;
// a watched value that changes while the bucket stays fails the plan.
func TestAccImmutable_bucketFixedName(t *testing.T) {
	name := fmt.Sprintf("bucket = %q", acctest.BucketName())
	withOwner := func(days int, owner string) string {
		return guardedBucket(name, days) + fmt.Sprintf(`
resource "gdpr_immutable" "owner" {
  target_id  = gdpr_bucket.b.id
  attributes = { owner = %q }
}`, owner)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: withOwner(30, "billing")},
			{
				Config: withOwner(60, "billing"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("gdpr_bucket.b", plancheck.ResourceActionReplace),
					plancheck.ExpectUnknownValue("gdpr_bucket.b", tfjsonpath.New("id")),
					plancheck.ExpectResourceAction("gdpr_immutable.b", plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction("gdpr_immutable.owner", plancheck.ResourceActionReplace),
				}},
			},
			{
				Config:      withOwner(60, "marketing"),
				ExpectError: regexp.MustCompile(`(?s)In-place update of a guarded resource refused.*"gdpr-test-.*changed: owner\)`),
			},
		},
	})
}
