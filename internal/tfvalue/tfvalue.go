// Package tfvalue converts between Terraform values and the plain Go values the awsapi and policy packages
// take, for the conversions that several resources share.
package tfvalue

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// StringMap reads a map of strings; null and unknown read as an empty map.
func StringMap(ctx context.Context, m types.Map) (map[string]string, error) {
	out := map[string]string{}
	if m.IsNull() || m.IsUnknown() {
		return out, nil
	}
	if diags := m.ElementsAs(ctx, &out, false); diags.HasError() {
		return nil, fmt.Errorf("reading a map of strings: %v", diags)
	}
	return out, nil
}

// MapValue builds a Terraform map of strings.
func MapValue(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}

// KnownInt64 reports whether v holds a value: neither null nor unknown.
func KnownInt64(v types.Int64) bool { return !v.IsNull() && !v.IsUnknown() }

// ListValue builds a Terraform list of strings; nil is an empty list, not null.
func ListValue(l []string) types.List {
	elems := make([]attr.Value, 0, len(l))
	for _, s := range l {
		elems = append(elems, types.StringValue(s))
	}
	return types.ListValueMust(types.StringType, elems)
}
