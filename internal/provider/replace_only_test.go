package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

type describer interface{ Description(context.Context) string }

// planModifiers returns the plan modifiers of any resource attribute kind.
func planModifiers(a schema.Attribute) []describer {
	var out []describer
	add := func(ms ...describer) { out = append(out, ms...) }
	switch a := a.(type) {
	case interface{ StringPlanModifiers() []planmodifier.String }:
		for _, m := range a.StringPlanModifiers() {
			add(m)
		}
	case interface{ BoolPlanModifiers() []planmodifier.Bool }:
		for _, m := range a.BoolPlanModifiers() {
			add(m)
		}
	case interface{ Int64PlanModifiers() []planmodifier.Int64 }:
		for _, m := range a.Int64PlanModifiers() {
			add(m)
		}
	case interface{ Int32PlanModifiers() []planmodifier.Int32 }:
		for _, m := range a.Int32PlanModifiers() {
			add(m)
		}
	case interface{ Float64PlanModifiers() []planmodifier.Float64 }:
		for _, m := range a.Float64PlanModifiers() {
			add(m)
		}
	case interface{ Float32PlanModifiers() []planmodifier.Float32 }:
		for _, m := range a.Float32PlanModifiers() {
			add(m)
		}
	case interface{ NumberPlanModifiers() []planmodifier.Number }:
		for _, m := range a.NumberPlanModifiers() {
			add(m)
		}
	case interface{ DynamicPlanModifiers() []planmodifier.Dynamic }:
		for _, m := range a.DynamicPlanModifiers() {
			add(m)
		}
	case interface{ ListPlanModifiers() []planmodifier.List }:
		for _, m := range a.ListPlanModifiers() {
			add(m)
		}
	case interface{ SetPlanModifiers() []planmodifier.Set }:
		for _, m := range a.SetPlanModifiers() {
			add(m)
		}
	case interface{ MapPlanModifiers() []planmodifier.Map }:
		for _, m := range a.MapPlanModifiers() {
			add(m)
		}
	case interface{ ObjectPlanModifiers() []planmodifier.Object }:
		for _, m := range a.ObjectPlanModifiers() {
			add(m)
		}
	}
	return out
}

// nested returns the attributes nested under a, if any.
func nested(a schema.Attribute) map[string]schema.Attribute {
	switch a := a.(type) {
	case schema.SingleNestedAttribute:
		return a.Attributes
	case schema.ListNestedAttribute:
		return a.NestedObject.Attributes
	case schema.SetNestedAttribute:
		return a.NestedObject.Attributes
	case schema.MapNestedAttribute:
		return a.NestedObject.Attributes
	}
	return nil
}

var requiresReplace = stringplanmodifier.RequiresReplace().Description(context.Background())

// checkReplaceOnly fails for every configurable attribute, at any depth, without a RequiresReplace modifier,
// and for every computed-only attribute with one (it would plan a replacement on every refresh).
func checkReplaceOnly(t *testing.T, prefix string, attrs map[string]schema.Attribute) (checked int) {
	t.Helper()
	ctx := context.Background()
	for name, a := range attrs {
		p := prefix + name
		has := false
		for _, m := range planModifiers(a) {
			if m.Description(ctx) == requiresReplace {
				has = true
			}
		}
		configurable := a.IsRequired() || a.IsOptional()
		switch {
		case configurable && !has:
			t.Errorf("%s is configurable but does not force replacement", p)
		case !configurable && has:
			t.Errorf("%s is computed only but forces replacement", p)
		}
		// A write-only value is null in plan and state, so its own RequiresReplace never fires: a change must
		// reach the plan through a computed fingerprint that the resource plans from the configuration.
		if a.IsWriteOnly() {
			if sha, ok := attrs[name+"_sha256"]; !ok || sha.IsRequired() || sha.IsOptional() || !sha.IsComputed() {
				t.Errorf("%s is write-only but has no computed %s_sha256 beside it to plan its replacement", p, name)
			}
		}
		checked++
		checked += checkReplaceOnly(t, p+".", nested(a))
	}
	return checked
}

// TestReplaceOnly_everyConfigurableAttribute walks the schema of every resource the provider serves, so an
// attribute added later that does not force replacement fails here.
func TestReplaceOnly_everyConfigurableAttribute(t *testing.T) {
	ctx := context.Background()
	p := New("test")()
	resources := p.Resources(ctx)
	if len(resources) == 0 {
		t.Fatal("the provider serves no resources")
	}
	for _, f := range resources {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "gdpr"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("schema: %v", resp.Diagnostics)
			}
			if n := checkReplaceOnly(t, "", resp.Schema.Attributes); n == 0 {
				t.Fatal("no attributes checked")
			}
			if _, ok := r.(resource.ResourceWithModifyPlan); !ok {
				t.Error("the resource has no plan-time guard (ModifyPlan)")
			}
		})
	}
}

// TestReplaceOnly_everyAttributeKind proves the walker handles every attribute kind the framework offers,
// nested ones included, before a resource needs it.
func TestReplaceOnly_everyAttributeKind(t *testing.T) {
	inner := map[string]schema.Attribute{
		"s": schema.StringAttribute{Required: true},
		"c": schema.StringAttribute{Computed: true},
	}
	s := replaceOnly(schema.Schema{Attributes: map[string]schema.Attribute{
		"string":  schema.StringAttribute{Optional: true, PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()}},
		"bool":    schema.BoolAttribute{Optional: true},
		"int64":   schema.Int64Attribute{Required: true},
		"int32":   schema.Int32Attribute{Optional: true},
		"float64": schema.Float64Attribute{Optional: true},
		"float32": schema.Float32Attribute{Optional: true},
		"number":  schema.NumberAttribute{Optional: true},
		"dynamic": schema.DynamicAttribute{Optional: true},
		"list":    schema.ListAttribute{Optional: true, ElementType: types.StringType},
		"set":     schema.SetAttribute{Optional: true, ElementType: types.StringType},
		"map":     schema.MapAttribute{Optional: true, ElementType: types.StringType},
		"object":  schema.ObjectAttribute{Optional: true, AttributeTypes: map[string]attr.Type{"a": types.StringType}},
		"single":  schema.SingleNestedAttribute{Optional: true, Attributes: inner},
		"listn":   schema.ListNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{Attributes: inner}},
		"setn":    schema.SetNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{Attributes: inner}},
		"mapn":    schema.MapNestedAttribute{Optional: true, NestedObject: schema.NestedAttributeObject{Attributes: inner}},
		"id":      schema.StringAttribute{Computed: true},
		"secret":  schema.StringAttribute{Optional: true, WriteOnly: true},
		// The fingerprint a resource must plan for a write-only attribute.
		"secret_sha256": schema.StringAttribute{Computed: true},
	}})
	if n := checkReplaceOnly(t, "", s.Attributes); n != 19+4*2 {
		t.Errorf("checked %d attributes, want %d", n, 19+4*2)
	}
	// The modifier goes last, so UseStateForUnknown still keeps an unset optional computed value.
	mods := planModifiers(s.Attributes["string"])
	if len(mods) != 2 || mods[1].Description(context.Background()) != requiresReplace {
		t.Errorf("string modifiers = %v, want UseStateForUnknown then RequiresReplace", mods)
	}
	// The caller's schema is not modified behind its back.
	if s, ok := inner["s"].(schema.StringAttribute); !ok || len(s.PlanModifiers) != 0 {
		t.Error("replaceOnly modified the nested attributes it was given")
	}
}

func keyTestSchema(t *testing.T) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	NewKeyResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema
}

func keyTestModel() keyModel {
	return keyModel{
		ID:                 types.StringValue("1234abcd-12ab-34cd-56ef-1234567890ab"),
		ARN:                types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		Description:        types.StringValue("customer records"),
		DeletionWindowDays: types.Int64Value(30),
		RotationPeriodDays: types.Int64Value(365),
		Policy:             jsontypes.NewNormalizedValue(`{"Version":"2012-10-17"}`),
		Tags:               types.MapNull(types.StringType),
		Region:             types.StringValue("eu-central-1"),
		Jurisdiction:       types.StringValue("EU"),
	}
}

// modifyPlanRequest builds the request Terraform sends when planning from prior to planned.
func modifyPlanRequest(t *testing.T, prior, planned keyModel) (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	s := keyTestSchema(t)
	empty := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	state := tfsdk.State{Schema: s, Raw: empty}
	plan := tfsdk.Plan{Schema: s, Raw: empty}
	if d := state.Set(ctx, prior); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, planned); d.HasError() {
		t.Fatal(d)
	}
	// The configuration equals the plan here: these tests never depend on a computed value being unset.
	config := tfsdk.Config{Schema: s, Raw: plan.Raw}
	req := resource.ModifyPlanRequest{State: state, Plan: plan, Config: config}
	return req, &resource.ModifyPlanResponse{Plan: plan}
}

func TestGuardInPlaceUpdate(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		change  func(*keyModel)
		wantErr string
	}{
		"no change": {change: func(*keyModel) {}},
		"a configurable argument changes: a replacement, allowed": {
			change: func(m *keyModel) { m.Description = types.StringValue("other") },
		},
		"only a computed attribute changes: an in-place update, refused": {
			change:  func(m *keyModel) { m.ARN = types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/other") },
			wantErr: `gdpr_key "1234abcd-12ab-34cd-56ef-1234567890ab" would be updated in place \(changed: arn\)`,
		},
		"several computed attributes change: all are named": {
			change: func(m *keyModel) {
				m.Jurisdiction = types.StringValue("EEA")
				m.ARN = types.StringUnknown()
			},
			wantErr: `\(changed: arn, jurisdiction\)`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			prior := keyTestModel()
			planned := prior
			tc.change(&planned)
			req, resp := modifyPlanRequest(t, prior, planned)
			replaceonly.GuardInPlaceUpdate(ctx, keyTypeName, req, resp)
			if tc.wantErr == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatal("the in-place update was not refused")
			}
			detail := resp.Diagnostics.Errors()[0].Detail()
			if !regexp.MustCompile(tc.wantErr).MatchString(detail) {
				t.Errorf("detail %q does not match %q", detail, tc.wantErr)
			}
			if !strings.Contains(detail, "-replace=") {
				t.Errorf("detail %q does not say how to get a replacement", detail)
			}
		})
	}
}

// TestModifyPlan_residency proves a resource outside the allowed jurisdictions fails at plan, with the
// region, its country, its jurisdiction and the policy named, and that an allowed one gets its placement.
func TestModifyPlan_residency(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		region, want string
		allowed      []string
		ok           bool
	}{
		{region: "eu-central-1", allowed: []string{"EEA"}, ok: true},
		{region: "eu-north-1", allowed: []string{"EU"}, ok: true},
		{region: "eu-west-2", allowed: []string{"ADEQUACY"}, ok: true},
		{region: "eu-west-2", allowed: []string{"EEA"}, want: `eu-west-2 \(London\) is in the United Kingdom \(GB\), jurisdiction ADEQUACY, which the policy \[EEA\] does not allow`},
		{region: "us-east-1", allowed: []string{"EEA"}, want: `us-east-1 \(N. Virginia\) is in the United States \(US\), jurisdiction PARTIAL_ADEQUACY, which the policy \[EEA\] does not allow`},
		{region: "us-east-1", allowed: []string{"US"}, ok: true},
		{region: "ap-south-1", allowed: []string{"EU", "ADEQUACY"}, want: `ap-south-1 \(Mumbai\) is in India \(IN\), jurisdiction THIRD_COUNTRY, which the policy \[EU, ADEQUACY\] does not allow`},
	}
	for _, tc := range tests {
		t.Run(tc.region+"/"+strings.Join(tc.allowed, ","), func(t *testing.T) {
			region, err := jurisdiction.Lookup("aws", tc.region)
			if err != nil {
				t.Fatal(err)
			}
			r := &immutable{typeName: keyTypeName, data: placedData(tc.allowed, tc.region)}
			planned := keyTestModel()
			planned.ID, planned.ARN = types.StringUnknown(), types.StringUnknown()
			planned.Region, planned.Jurisdiction = types.StringUnknown(), types.StringUnknown()
			req, resp := modifyPlanRequest(t, planned, planned)
			req.State = tfsdk.State{Schema: req.State.Schema, Raw: tftypes.NewValue(req.State.Raw.Type(), nil)}
			r.ModifyPlan(ctx, req, resp)
			if tc.ok {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				var got keyModel
				resp.Plan.Get(ctx, &got)
				if got.Region.ValueString() != tc.region || got.Jurisdiction.ValueString() != string(region.Country.Jurisdiction) {
					t.Errorf("planned placement %s/%s, want %s/%s", got.Region, got.Jurisdiction, tc.region, region.Country.Jurisdiction)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatal("the plan was not refused")
			}
			d := resp.Diagnostics.Errors()[0]
			if d.Summary() != "Region not allowed for personal data" || !regexp.MustCompile(tc.want).MatchString(d.Detail()) {
				t.Errorf("got %q: %q, want a detail matching %q", d.Summary(), d.Detail(), tc.want)
			}
		})
	}
}

func TestModifyPlan_destroyIsNeverBlocked(t *testing.T) {
	ctx := context.Background()
	region, _ := jurisdiction.Lookup("aws", "us-east-1")
	r := &immutable{typeName: keyTypeName, data: placedData([]string{"EU"}, region.Name)}
	req, resp := modifyPlanRequest(t, keyTestModel(), keyTestModel())
	req.Plan = tfsdk.Plan{Schema: req.Plan.Schema, Raw: tftypes.NewValue(req.Plan.Raw.Type(), nil)}
	resp.Plan = req.Plan
	r.ModifyPlan(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("a destroy plan was blocked: %v", resp.Diagnostics)
	}
}

func TestUpdateRefuses(t *testing.T) {
	var resp resource.UpdateResponse
	NewKeyResource().Update(context.Background(), resource.UpdateRequest{}, &resp)
	if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != "In-place update refused" {
		t.Fatalf("Update did not refuse: %v", resp.Diagnostics)
	}
}

// placedData is the provider data of a configuration whose region is regionName, under allowed.
func placedData(allowed []string, regionName string) *providerdata.Data {
	d := providerdata.New()
	d.Allowed = allowed
	d.Place(regionName)
	return d
}
