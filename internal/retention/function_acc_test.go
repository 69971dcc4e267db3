package retention_test

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccRetentionFunction_outputs(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ProviderFunctions},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
output "compliant" {
  value = provider::gdpr::retention_compliant(30, 365, null)
}
output "too_short" {
  value = provider::gdpr::retention_compliant(30, 365, 60)
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownOutputValue("compliant", knownvalue.Bool(true)),
				statecheck.ExpectKnownOutputValue("too_short", knownvalue.Bool(false)),
			},
		}},
	})
}
