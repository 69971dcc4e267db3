// Package guard is gdpr_immutable: a replace-only guard over a resource of any provider. It calls no cloud
// and needs no provider configuration; its state is what it watched at the last apply, and its plan fails
// when the watched attributes change while the target keeps its id. resource.go holds the resource and its
// lifecycle, schema.go the schema, model.go the state, plan.go the guard itself and diagnostics.go its
// wording.
package guard

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// ResourceType is the name of the resource in configurations and in every diagnostic it reports.
const ResourceType = "gdpr_immutable"

var (
	_ resource.Resource               = (*guardResource)(nil)
	_ resource.ResourceWithModifyPlan = (*guardResource)(nil)
)

// guardResource holds nothing: the guard decides from plan and state alone, so it takes no provider data
// and has no Configure.
type guardResource struct{}

// NewResource returns the gdpr_immutable resource.
func NewResource() resource.Resource {
	return &guardResource{}
}

func (r *guardResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (r *guardResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan model
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = plan.TargetID
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// Read keeps the state as it is: the guard has nothing outside Terraform to compare with.
func (r *guardResource) Read(_ context.Context, _ resource.ReadRequest, _ *resource.ReadResponse) {
}

// Update is never reached through a correct plan, since every argument forces a replacement; it refuses as
// a second line of defence, as every gdpr_* resource does.
func (r *guardResource) Update(_ context.Context, _ resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.RefuseUpdate(ResourceType, resp)
}

// Delete only forgets the guard; the target is untouched.
func (r *guardResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}
