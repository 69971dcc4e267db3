package region

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// A failed lookup tells the user where the known regions are listed, unless it can name the region meant.
func TestLookupProblem(t *testing.T) {
	for _, tc := range []struct{ cloud, region, want string }{
		{"aws", "xx-1", `unknown aws region "xx-1"; the known regions are listed in the gdpr_region data source documentation`},
		{"aws", "EU-central-1", `unknown aws region "EU-central-1"; region names are case-sensitive: use "eu-central-1"`},
		{"moon", "a", `unknown cloud "moon"; valid clouds are aws, azure, gcp`},
		{"aws", "us-iso-east-1", `aws region "us-iso-east-1" is in the isolated partition aws-iso; isolated AWS partitions (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f) are not covered by the provider's jurisdiction data`},
	} {
		_, err := jurisdiction.Lookup(tc.cloud, tc.region)
		if got := lookupProblem(err); got != tc.want {
			t.Errorf("lookupProblem(%s/%s) = %q, want %q", tc.cloud, tc.region, got, tc.want)
		}
	}
}

// The data source prints a failed lookup as a sentence of its own: it must end in exactly one period.
func TestUnknownRegionDiag_endsInOnePeriod(t *testing.T) {
	for _, tc := range []struct{ cloud, region string }{
		{"aws", "xx-1"}, {"aws", "EU-central-1"}, {"moon", "a"}, {"aws", "us-isof-east-1"},
	} {
		_, err := jurisdiction.Lookup(tc.cloud, tc.region)
		d := unknownRegionDiag(path.Root("region"), err).Detail()
		if !strings.HasSuffix(d, ".") || strings.HasSuffix(d, "..") {
			t.Errorf("gdpr_region error for %s/%s = %q, want one final period", tc.cloud, tc.region, d)
		}
	}
}
