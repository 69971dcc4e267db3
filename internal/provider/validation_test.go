package provider_test

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccValidation_badInputs runs every bad input of the provider block, the resources and the data
// sources through Terraform's plan; nothing may reach apply.
func TestAccValidation_badInputs(t *testing.T) {
	var all []acctest.BadInput
	for _, cases := range [][]acctest.BadInput{providerBadInputs(), keyBadInputs(), serverBadInputs(),
		regionBadInputs(), retentionBadInputs()} {
		all = append(all, cases...)
	}
	acctest.RunBadInputs(t, all, 30)
}
