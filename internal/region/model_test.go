package region

import (
	"os"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

func frankfurt(t *testing.T) jurisdiction.Region {
	t.Helper()
	r, err := jurisdiction.Lookup("aws", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRegionModel_fromRegion proves that fromRegion fills every attribute region_info returns, and that the
// model and its declared types agree, so region_info cannot return a null or fail on a new attribute.
func TestRegionModel_fromRegion(t *testing.T) {
	var m regionModel
	m.fromRegion(frankfurt(t))
	obj, diags := types.ObjectValueFrom(t.Context(), regionAttrTypes(), m)
	if diags.HasError() {
		t.Fatalf("the model does not match its attribute types: %v", diags)
	}
	for name, v := range obj.Attributes() {
		if v.IsNull() || v.IsUnknown() {
			t.Errorf("fromRegion leaves %s unset", name)
		}
	}
	if got, want := m.Reason.ValueString(), "eu-central-1 (Frankfurt) is in Germany (DE), an EU member state."; got != want {
		t.Errorf("reason = %q, want %q", got, want)
	}
}

// TestDataSourceModel_matchesSchema proves that the data source's schema declares every attribute of the
// shared model with the type region_info returns, and that its model, the shared one embedded, fits the
// schema: an attribute added to one side only fails here.
func TestDataSourceModel_matchesSchema(t *testing.T) {
	ctx := t.Context()
	var resp datasource.SchemaResponse
	NewDataSource().Schema(ctx, datasource.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema: %v", resp.Diagnostics)
	}
	for name, typ := range regionAttrTypes() {
		a, ok := resp.Schema.Attributes[name]
		if !ok {
			t.Errorf("the data source has no %s attribute", name)
			continue
		}
		if !a.GetType().Equal(typ) {
			t.Errorf("%s is %s in the data source and %s in region_info", name, a.GetType(), typ)
		}
	}
	var m dataSourceModel
	m.fromRegion(frankfurt(t))
	m.Allowed = types.BoolValue(true)
	state := tfsdk.State{Schema: resp.Schema, Raw: tftypes.NewValue(resp.Schema.Type().TerraformType(ctx), nil)}
	if diags := state.Set(ctx, m); diags.HasError() {
		t.Fatalf("the data source's model does not fit its schema: %v", diags)
	}
	var dataset types.String
	if diags := state.GetAttribute(ctx, path.Root("dataset_as_of"), &dataset); diags.HasError() || dataset.ValueString() == "" {
		t.Errorf("dataset_as_of = %v, %v", dataset, diags)
	}
}

// TestRegionInfo_docsNameWhatItLacks compares the data source's attributes with the function's: the function's
// description and its page template must name every attribute the function does not return.
func TestRegionInfo_docsNameWhatItLacks(t *testing.T) {
	var ds datasource.SchemaResponse
	NewDataSource().Schema(t.Context(), datasource.SchemaRequest{}, &ds)
	var def function.DefinitionResponse
	NewRegionInfoFunction().Definition(t.Context(), function.DefinitionRequest{}, &def)
	tmpl, err := os.ReadFile("../../templates/functions/region_info.md.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	returned := regionAttrTypes()
	for name := range ds.Schema.Attributes {
		if _, ok := returned[name]; ok {
			continue
		}
		if !strings.Contains(def.Definition.MarkdownDescription, "`"+name+"`") {
			t.Errorf("region_info returns no %s, and its description does not say so", name)
		}
		if !strings.Contains(string(tmpl), "`"+name+"`") {
			t.Errorf("region_info returns no %s, and templates/functions/region_info.md.tmpl does not say so", name)
		}
	}
}
