package replaceonly_test

import (
	"context"
	"slices"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/types"
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
		destroyOnly := prefix == "" && slices.Contains(replaceonly.DestroyOnly, name)
		switch {
		case destroyOnly && (!configurable || has):
			t.Errorf("%s governs only the destroy: it must be an argument that does not force replacement", p)
		case destroyOnly:
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
	p := provider.New("test")()
	resources := p.Resources(ctx)
	if len(resources) == 0 {
		t.Fatal("the provider serves no resources")
	}
	// Every name on the destroy-only list is an argument of some resource: the list holds no stale name.
	seen := map[string]bool{}
	defer func() {
		for _, name := range replaceonly.DestroyOnly {
			if !seen[name] {
				t.Errorf("replaceonly.DestroyOnly names %q, which no resource has", name)
			}
		}
	}()
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
			for _, name := range replaceonly.DestroyOnly {
				if _, ok := resp.Schema.Attributes[name]; ok {
					seen[name] = true
				}
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
	s := replaceonly.Schema(schema.Schema{Attributes: map[string]schema.Attribute{
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

// TestReplaceOnly_everyResourceRefusesUpdate calls Update on every resource the provider serves: a plan
// that slipped past the guard must still not change anything in place.
func TestReplaceOnly_everyResourceRefusesUpdate(t *testing.T) {
	ctx := context.Background()
	for _, f := range provider.New("test")().Resources(ctx) {
		r := f()
		var meta resource.MetadataResponse
		r.Metadata(ctx, resource.MetadataRequest{ProviderTypeName: "gdpr"}, &meta)
		t.Run(meta.TypeName, func(t *testing.T) {
			var resp resource.UpdateResponse
			r.Update(ctx, resource.UpdateRequest{}, &resp)
			if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != "In-place update refused" {
				t.Fatalf("Update did not refuse: %v", resp.Diagnostics)
			}
		})
	}
}
