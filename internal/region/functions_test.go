package region_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/region"
)

// Argument positions of both functions, zero-based as function errors count them.
const (
	argCloud  = 0
	argRegion = 1
)

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
		{cloud: "GCP", region: "europe-west6", want: "ADEQUACY"},
		{cloud: "aws", region: "us-east-1", want: "PARTIAL_ADEQUACY"},
		{cloud: "aws", region: "ap-south-1", want: "THIRD_COUNTRY"},
		{cloud: "oracle", region: "eu-frankfurt-1", errPos: argCloud, errText: `unknown cloud "oracle"`},
		{cloud: "aws", region: "eu-middle-9", errPos: argRegion, errText: `unknown aws region "eu-middle-9"`},
		{cloud: "aws", region: "mars-1", errPos: argRegion, errText: `"mars-1" is not an AWS region name: region names are lower-case words`},
		{cloud: "aws", region: "eu-central-1 ", errPos: argRegion, errText: `"eu-central-1 " is not an AWS region name: region names are lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces; write "eu-central-1"`},
		{cloud: "AWS", region: "eu-central-1\n", errPos: argRegion, errText: `"eu-central-1\n" is not an AWS region name`},
		{cloud: "gcp", region: "europe west3", errPos: argRegion, errText: `unknown gcp region "europe west3"`},
		{cloud: "aws", region: "EU-CENTRAL-1", errPos: argRegion, errText: `case-sensitive: use "eu-central-1"`},
		{cloud: "aws", region: "eu-isoe-west-1", errPos: argRegion, errText: `isolated partition aws-iso-e; isolated AWS partitions`},
	} {
		got, err := acctest.RunFunction(t, region.NewJurisdictionFunction(),
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
	got, err := acctest.RunFunction(t, region.NewRegionInfoFunction(),
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
	// Same attributes as gdpr_region, minus allowed and dataset_as_of.
	if len(a) != 10 {
		t.Errorf("%d attributes, want 10", len(a))
	}
	if _, err := acctest.RunFunction(t, region.NewRegionInfoFunction(),
		types.StringValue("aws"), types.StringValue("nowhere-1")); err == nil || *err.FunctionArgument != argRegion {
		t.Errorf("unknown region: error = %v, want one on argument %d", err, argRegion)
	}
}

// asTerraformShowsIt is a function's argument error as Terraform prints it: Terraform names the parameter
// and ends the provider's text with a period of its own.
func asTerraformShowsIt(param string, text string) string {
	return fmt.Sprintf("Invalid value for %q parameter: %s.", param, text)
}

// TestFunctions_errorsEndInOnePeriod runs both region functions on every kind of bad argument. Terraform
// adds the final period, so the provider's text must not end in one ("..." came out as "documentation..").
func TestFunctions_errorsEndInOnePeriod(t *testing.T) {
	params := []string{"cloud", "region"}
	for _, f := range []func() function.Function{region.NewJurisdictionFunction, region.NewRegionInfoFunction} {
		for _, args := range [][2]string{{"oracle", "x"}, {"aws", "mars-1"}, {"aws", "EU-CENTRAL-1"}, {"aws", "us-iso-west-1"}} {
			_, err := acctest.RunFunction(t, f(), types.StringValue(args[0]), types.StringValue(args[1]))
			if err == nil || err.FunctionArgument == nil {
				t.Fatalf("%v: error = %v, want one on an argument", args, err)
			}
			if shown := asTerraformShowsIt(params[*err.FunctionArgument], err.Text); strings.HasSuffix(shown, "..") {
				t.Errorf("%v: Terraform shows %q", args, shown)
			}
		}
	}
}
