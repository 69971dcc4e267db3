package guard

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// ModifyPlan is the guard. Attribute plan modifiers have already asked for a replacement by the time it
// runs (every argument requires one); an error here fails the plan before that replacement can happen.
// Unlike the other gdpr_* resources it has no place of its own, so there is no residency to check, and it
// destroys nothing but its own state, so there is no destroy check either.
func (r *guardResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		return
	}
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The id is the target's, known or not; planned explicitly so a replacement shows the new one.
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.TargetID)...)
	if req.State.Raw.IsNull() {
		return
	}
	var prior model
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if plan.TargetID.IsUnknown() || !plan.TargetID.Equal(prior.TargetID) {
		// The target is being replaced, or another resource is guarded now: the guard is replaced too.
		return
	}
	changed := changedKeys(prior.Attributes, plan.Attributes)
	if len(changed) == 0 {
		return
	}
	tflog.Warn(ctx, "refusing an in-place update of a guarded resource", map[string]any{"changed": changed})
	resp.Diagnostics.Append(guardedUpdateDiag(prior.TargetID.ValueString(), changed))
}
