package replaceonly

import (
	"context"
	"slices"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// Attributes every gdpr_* resource computes from the provider's region.
const (
	AttrRegion       = "region"
	AttrJurisdiction = "jurisdiction"
)

// IsDestroy reports whether the plan destroys the resource. Destroy plans are never blocked by residency or
// by the guard, only by what destroying would erase.
func IsDestroy(req resource.ModifyPlanRequest) bool {
	return req.Plan.Raw.IsNull()
}

// Place applies the residency decision the provider took once for its configuration: a region the policy
// does not admit, or one missing from the jurisdiction data, fails the plan. Otherwise it writes the region
// and jurisdiction into the plan. It returns false when the plan steps after it must not run: the provider
// block depends on values known only at apply (the checks run when it is configured), or an error was
// reported.
func Place(ctx context.Context, data *providerdata.Data, typeName string, resp *resource.ModifyPlanResponse) bool {
	if data == nil || data.Unknown {
		return false
	}
	decision, ok, err := data.Residency()
	if !ok {
		resp.Diagnostics.Append(unknownProviderRegionDiag(typeName, err))
		return false
	}
	if !decision.Allowed {
		resp.Diagnostics.Append(residencyDiag(typeName, decision.Reason))
		return false
	}
	region, jurisdiction := data.Placement()
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(AttrRegion), region)...)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root(AttrJurisdiction), jurisdiction)...)
	return !resp.Diagnostics.HasError()
}

// PlanChange plans a change of an existing resource, after Place: a resource moved to another region or
// changed outside Terraform, or found with another identity, is replaced (ReplaceMoved, ReplaceDrifted,
// identity.Replace), and an in-place update is refused
// (GuardInPlaceUpdate). It returns true when the plan replaces the resource without error, so the caller
// says what the replacement erases. Call it only when the state holds the resource.
func PlanChange(ctx context.Context, typeName string, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	ReplaceMoved(ctx, req, resp)
	ReplaceDrifted(ctx, req, resp)
	identity.Replace(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return false
	}
	if planDestroyOnlyUpdate(ctx, req, resp) {
		return false
	}
	GuardInPlaceUpdate(ctx, typeName, req, resp)
	return !resp.Diagnostics.HasError() && Replaces(req, resp)
}

// planDestroyOnlyUpdate plans an update of the state alone when nothing forces a replacement and the only
// arguments that change are in DestroyOnly: the planned values are the state's, with those arguments as
// configured, so no computed value is left unknown and Update has nothing to ask the cloud. It reports
// whether it planned one.
func planDestroyOnlyUpdate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() || len(resp.RequiresReplace) > 0 {
		return false
	}
	attrs := req.Plan.Schema.GetAttributes()
	changed, err := changedAttributes(req.State.Raw, resp.Plan.Raw)
	if err != nil {
		return false
	}
	destroyOnly := false
	for _, name := range changed {
		a, ok := attrs[name]
		switch {
		case isDestroyOnly(name):
			destroyOnly = true
		case ok && (a.IsRequired() || a.IsOptional()):
			// Any other argument forces a replacement.
			return false
		}
	}
	if !destroyOnly {
		return false
	}
	planned, err := withDestroyOnly(req.State.Raw, resp.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot plan the update", err.Error())
		return true
	}
	resp.Plan.Raw = planned
	tflog.Info(ctx, "updating destroy-only arguments in the state alone", map[string]any{"changed": changed})
	return true
}

// withDestroyOnly returns prior with the DestroyOnly attributes of next.
func withDestroyOnly(prior, next tftypes.Value) (tftypes.Value, error) {
	var p, n map[string]tftypes.Value
	if err := prior.As(&p); err != nil {
		return tftypes.Value{}, err
	}
	if err := next.As(&n); err != nil {
		return tftypes.Value{}, err
	}
	for _, name := range DestroyOnly {
		if v, ok := n[name]; ok {
			p[name] = v
		}
	}
	return tftypes.NewValue(prior.Type(), p), nil
}

// ReplaceMoved plans the replacement of a resource whose state places it in another region than the one
// the plan places it in: it is not this resource any more, so it is built anew. Call it after Place.
func ReplaceMoved(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
	var prior, planned types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root(AttrRegion), &prior)...)
	resp.Diagnostics.Append(resp.Plan.GetAttribute(ctx, path.Root(AttrRegion), &planned)...)
	if !prior.IsNull() && !planned.IsNull() && !planned.IsUnknown() && prior.ValueString() != planned.ValueString() {
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root(AttrRegion))
	}
}

// GuardInPlaceUpdate fails a plan that would update the resource in place: one where the planned values
// differ from the state but no changed attribute forces a replacement. Every configurable attribute forces
// one (see Schema), so this catches whatever else could change: a computed value, a bug, a future attribute
// kind the walker does not know. Call it after every step that may add to RequiresReplace.
func GuardInPlaceUpdate(ctx context.Context, typeName string, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() {
		return
	}
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

// Replaces reports whether a plan of an existing resource changes anything. After GuardInPlaceUpdate every
// change is a replacement, which destroys the resource as it is now: the caller then says what that erases.
func Replaces(req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) bool {
	if req.State.Raw.IsNull() || resp.Plan.Raw.IsNull() {
		return false
	}
	changed, err := changedAttributes(req.State.Raw, resp.Plan.Raw)
	return err == nil && slices.ContainsFunc(changed, func(name string) bool { return !isDestroyOnly(name) })
}

// RefuseUpdate refuses an update, as a second line of defence behind GuardInPlaceUpdate.
func RefuseUpdate(typeName string, resp *resource.UpdateResponse) {
	resp.Diagnostics.Append(updateRefusedDiag(typeName))
}

// UpdateState is the body of every gdpr_* resource's Update. A correct plan reaches it only when nothing
// but DestroyOnly arguments changes (planDestroyOnlyUpdate): the new state is the prior one with those
// arguments as planned, written without any cloud call. Anything else is refused (RefuseUpdate).
func UpdateState(ctx context.Context, typeName string, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	changed, err := changedAttributes(req.State.Raw, req.Plan.Raw)
	if err != nil || len(changed) == 0 || slices.ContainsFunc(changed, func(name string) bool { return !isDestroyOnly(name) }) {
		RefuseUpdate(typeName, resp)
		return
	}
	next, err := withDestroyOnly(req.State.Raw, req.Plan.Raw)
	if err != nil {
		resp.Diagnostics.AddError("Cannot update the state", err.Error())
		return
	}
	resp.State.Raw = next
	tflog.Info(ctx, "updated destroy-only arguments in the state", map[string]any{"resource_type": typeName, "changed": changed})
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
