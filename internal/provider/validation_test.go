package provider_test

import (
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccProvider_badInputs runs every bad input of the provider block through Terraform's plan; nothing may
// reach apply. The resources and data sources run their own, in their packages.
func TestAccProvider_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, append(providerBadInputs(), providerBlockBadInputs()...), 11)
}

// providerBlockBadInputs are provider blocks that must fail at validate, each with the region it names:
// before these were validated, a stray space in the region came back as a credentials failure and a null
// jurisdiction as an error asking for a bug report.
func providerBlockBadInputs() []acctest.BadInput {
	var out []acctest.BadInput
	for name, tc := range map[string]struct{ block, want string }{
		"null jurisdiction": {
			block: `region = "eu-central-1"
  allowed_jurisdictions = ["EU", null]`,
			want: `(?s)Null List Value.*allowed_jurisdictions.*This attribute contains a null value`,
		},
		"region with a trailing space": {
			block: `region = "eu-central-1 "`,
			want:  `(?s)Invalid AWS region.*region.*"eu-central-1 " is not an AWS region name: region names are lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces; write "eu-central-1"\.`,
		},
		"region with a newline": {
			block: `region = "eu-central-1\n"`,
			want:  `(?s)Invalid AWS region.*"eu-central-1\\n" is not an AWS region name.*write "eu-central-1"`,
		},
		"region in upper case": {
			block: `region = "EU-CENTRAL-1"`,
			want:  `(?s)Invalid AWS region.*"EU-CENTRAL-1" is not an AWS region name.*write "eu-central-1"`,
		},
		"region that is not a region name": {
			block: `region = "frankfurt"`,
			want:  `(?s)Invalid AWS region.*"frankfurt" is not an AWS region name: region names are lower-case words`,
		},
		"region of an Azure name": {
			block: `region = "germanywestcentral"`,
			want:  `(?s)Invalid AWS region.*"germanywestcentral" is not an AWS region name`,
		},
	} {
		out = append(out, acctest.BadInput{Kind: "provider", Name: name, Want: acctest.Wrapped(tc.want),
			Config: "provider \"gdpr\" {\n  " + tc.block + "\n}\n" + regionLookup})
	}
	return out
}
