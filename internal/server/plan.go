package server

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// ModifyPlan is every check a plan of the server goes through, in order. The user data fingerprint comes
// first, so the steps after it see the replacement a changed script requires.
func (r *serverResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req.State, resp)
		return
	}
	planUserDataSHA256(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	if !replaceonly.Place(ctx, r.data, ResourceType, resp) {
		return
	}
	if req.State.Raw.IsNull() {
		// A create: there is nothing in the cloud yet to compare with or to destroy, only an event to record
		// and what interrupted applies left behind.
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.reportLeftBehind(ctx, req, resp)
		return
	}
	if replaceonly.PlanChange(ctx, ResourceType, req, resp) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		reportIsolated(ctx, req.State, resp)
		r.checkDestroy(ctx, req.State, resp)
		r.reportLeftBehind(ctx, req, resp)
	}
}

// reportIsolated names, at the plan that replaces it, a server gdpr_isolate_server isolated: the refresh that
// found its groups and tags changed warned once, and this says on every plan until the apply why the server
// goes and what stays.
func reportIsolated(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	var id types.String
	var tags map[string]string
	resp.Diagnostics.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(state.GetAttribute(ctx, path.Root("tags"), &tags)...)
	if incident, ok := tags[awsapi.IncidentTag]; ok {
		resp.Diagnostics.Append(isolatedWarning(id.ValueString(), incident, tags[awsapi.IsolatedAtTag]))
	}
}

// reportLeftBehind names, at the plan of a create, the instances interrupted applies left half-made, and
// says when this create finishes one of them.
func (r *serverResource) reportLeftBehind(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceonly.ReportLeftBehind(ctx, r.data, ResourceType, req, resp,
		"aws ec2 terminate-instances --region %[1]s --instance-ids %[2]s",
		func(region string) string {
			var plan serverModel
			// The user data is write-only: only the configuration holds it.
			if req.Plan.Get(ctx, &plan).HasError() || req.Config.GetAttribute(ctx, path.Root(attrUserData), &plan.UserData).HasError() {
				return ""
			}
			in, err := plan.toAPI(ctx)
			if err != nil {
				return ""
			}
			return fingerprint(region, in)
		},
		func(c *awsapi.Clients, fp string) (awsapi.LeftBehind, error) { return c.ServersLeftBehind(ctx, fp) })
}

// planUserDataSHA256 plans the fingerprint of the write-only user data, which Terraform hands the provider
// only in the configuration. A changed fingerprint forces a replacement, like every argument; without it
// the guard would rightly refuse the change as an in-place update of a computed attribute.
func planUserDataSHA256(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var userData types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrUserData), &userData)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sha := userDataSHA256(userData)
	p := path.Root(attrUserDataSHA256)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, sha)...)
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() {
		return
	}
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
	if !prior.Equal(sha) {
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}

// checkDestroy warns, for a plan that destroys or replaces the server, that its root volume goes with it;
// it needs no call to AWS. Like the destroy checks of the other resources it is skipped while the provider
// is not configured.
func (r *serverResource) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	if state.Raw.IsNull() || r.data == nil || r.data.Clients == nil {
		return
	}
	var id types.String
	resp.Diagnostics.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(destructionWarning(id.ValueString()))
}
