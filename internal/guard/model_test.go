package guard

import (
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestChangedKeys(t *testing.T) {
	m := func(kv ...string) types.Map {
		e := map[string]attr.Value{}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "?" {
				e[kv[i]] = types.StringUnknown()
			} else {
				e[kv[i]] = types.StringValue(kv[i+1])
			}
		}
		return types.MapValueMust(types.StringType, e)
	}
	for _, tc := range []struct {
		name           string
		prior, planned types.Map
		want           []string
	}{
		{"same", m("a", "1", "b", "2"), m("b", "2", "a", "1"), []string{}},
		{"changed", m("a", "1", "b", "2"), m("a", "1", "b", "3"), []string{"b"}},
		{"added and removed", m("a", "1"), m("b", "1"), []string{"a", "b"}},
		{"unknown element", m("a", "1", "b", "2"), m("a", "?", "b", "2"), []string{"a"}},
		{"whole map unknown", m("a", "1"), types.MapUnknown(types.StringType), []string{"(all attributes: the whole map is unknown)", "a"}},
		{"null to set", types.MapNull(types.StringType), m("a", "1"), []string{"a"}},
		{"set to null", m("a", "1"), types.MapNull(types.StringType), []string{"a"}},
		{"null to null", types.MapNull(types.StringType), types.MapNull(types.StringType), []string{}},
	} {
		if got := changedKeys(tc.prior, tc.planned); !slices.Equal(got, tc.want) {
			t.Errorf("%s: changedKeys = %q, want %q", tc.name, got, tc.want)
		}
	}
}
