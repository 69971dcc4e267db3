package provider

import (
	"context"
	"encoding/json"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/dynamicplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float32planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int32planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// replaceOnly returns the schema with every configurable attribute, nested ones included, set to require
// replacement. Resources pass their schema through it instead of adding modifiers by hand, so an attribute
// added later cannot be forgotten. The modifier is appended last, after any UseStateForUnknown, so an
// optional computed attribute left unset keeps its value instead of planning a replacement every time.
// A write-only attribute gets the modifier too, which the framework accepts but never fires, because the
// value is null in plan and state; the resource must plan a computed <name>_sha256 from the configuration
// instead (see gdpr_server's user_data), and the schema-walking test insists on it.
func replaceOnly(s schema.Schema) schema.Schema {
	s.Attributes = replaceOnlyAttributes(s.Attributes)
	return s
}

func replaceOnlyAttributes(attrs map[string]schema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(attrs))
	for name, a := range attrs {
		out[name] = replaceOnlyAttribute(a)
	}
	return out
}

func replaceOnlyAttribute(a schema.Attribute) schema.Attribute {
	if !a.IsRequired() && !a.IsOptional() {
		return a
	}
	switch a := a.(type) {
	case schema.StringAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), stringplanmodifier.RequiresReplace())
		return a
	case schema.BoolAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), boolplanmodifier.RequiresReplace())
		return a
	case schema.Int64Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), int64planmodifier.RequiresReplace())
		return a
	case schema.Int32Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), int32planmodifier.RequiresReplace())
		return a
	case schema.Float64Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), float64planmodifier.RequiresReplace())
		return a
	case schema.Float32Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), float32planmodifier.RequiresReplace())
		return a
	case schema.NumberAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), numberplanmodifier.RequiresReplace())
		return a
	case schema.DynamicAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), dynamicplanmodifier.RequiresReplace())
		return a
	case schema.ListAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), listplanmodifier.RequiresReplace())
		return a
	case schema.SetAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), setplanmodifier.RequiresReplace())
		return a
	case schema.MapAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), mapplanmodifier.RequiresReplace())
		return a
	case schema.ObjectAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), objectplanmodifier.RequiresReplace())
		return a
	case schema.SingleNestedAttribute:
		a.Attributes = replaceOnlyAttributes(a.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), objectplanmodifier.RequiresReplace())
		return a
	case schema.ListNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), listplanmodifier.RequiresReplace())
		return a
	case schema.SetNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), setplanmodifier.RequiresReplace())
		return a
	case schema.MapNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), mapplanmodifier.RequiresReplace())
		return a
	}
	// An attribute kind not handled above is caught by TestReplaceOnly_everyConfigurableAttribute, which
	// walks every resource schema; returning it unchanged keeps the provider from panicking meanwhile.
	return a
}

// immutable is embedded by every gdpr_* resource. It holds the provider data and implements what all of
// them share: residency at plan time, the in-place update guard, drift turned into replacement, and an
// Update that refuses.
type immutable struct {
	typeName string
	data     *providerData
	// planHook, when set, runs first in every non-destroy plan, before residency, drift and the guard. A
	// resource uses it for plan values that only it knows how to compute (a fingerprint of a write-only
	// argument, say), so the guard sees them and any replacement they require.
	planHook func(context.Context, resource.ModifyPlanRequest, *resource.ModifyPlanResponse)
	// destroyCheck, when set, runs when a plan destroys or replaces the resource: it says what will be lost,
	// and fails a plan whose destroy cannot succeed or must not happen, before anything is touched.
	destroyCheck func(context.Context, tfsdk.State, *resource.ModifyPlanResponse)
}

func (b *immutable) configure(req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	data, ok := legacyData(req.ProviderData)
	if !ok {
		resp.Diagnostics.Append(notConfiguredDiag(b.typeName))
		return
	}
	b.data = data
}

// clients returns the provider's AWS clients, or reports that the provider is not configured and returns
// nil; every call to AWS of a resource starts with it.
func (b *immutable) clients(diags *diag.Diagnostics) *awsapi.Clients {
	if b.data == nil || b.data.clients == nil {
		diags.Append(notConfiguredDiag(b.typeName))
		return nil
	}
	return b.data.clients
}

// placement returns the region and jurisdiction a resource read through this provider lives in, as
// Terraform values; unknown when the provider's region is not in the jurisdiction data.
func (b *immutable) placement() (region, jurisdiction types.String) {
	if b.data == nil || b.data.region == nil {
		if b.data != nil && b.data.clients != nil {
			return types.StringValue(b.data.clients.Region), types.StringNull()
		}
		return types.StringNull(), types.StringNull()
	}
	return types.StringValue(b.data.region.Name), types.StringValue(string(b.data.region.Country.Jurisdiction))
}

// Attributes every gdpr_* resource computes from the provider's region.
const (
	attrRegion       = "region"
	attrJurisdiction = "jurisdiction"
)

// ModifyPlan is the one place where every gdpr_* plan is checked.
func (b *immutable) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		// Destroy plans are never blocked by residency or by the guard, only by what destroying would erase.
		b.checkDestroy(ctx, req.State, resp)
		return
	}
	if b.planHook != nil {
		b.planHook(ctx, req, resp)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if b.data == nil || b.data.unknown {
		// The provider block depends on values known only at apply; the checks run when it is configured.
		return
	}
	if b.data.region == nil {
		resp.Diagnostics.Append(unknownProviderRegionDiag(b.typeName, b.data.regionErr))
		return
	}
	region := *b.data.region
	decision := policy.Residency(region, b.data.allowed)
	if !decision.Allowed {
		resp.Diagnostics.Append(residencyDiag(b.typeName, decision.Reason))
		return
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrRegion), types.StringValue(region.Name))...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(attrJurisdiction),
		types.StringValue(string(region.Country.Jurisdiction)))...)
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() {
		return
	}

	// A resource in another region than the provider's is not this one any more: build it anew.
	var stateRegion types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(attrRegion), &stateRegion)...)
	if !stateRegion.IsNull() && stateRegion.ValueString() != region.Name {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root(attrRegion))
	}

	b.replaceDrifted(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	guardInPlaceUpdate(ctx, b.typeName, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every change that passes the guard is a replacement, which destroys the resource as it is now.
	if changed, err := changedAttributes(req.State.Raw, resp.Plan.Raw); err == nil && len(changed) > 0 {
		b.checkDestroy(ctx, req.State, resp)
	}
}

// checkDestroy runs the resource's destroyCheck, if it has one, for a plan that destroys or replaces it.
// It costs nothing when nothing is destroyed, and is skipped while the provider is not configured.
func (b *immutable) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	if b.destroyCheck == nil || state.Raw.IsNull() || b.data == nil || b.data.clients == nil {
		return
	}
	b.destroyCheck(ctx, state, resp)
}

// guardInPlaceUpdate fails a plan that would update the resource in place: one where the planned values
// differ from the state but no changed attribute forces a replacement. Every configurable attribute forces
// one (see replaceOnly), so this catches whatever else could change: a computed value, a bug, a future
// attribute kind the walker does not know.
func guardInPlaceUpdate(ctx context.Context, typeName string, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	changed, err := changedAttributes(req.State.Raw, resp.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot compare plan and state", err.Error())
		return
	}
	if len(changed) == 0 {
		return
	}
	attrs := req.Plan.Schema.GetAttributes()
	for _, name := range changed {
		if a, ok := attrs[name]; ok && (a.IsRequired() || a.IsOptional()) {
			return
		}
		if slices.ContainsFunc(resp.RequiresReplace, func(p path.Path) bool { return p.Equal(path.Root(name)) }) {
			return
		}
	}
	var id types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
	tflog.Warn(ctx, "refusing an in-place update", map[string]any{"resource_type": typeName, "changed": changed})
	resp.Diagnostics.Append(inPlaceUpdateDiag(typeName, id.ValueString(), changed))
}

// changedAttributes lists the top-level attributes whose values differ between two objects, sorted.
func changedAttributes(prior, planned tftypes.Value) ([]string, error) {
	diffs, err := prior.Diff(planned)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, d := range diffs {
		steps := d.Path.Steps()
		if len(steps) == 0 {
			continue
		}
		if name, ok := steps[0].(tftypes.AttributeName); ok {
			seen[string(name)] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out, nil
}

// Drift of an optional computed attribute that the configuration leaves unset cannot show up as a
// difference from the configuration, nor can drift of a setting the provider enforces without an
// attribute (a bucket's versioning, say). Read records either in private state and the plan turns it into
// a replacement. The record survives refreshes and is cleared only when a new resource is created.
const driftKey = "drift"

func readDrift(ctx context.Context, get func(context.Context, string) ([]byte, diag.Diagnostics)) []string {
	raw, diags := get(ctx, driftKey)
	if diags.HasError() || len(raw) == 0 {
		return nil
	}
	var names []string
	if json.Unmarshal(raw, &names) != nil {
		return nil
	}
	return names
}

// recordDrift merges newly drifted attributes into the private state of a Read response.
func recordDrift(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, drifted []string) {
	names := readDrift(ctx, req.Private.GetKey)
	for _, n := range drifted {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	raw, err := json.Marshal(names)
	if err != nil {
		return
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, driftKey, raw)...)
}

func (b *immutable) replaceDrifted(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Private == nil {
		return
	}
	attrs := req.Plan.Schema.GetAttributes()
	for _, name := range readDrift(ctx, req.Private.GetKey) {
		a, ok := attrs[name]
		if !ok {
			// An enforced setting with no attribute of its own: the resource as a whole must be rebuilt,
			// which the plan shows as a new id.
			name, a = "id", attrs["id"]
		}
		if a == nil || !a.IsComputed() {
			// A drifted attribute that is not computed differs from its configured value by itself.
			continue
		}
		configured, _, err := tftypes.WalkAttributePath(req.Config.Raw, tftypes.NewAttributePath().WithAttributeName(name))
		if v, ok := configured.(tftypes.Value); err != nil || !ok || !v.IsNull() {
			// A configured value already differs from the drifted one in state, or matches the cloud again.
			continue
		}
		unknown, err := a.GetType().ValueFromTerraform(ctx,
			tftypes.NewValue(a.GetType().TerraformType(ctx), tftypes.UnknownValue))
		if err != nil {
			resp.Diagnostics.AddError("Cannot plan the replacement of a drifted attribute", err.Error())
			return
		}
		p := path.Root(name)
		resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, unknown)...)
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}

// Update is never reached through a correct plan; it refuses as a second line of defence.
func (b *immutable) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(updateRefusedDiag(b.typeName))
}
