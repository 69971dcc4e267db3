package provider

import (
	"context"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const immutableTypeName = "gdpr_immutable"

var (
	_ resource.Resource               = (*immutableResource)(nil)
	_ resource.ResourceWithModifyPlan = (*immutableResource)(nil)
)

// immutableResource is gdpr_immutable: a replace-only guard over a resource of any provider. It calls no
// cloud; its state is what it watched at the last apply, and its plan compares that with the new values.
type immutableResource struct {
	// The embedded immutable brings the Update that refuses; ModifyPlan below replaces the residency checks,
	// which mean nothing for a resource with no place of its own.
	immutable
}

// NewImmutableResource returns the gdpr_immutable resource.
func NewImmutableResource() resource.Resource {
	return &immutableResource{immutable{typeName: immutableTypeName}}
}

type immutableModel struct {
	ID         types.String `tfsdk:"id"`
	TargetID   types.String `tfsdk:"target_id"`
	Attributes types.Map    `tfsdk:"attributes"`
}

func (r *immutableResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_immutable"
}

func (r *immutableResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceOnly(schema.Schema{
		MarkdownDescription: "Makes a resource of any provider replace-only: the plan fails when the watched " +
			"`attributes` change while `target_id` stays the same, which is what an in-place update looks like. " +
			"When the target is replaced (its id unknown or different) the guard is replaced with it and the " +
			"plan passes. It calls no cloud API and stores only the watched values.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The same as `target_id`.",
			},
			"target_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The id of the guarded resource, such as `aws_db_instance.main.id`. Use an id " +
					"that changes when the target is rebuilt (one the cloud generates), so that a replacement is " +
					"told apart from an in-place update. Changing it, or an unknown value, replaces the guard.",
			},
			"attributes": schema.MapAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The target's arguments to watch, as strings: wrap numbers, booleans and " +
					"collections in `tostring()` or `jsonencode()`. A change of any value, a key added or removed, " +
					"or a value unknown at plan time, while `target_id` stays known and the same, fails the plan " +
					"with the keys that changed. Do not put secrets here: the values are kept in the state.",
			},
		},
	})
}

// ModifyPlan is the guard. Attribute plan modifiers have already asked for a replacement by the time it
// runs (every argument requires one); an error here fails the plan before that replacement can happen.
func (r *immutableResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan immutableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The id is the target's, known or not; planned explicitly so a replacement shows the new one.
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("id"), plan.TargetID)...)
	if req.State.Raw.IsNull() {
		return
	}
	var prior immutableModel
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

// changedKeys lists the keys whose values differ between two maps of strings, sorted: added, removed,
// changed, or unknown in the plan. A map unknown as a whole changes every key it had.
func changedKeys(prior, planned types.Map) []string {
	before, after := prior.Elements(), planned.Elements()
	seen := map[string]bool{}
	if planned.IsUnknown() {
		seen["(all attributes: the whole map is unknown)"] = true
		for k := range before {
			seen[k] = true
		}
	}
	for k, v := range after {
		if old, ok := before[k]; !ok || v.IsUnknown() || !v.Equal(old) {
			seen[k] = true
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok && !planned.IsUnknown() {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (r *immutableResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan immutableModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.TargetID
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Read keeps the state as it is: the guard has nothing outside Terraform to compare with.
func (r *immutableResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

// Delete only forgets the guard; the target is untouched.
func (r *immutableResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}
