package key_test

import (
	"fmt"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/key"
)

// TestAccKey_badInputs plans every configuration of a key that must fail before apply, and checks the
// message the user reads.
func TestAccKey_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, keyBadInputs(), 16)
}

func keyBadInputs() []acctest.BadInput {
	tests := map[string]struct {
		provider, body string
		want           string
	}{
		"window below 7": {
			body: `description = "x"
  deletion_window_days = 6`,
			want: `(?s)deletion_window_days.*value must be between 7 and 30, got: 6`,
		},
		"window above 30": {
			body: `description = "x"
  deletion_window_days = 31`,
			want: `(?s)deletion_window_days.*value must be between 7 and 30, got: 31`,
		},
		"rotation below 90": {
			body: `description = "x"
  rotation_period_days = 89`,
			want: `(?s)rotation_period_days.*value must be between 90 and 2560, got: 89`,
		},
		"policy not JSON": {
			body: `description = "x"
  policy = "{not json"`,
			want: `(?s)Invalid JSON String Value.*policy`,
		},
		"the creation marker as a tag": {
			body: `description = "x"
  tags = { "gdpr:creating" = "x" }`,
			want: `(?s)Reserved tag key.*"gdpr:creating".*provider's own`,
		},
		"empty description": {
			body: `description = ""`,
			want: `(?s)description.*string length must be between 1 and 8192`,
		},
		"unknown jurisdiction": {
			provider: `  allowed_jurisdictions = ["EUROPE"]`,
			body:     `description = "x"`,
			want:     `(?s)Invalid jurisdiction.*allowed_jurisdictions.*"EUROPE" is not a jurisdiction.*EU, EEA, ADEQUACY,\s+PARTIAL_ADEQUACY`,
		},
		"lower-case country": {
			provider: `  allowed_jurisdictions = ["de"]`,
			body:     `description = "x"`,
			want:     `(?s)Invalid jurisdiction.*allowed_jurisdictions.*use upper case: DE`,
		},
		"retention below one day": {
			provider: `  max_retries = 3
  allowed_jurisdictions = ["EU"]
  skip_credentials_validation = true
  max_retention_days = 0`,
			body: `description = "x"`,
			want: `(?s)max_retention_days.*at least 1`,
		},
	}
	for name, tc := range acctest.TagBadInputs() {
		tests[name] = struct {
			provider, body string
			want           string
		}{body: "description = \"x\"\n  tags = " + tc.Tags, want: acctest.Wrapped(tc.Want)}
	}
	var out []acctest.BadInput
	for name, tc := range tests {
		out = append(out, acctest.BadInput{Kind: key.ResourceType, Name: name, Want: tc.want,
			Config: acctest.ProviderConfig(acctest.Region, tc.provider) + fmt.Sprintf("resource \"gdpr_key\" \"test\" {\n  %s\n}\n", tc.body)})
	}
	return out
}
