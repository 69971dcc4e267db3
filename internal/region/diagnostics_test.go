package region

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// A failed lookup tells the user where the known regions are listed, unless it can name the region meant.
func TestLookupProblem(t *testing.T) {
	for _, tc := range []struct{ cloud, region, want string }{
		{"aws", "xx-1", `unknown aws region "xx-1"; the known regions are listed in the gdpr_region data source documentation.`},
		{"aws", "EU-central-1", `unknown aws region "EU-central-1"; region names are case-sensitive, did you mean "eu-central-1"?`},
		{"moon", "a", `unknown cloud "moon"; valid clouds are aws, azure, gcp.`},
	} {
		_, err := jurisdiction.Lookup(tc.cloud, tc.region)
		if got := lookupProblem(err); got != tc.want {
			t.Errorf("lookupProblem(%s/%s) = %q, want %q", tc.cloud, tc.region, got, tc.want)
		}
	}
}
