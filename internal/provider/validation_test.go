package provider_test

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccProvider_badInputs runs every bad input of the provider block through Terraform's plan; nothing may
// reach apply. The resources and data sources run their own, in their packages.
func TestAccProvider_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, providerBadInputs(), 5)
}
