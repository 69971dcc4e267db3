package key_test

import (
	"fmt"
	"strings"
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
	for name, tc := range tagBadInputs() {
		tests[name] = struct {
			provider, body string
			want           string
		}{body: "description = \"x\"\n  tags = " + tc.tags, want: acctest.Wrapped(tc.want)}
	}
	var out []acctest.BadInput
	for name, tc := range tests {
		out = append(out, acctest.BadInput{Kind: key.ResourceType, Name: name, Want: tc.want,
			Config: acctest.ProviderConfig(acctest.Region, tc.provider) + fmt.Sprintf("resource \"gdpr_key\" \"test\" {\n  %s\n}\n", tc.body)})
	}
	return out
}

// tagBadInputs are tags every gdpr_* resource refuses at validate, by AWS's tag rules, each with its error.
func tagBadInputs() map[string]struct{ tags, want string } {
	return map[string]struct{ tags, want string }{
		"51 tags": {manyTags(51), `(?s)Too many tags.*51 tags are configured, and at most 49 are allowed: AWS allows 50 tags per resource, and the provider adds its own "gdpr:creating" tag`},
		"50 tags, leaving no room for the creation marker": {manyTags(50), `(?s)Too many tags.*50 tags are configured, and at most 49 are allowed`},
		"129-character tag key":                            {fmt.Sprintf("{ %q = \"x\" }", strings.Repeat("k", 129)), `(?s)Invalid tag key.*is 129 characters long; tag keys must be 1 to 128 characters long`},
		"257-character tag value":                          {fmt.Sprintf("{ owner = %q }", strings.Repeat("v", 257)), `(?s)Invalid tag value.*The value of the tag "owner" is 257 characters long; tag values may have at most 256 characters`},
		"control character in a tag value":                 {`{ owner = "a\u0000b" }`, `(?s)Invalid tag value.*The value of the tag "owner" contains '\\x00', which AWS does not accept in tags; values may contain letters, numbers, spaces and the characters _ \. : / = \+ - @`},
		"newline in a tag key":                             {`{ "own\ner" = "x" }`, `(?s)Invalid tag key.*The tag key "own\\ner" contains '\\n', which AWS does not accept`},
		"aws: tag key in mixed case":                       {`{ "AwS:owner" = "x" }`, `(?s)Reserved tag key.*The tag key "AwS:owner" starts with "aws:", which AWS reserves`},
	}
}

// manyTags is a tags map of n distinct, valid tags.
func manyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%02d = \"x\"", i)
	}
	return "{ " + strings.Join(tags, ", ") + " }"
}
