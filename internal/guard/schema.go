package guard

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// Schema passes through replaceonly.Schema like every gdpr_* resource, so that changing target_id or
// attributes plans a replacement of the guard, which ModifyPlan then allows or refuses.
func (r *guardResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceonly.Schema(schema.Schema{
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
