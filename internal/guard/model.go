package guard

import (
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// model is the guard's state: the target's id and the values watched at the last apply.
type model struct {
	ID         types.String `tfsdk:"id"`
	TargetID   types.String `tfsdk:"target_id"`
	Attributes types.Map    `tfsdk:"attributes"`
}

// changedKeys lists the keys whose values differ between two maps of strings, sorted: added, removed,
// changed, or unknown in the plan. A map unknown as a whole changes every key it had.
func changedKeys(prior, planned types.Map) []string {
	before, after := prior.Elements(), planned.Elements()
	seen := map[string]bool{}
	if planned.IsUnknown() {
		seen["(all attributes: the whole map is unknown)"] = true
		for k := range before {
			seen[k] = true
		}
	}
	for k, v := range after {
		if old, ok := before[k]; !ok || v.IsUnknown() || !v.Equal(old) {
			seen[k] = true
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && !planned.IsUnknown() {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
