package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// runFunction calls a provider function directly, as Terraform would, and returns its result or error.
func runFunction(t *testing.T, f function.Function, result attr.Value, args ...attr.Value) (attr.Value, *function.FuncError) {
	t.Helper()
	ctx := context.Background()
	var def function.DefinitionResponse
	f.Definition(ctx, function.DefinitionRequest{}, &def)
	if def.Diagnostics.HasError() {
		t.Fatalf("definition: %v", def.Diagnostics)
	}
	resp := function.RunResponse{Result: function.NewResultData(result)}
	f.Run(ctx, function.RunRequest{Arguments: function.NewArgumentsData(args)}, &resp)
	return resp.Result.Value(), resp.Error
}

func TestJurisdictionFunction(t *testing.T) {
	for _, tc := range []struct {
		cloud, region, want string
		errPos              int64
		errText             string
	}{
		{cloud: "aws", region: "eu-central-1", want: "EU"},
		{cloud: "AWS", region: "eu-north-1", want: "EU"},
		{cloud: "azure", region: "norwayeast", want: "EEA"},
		{cloud: "gcp", region: "europe-west6", want: "ADEQUACY"},
		{cloud: "aws", region: "us-east-1", want: "PARTIAL_ADEQUACY"},
		{cloud: "aws", region: "ap-south-1", want: "THIRD_COUNTRY"},
		{cloud: "oracle", region: "eu-frankfurt-1", errPos: 0, errText: `unknown cloud "oracle"`},
		{cloud: "aws", region: "mars-1", errPos: 1, errText: `unknown aws region "mars-1"`},
		{cloud: "aws", region: "EU-CENTRAL-1", errPos: 1, errText: `did you mean "eu-central-1"`},
	} {
		got, err := runFunction(t, NewJurisdictionFunction(), types.StringNull(),
			types.StringValue(tc.cloud), types.StringValue(tc.region))
		if tc.errText != "" {
			if err == nil || err.FunctionArgument == nil || *err.FunctionArgument != tc.errPos || !strings.Contains(err.Text, tc.errText) {
				t.Errorf("jurisdiction(%q, %q) error = %v, want %q on argument %d", tc.cloud, tc.region, err, tc.errText, tc.errPos)
			}
			continue
		}
		if err != nil || !got.Equal(types.StringValue(tc.want)) {
			t.Errorf("jurisdiction(%q, %q) = %v, %v; want %q", tc.cloud, tc.region, got, err, tc.want)
		}
	}
}

func TestRegionInfoFunction(t *testing.T) {
	got, err := runFunction(t, NewRegionInfoFunction(), types.ObjectNull(regionInfoTypes),
		types.StringValue("aws"), types.StringValue("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	obj, ok := got.(types.Object)
	if !ok {
		t.Fatalf("result is %T, want an object", got)
	}
	a := obj.Attributes()
	for name, want := range map[string]attr.Value{
		"region":       types.StringValue("us-east-1"),
		"cloud":        types.StringValue("aws"),
		"country_code": types.StringValue("US"),
		"jurisdiction": types.StringValue("PARTIAL_ADEQUACY"),
		"eu_member":    types.BoolValue(false),
		"eea_member":   types.BoolValue(false),
	} {
		if !a[name].Equal(want) {
			t.Errorf("%s = %v, want %v", name, a[name], want)
		}
	}
	reason, _ := a["reason"].(types.String)
	// The reason judges against no policy, and for a partial decision says what to make sure of.
	if s := reason.ValueString(); !strings.HasPrefix(s, "us-east-1 (") || !strings.Contains(s, "make sure") || strings.Contains(s, "policy") {
		t.Errorf("reason = %q", s)
	}
	// Same attributes as gdpr_region, minus allowed.
	if len(a) != 10 {
		t.Errorf("%d attributes, want 10", len(a))
	}
	if _, err := runFunction(t, NewRegionInfoFunction(), types.ObjectNull(regionInfoTypes),
		types.StringValue("aws"), types.StringValue("nowhere-1")); err == nil || *err.FunctionArgument != argRegion {
		t.Errorf("unknown region: error = %v, want one on argument %d", err, argRegion)
	}
}

func TestRetentionCompliantFunction(t *testing.T) {
	null := types.Int64Null()
	n := types.Int64Value
	for _, tc := range []struct {
		name                   string
		days, maxDays, minimum types.Int64
		want                   bool
		errPos                 int64
	}{
		{name: "within", days: n(30), maxDays: n(365), minimum: null, want: true},
		{name: "at the maximum", days: n(365), maxDays: n(365), minimum: null, want: true},
		{name: "too long", days: n(366), maxDays: n(365), minimum: null},
		{name: "at the minimum", days: n(10), maxDays: n(365), minimum: n(10), want: true},
		{name: "too short", days: n(9), maxDays: n(365), minimum: n(10)},
		{name: "zero days", days: n(0), maxDays: n(1), minimum: null, want: true},
		{name: "negative days", days: n(-1), maxDays: n(1), minimum: null, errPos: argDays + 1},
		{name: "no maximum", days: n(1), maxDays: n(0), minimum: null, errPos: argMaxDays + 1},
		{name: "negative minimum", days: n(1), maxDays: n(1), minimum: n(-1), errPos: argMinimumDays + 1},
	} {
		got, err := runFunction(t, NewRetentionCompliantFunction(), types.BoolNull(), tc.days, tc.maxDays, tc.minimum)
		if tc.errPos != 0 {
			if err == nil || *err.FunctionArgument != tc.errPos-1 {
				t.Errorf("%s: error = %v, want one on argument %d", tc.name, err, tc.errPos-1)
			}
			continue
		}
		if err != nil || !got.Equal(types.BoolValue(tc.want)) {
			t.Errorf("%s: got %v, %v; want %v", tc.name, got, err, tc.want)
		}
	}
}
