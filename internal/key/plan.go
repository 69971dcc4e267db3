package key

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// ModifyPlan runs every plan-time check of a key, in this order: a destroy checks that the audit trail can
// record it and says what it erases; otherwise the key is placed (residency), a create checks the audit
// trail, an existing key moved to another region or changed outside Terraform is replaced, an in-place
// update is refused, and a replacement checks the audit trail and says what it erases.
func (r *keyResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req.State, resp)
		return
	}
	if !replaceonly.Place(ctx, r.data, ResourceType, resp) {
		return
	}
	if req.State.Raw.IsNull() {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.reportLeftBehind(ctx, req, resp)
		return
	}
	if replaceonly.PlanChange(ctx, ResourceType, req, resp) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req.State, resp)
		r.reportLeftBehind(ctx, req, resp)
	}
}

// reportLeftBehind names, at the plan of a create, the keys interrupted applies left half-made, and says
// when this create finishes one of them.
func (r *keyResource) reportLeftBehind(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	replaceonly.ReportLeftBehind(ctx, r.data, ResourceType, req, resp,
		"aws kms schedule-key-deletion --region %[1]s --pending-window-in-days 7 --key-id %[2]s",
		func(region string) string {
			var plan keyModel
			if req.Plan.Get(ctx, &plan).HasError() {
				return ""
			}
			in, err := plan.toAPI(ctx)
			if err != nil {
				return ""
			}
			return plan.fingerprint(region, in)
		},
		func(c *awsapi.Clients, fp string) (awsapi.LeftBehind, error) { return c.KeysLeftBehind(ctx, fp) })
}

// checkDestroy says when the key's deletion completes, or fails the plan under key_destruction = "deny". It
// is skipped while the provider is not configured.
func (r *keyResource) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	if state.Raw.IsNull() || r.data == nil || r.data.Clients == nil {
		return
	}
	var m keyModel
	resp.Diagnostics.Append(state.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	window := m.deletionWindowDays()
	at := time.Now().Add(time.Duration(window) * 24 * time.Hour)
	resp.Diagnostics.Append(destructionDiag(m.ID.ValueString(), window, at, r.data.KeyDestruction == providerdata.KeyDestructionDeny))
}

// sameMeaning keeps the state's policy in the plan when the configured one is the same JSON written
// differently: a policy is compared by meaning, so neither formatting nor key order may plan the
// replacement of a key, which would erase everything encrypted under it. It matters after an import,
// where the state holds KMS's text and the configuration the user's.
type sameMeaning struct{}

func (sameMeaning) Description(context.Context) string {
	return "Keeps the state's JSON when the configured JSON means the same."
}

func (m sameMeaning) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (sameMeaning) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || req.PlanValue.IsUnknown() {
		return
	}
	planned, state := jsontypes.NewNormalizedValue(req.PlanValue.ValueString()), jsontypes.NewNormalizedValue(req.StateValue.ValueString())
	same, diags := planned.StringSemanticEquals(ctx, state)
	if !diags.HasError() && same {
		resp.PlanValue = req.StateValue
	}
}
