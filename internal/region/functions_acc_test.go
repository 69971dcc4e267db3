package region_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccRegionFunctions_outputs(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
output "jurisdiction" {
  value = provider::gdpr::jurisdiction("azure", "norwayeast")
}
output "info" {
  value = provider::gdpr::region_info("aws", "eu-central-1")
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("jurisdiction", knownvalue.StringExact("EEA")),
				statecheck.ExpectKnownOutputValue("info", knownvalue.ObjectExact(map[string]knownvalue.Check{
					"region":            knownvalue.StringExact("eu-central-1"),
					"cloud":             knownvalue.StringExact("aws"),
					"location":          knownvalue.StringExact("Frankfurt"),
					"country_code":      knownvalue.StringExact("DE"),
					"country":           knownvalue.StringExact("Germany"),
					"jurisdiction":      knownvalue.StringExact("EU"),
					"eu_member":         knownvalue.Bool(true),
					"eea_member":        knownvalue.Bool(true),
					"adequacy_decision": knownvalue.StringExact(""),
					"reason":            knownvalue.StringRegexp(regexp.MustCompile(`^eu-central-1 \(Frankfurt\) is in Germany \(DE\), an EU member state\.$`)),
				})),
			},
		}},
	})
}

// residencyModule is the validation block of examples/modules/residency: what data sources cannot do.
const residencyModule = `
variable "region" {
  type = string
  validation {
    condition     = provider::gdpr::jurisdiction("aws", var.region) == "EU"
    error_message = "The region must be in an EU member state (jurisdiction EU)."
  }
}
resource "terraform_data" "records" {
  input = var.region
}`

func TestAccRegionFunctions_variableValidation(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:          residencyModule,
				ConfigVariables: config.Variables{"region": config.StringVariable("us-east-1")},
				ExpectError:     regexp.MustCompile(`(?s)Invalid value for variable.*must be in an EU member state`),
			},
			{
				Config:          residencyModule,
				ConfigVariables: config.Variables{"region": config.StringVariable("mars-1")},
				ExpectError:     regexp.MustCompile(`(?s)Invalid value for "region" parameter: "mars-1" is not an AWS region name`),
			},
			{
				Config:          residencyModule,
				ConfigVariables: config.Variables{"region": config.StringVariable("eu-middle-9")},
				// One period, Terraform's: the provider's text must not add a second.
				ExpectError: regexp.MustCompile(`(?s)Invalid value for "region" parameter: ` + acctest.Wrapped(
					`unknown aws region "eu-middle-9"; the known regions are listed in the gdpr_region data source documentation`) + `\.\s`),
			},
			{
				Config:          residencyModule,
				ConfigVariables: config.Variables{"region": config.StringVariable("eu-west-3")},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("terraform_data.records", tfjsonpath.New("input"), knownvalue.StringExact("eu-west-3")),
				},
			},
		},
	})
}

// The same validation on the variable that also sets the provider's region, as examples/guides/other-providers
// has it. Terraform calls provider functions without configuring the provider, so the check runs as above.
// OpenTofu (1.12.6 and earlier) calls them on the configured provider, which needs the variable first, and
// refuses the configuration as a dependency cycle: the README's OpenTofu section says how to check such a
// variable there, and this test tells when OpenTofu changes.
func TestAccRegionFunctions_validationOfTheProvidersOwnRegion(t *testing.T) {
	module := residencyModule + `
provider "gdpr" {
  region                      = var.region
  skip_credentials_validation = true
}`
	refused := resource.TestStep{
		Config:          module,
		ConfigVariables: config.Variables{"region": config.StringVariable("us-east-1")},
		ExpectError:     regexp.MustCompile(`(?s)Invalid value for variable.*must be in an EU member state`),
	}
	accepted := resource.TestStep{
		Config:          module,
		ConfigVariables: config.Variables{"region": config.StringVariable("eu-west-3")},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue("terraform_data.records", tfjsonpath.New("input"), knownvalue.StringExact("eu-west-3")),
		},
	}
	steps := []resource.TestStep{refused, accepted}
	if acctest.TestedCLI(t).OpenTofu {
		accepted.ConfigStateChecks = nil
		// OpenTofu names the two in either order.
		accepted.ExpectError = regexp.MustCompile(`Cycle: (provider\["[^"]*/gdpr"\], var\.region|var\.region \(expand, reference\), provider\["[^"]*/gdpr"\])`)
		steps = []resource.TestStep{accepted}
	}
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}
