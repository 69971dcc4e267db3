package retention_test

import (
	"fmt"
	"regexp"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// expect checks several attributes of one data source at once.
func expect(addr string, values map[string]knownvalue.Check) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for attr, v := range values {
		out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v))
	}
	return out
}

// reasonLike matches a reason against a regular expression.
func reasonLike(pattern string) knownvalue.Check {
	return knownvalue.StringRegexp(regexp.MustCompile(pattern))
}

// bucketConfig is a provider block, a key and a gdpr_bucket named test with the given arguments, for the
// data source to read a bucket the provider made.
func bucketConfig(body string) string {
	return acctest.ProviderConfig(acctest.Region, "") + bucketResources(body)
}

func bucketResources(body string) string {
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "bucket tests"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  kms_key_arn = gdpr_key.test.arn
%s
}
`, body)
}
