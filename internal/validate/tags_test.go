package validate

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// validateTags runs the tags validator on tags, as Terraform would on the tags argument, and returns each
// error as "path: summary: detail".
func validateTags(t *testing.T, tags map[string]attr.Value) []string {
	t.Helper()
	m, diags := types.MapValue(types.StringType, tags)
	if diags.HasError() {
		t.Fatal(diags)
	}
	resp := &validator.MapResponse{}
	Tags().ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("tags"), ConfigValue: m}, resp)
	var out []string
	for _, d := range resp.Diagnostics.Errors() {
		p := ""
		if wp, ok := d.(interface{ Path() path.Path }); ok {
			p = wp.Path().String()
		}
		out = append(out, p+": "+d.Summary()+": "+d.Detail())
	}
	return out
}

func strs(kv ...string) map[string]attr.Value {
	m := map[string]attr.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = types.StringValue(kv[i+1])
	}
	return m
}

func numbered(n int) map[string]attr.Value {
	m := map[string]attr.Value{}
	for i := range n {
		m[fmt.Sprintf("t%02d", i)] = types.StringValue("x")
	}
	return m
}

// Tags within AWS's limits pass, at each limit; every broken rule is reported on the tag's own path, saying
// the limit.
func TestTags(t *testing.T) {
	for name, tc := range map[string]struct {
		tags map[string]attr.Value
		want []string // substrings of the errors, in order; none for valid tags
	}{
		"49 tags":                   {tags: numbered(MaxTags)},
		"128-character key":         {tags: strs(strings.Repeat("k", 128), "x")},
		"128 multi-byte characters": {tags: strs(strings.Repeat("ü", 128), strings.Repeat("ß", 256))},
		"256-character value":       {tags: strs("owner", strings.Repeat("v", 256))},
		"empty value":               {tags: strs("owner", "")},
		"every allowed character":   {tags: strs("Team 1_.:/=+-@", "Ärzte Zürich 東京 2 _.:/=+-@")},
		"aws in the middle":         {tags: strs("team:aws:x", "aws:value")},
		"unknown value":             {tags: map[string]attr.Value{"owner": types.StringUnknown()}},
		"50 tags": {tags: numbered(50), want: []string{
			`tags: Too many tags: 50 tags are configured, and at most 49 are allowed: AWS allows 50 tags per resource, and the provider adds its own "gdpr:creating" tag while it creates the resource. Remove 1 of them.`}},
		"1000 tags": {tags: numbered(1000), want: []string{`1000 tags are configured, and at most 49 are allowed`}},
		"129-character key": {tags: strs(strings.Repeat("k", 129), "x"), want: []string{
			`tags["` + strings.Repeat("k", 129) + `"]: Invalid tag key: The tag key "` + strings.Repeat("k", 40) + `"... is 129 characters long; tag keys must be 1 to 128 characters long.`}},
		"empty key": {tags: strs("", "x"), want: []string{`tags[""]: Invalid tag key: A tag key is empty; tag keys must be 1 to 128 characters long.`}},
		"257-character value": {tags: strs("owner", strings.Repeat("v", 257)), want: []string{
			`tags["owner"]: Invalid tag value: The value of the tag "owner" is 257 characters long; tag values may have at most 256 characters.`}},
		"NUL in a value": {tags: strs("owner", "a\x00b\x00"), want: []string{
			`tags["owner"]: Invalid tag value: The value of the tag "owner" contains '\x00', which AWS does not accept in tags; values may contain letters, numbers, spaces and the characters _ . : / = + - @.`}},
		"tab and hash in a key":  {tags: strs("a\tb#", "x"), want: []string{`Invalid tag key: The tag key "a\tb#" contains '\t', '#', which AWS does not accept`}},
		"aws: key":               {tags: strs("aws:owner", "x"), want: []string{`tags["aws:owner"]: Reserved tag key: The tag key "aws:owner" starts with "aws:", which AWS reserves`}},
		"AWS: key in mixed case": {tags: strs("AwS:owner", "x"), want: []string{`tags["AwS:owner"]: Reserved tag key: The tag key "AwS:owner" starts with "aws:"`}},
		"the creation marker":    {tags: strs("gdpr:creating", "x"), want: []string{`tags["gdpr:creating"]: Reserved tag key: The tag key "gdpr:creating" is the provider's own`}},
		"the move records":       {tags: strs("gdpr:moving-to", "x", "gdpr:moved-from", "y"), want: []string{`tags["gdpr:moved-from"]: Reserved tag key: The tag key "gdpr:moved-from" is the provider's own`, `tags["gdpr:moving-to"]: Reserved tag key: The tag key "gdpr:moving-to" is the provider's own`}},
		"every problem of a tag reported": {tags: strs("aws:"+strings.Repeat("k", 130)+"!", strings.Repeat("\n", 300)), want: []string{
			`is 135 characters long`, `contains '!'`, `starts with "aws:"`, `is 300 characters long`, `contains '\n'`}},
	} {
		t.Run(name, func(t *testing.T) {
			got := validateTags(t, tc.tags)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("error %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

// A server's tags leave room for the three tags of the provider's own an instance can carry at once, and
// none of the provider's tag keys may be configured.
func TestServerTags(t *testing.T) {
	validate := func(tags map[string]attr.Value) []string {
		resp := &validator.MapResponse{}
		ServerTags().ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("tags"), ConfigValue: types.MapValueMust(types.StringType, tags)}, resp)
		var out []string
		for _, d := range resp.Diagnostics {
			out = append(out, d.Summary()+": "+d.Detail())
		}
		return out
	}
	if got := validate(numbered(MaxServerTags)); len(got) != 0 {
		t.Errorf("%d tags refused: %v", MaxServerTags, got)
	}
	got := validate(numbered(MaxServerTags + 1))
	want := `Too many tags: 48 tags are configured, and at most 47 are allowed: AWS allows 50 tags per resource, and the provider adds its own "gdpr:managed-by" tag to every server, "gdpr:creating" while it creates one, and gdpr_isolate_server adds "gdpr:incident" and "gdpr:isolated-at". Remove 1 of them.`
	if len(got) != 1 || got[0] != want {
		t.Errorf("48 tags: got %q, want %q", got, want)
	}
	for _, k := range []string{"gdpr:managed-by", "gdpr:incident", "gdpr:isolated-at"} {
		if got := validate(strs(k, "x")); len(got) != 1 || !strings.HasPrefix(got[0], `Reserved tag key: The tag key "`+k+`" is the provider's own`) {
			t.Errorf("%s: got %q, want it reserved", k, got)
		}
	}
}

// A null or unknown tags map is left to Terraform: nothing to check yet.
func TestTags_nullOrUnknown(t *testing.T) {
	for _, m := range []types.Map{types.MapNull(types.StringType), types.MapUnknown(types.StringType)} {
		resp := &validator.MapResponse{}
		Tags().ValidateMap(context.Background(), validator.MapRequest{Path: path.Root("tags"), ConfigValue: m}, resp)
		if resp.Diagnostics.HasError() {
			t.Errorf("%v: %v", m, resp.Diagnostics)
		}
	}
}

// A string that becomes a tag's value is 1 to max characters, counted as characters rather than bytes, of
// those tags accept; every problem is one error.
func TestTagValue(t *testing.T) {
	validate := func(s string) []string {
		resp := &validator.StringResponse{}
		TagValue(5).ValidateString(context.Background(), validator.StringRequest{Path: path.Root("incident_id"), ConfigValue: types.StringValue(s)}, resp)
		var out []string
		for _, d := range resp.Diagnostics {
			out = append(out, d.Summary()+": "+d.Detail())
		}
		return out
	}
	for _, ok := range []string{"a", "INC-1", "é@:/+", "a b_c"} {
		if got := validate(ok); len(got) != 0 {
			t.Errorf("%q refused: %v", ok, got)
		}
	}
	for s, want := range map[string][]string{
		"":       {"Invalid value: The value is 0 characters long; it becomes a tag's value, and must be 1 to 5 characters long."},
		"INC-42": {"Invalid value: The value is 6 characters long; it becomes a tag's value, and must be 1 to 5 characters long."},
		"a#b!":   {"Invalid value: The value contains '#', '!'; it becomes a tag's value, which may contain " + strings.ReplaceAll(TagCharacters, "`", "") + "."},
	} {
		if got := validate(s); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
	}
	resp := &validator.StringResponse{}
	TagValue(5).ValidateString(context.Background(), validator.StringRequest{ConfigValue: types.StringUnknown()}, resp)
	if resp.Diagnostics.HasError() {
		t.Errorf("an unknown value is refused: %v", resp.Diagnostics)
	}
}
