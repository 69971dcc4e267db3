package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// replaceOnly is replaceonly.Schema, for the resources not yet in packages of their own.
func replaceOnly(s schema.Schema) schema.Schema { return replaceonly.Schema(s) }

// immutable is embedded by every gdpr_* resource. It holds the provider data and implements what all of
// them share: residency at plan time, the in-place update guard, drift turned into replacement, and an
// Update that refuses.
type immutable struct {
	typeName string
	data     *providerdata.Data
	// planHook, when set, runs first in every non-destroy plan, before residency, drift and the guard. A
	// resource uses it for plan values that only it knows how to compute (a fingerprint of a write-only
	// argument, say), so the guard sees them and any replacement they require.
	planHook func(context.Context, resource.ModifyPlanRequest, *resource.ModifyPlanResponse)
	// destroyCheck, when set, runs when a plan destroys or replaces the resource: it says what will be lost,
	// and fails a plan whose destroy cannot succeed or must not happen, before anything is touched.
	destroyCheck func(context.Context, tfsdk.State, *resource.ModifyPlanResponse)
}

func (b *immutable) configure(req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	b.data = providerdata.Get(req.ProviderData, b.typeName, &resp.Diagnostics)
}

func (b *immutable) clients(diags *diag.Diagnostics) *awsapi.Clients {
	return b.data.ClientsFor(b.typeName, diags)
}

func (b *immutable) placement() (region, jurisdiction types.String) { return b.data.Placement() }

func (b *immutable) audit(ctx context.Context, action audit.Action, st *tfsdk.State, diags *diag.Diagnostics) {
	b.data.Record(ctx, b.typeName, action, st, diags)
}

// ModifyPlan runs the replace-only plan steps in the order every gdpr_* resource uses.
func (b *immutable) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		b.checkDestroy(ctx, req.State, resp)
		return
	}
	if b.planHook != nil {
		b.planHook(ctx, req, resp)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	if !replaceonly.Place(ctx, b.data, b.typeName, resp) || req.State.Raw.IsNull() {
		return
	}
	replaceonly.ReplaceMoved(ctx, req, resp)
	replaceonly.ReplaceDrifted(ctx, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	replaceonly.GuardInPlaceUpdate(ctx, b.typeName, req, resp)
	if resp.Diagnostics.HasError() {
		return
	}
	if replaceonly.Replaces(req, resp) {
		b.checkDestroy(ctx, req.State, resp)
	}
}

func (b *immutable) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	if b.destroyCheck == nil || state.Raw.IsNull() || b.data == nil || b.data.Clients == nil {
		return
	}
	b.destroyCheck(ctx, state, resp)
}

func recordDrift(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse, drifted []string) {
	replaceonly.RecordDrift(ctx, req, resp, drifted)
}

func driftWarning(typeName, id string, changed []string) diag.Diagnostic {
	return replaceonly.DriftWarning(typeName, id, changed)
}

func (b *immutable) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.RefuseUpdate(b.typeName, resp)
}
