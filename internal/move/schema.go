package move

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// maxKeyBytes is the longest object key S3 accepts, in bytes of UTF-8.
const maxKeyBytes = 1024

// model is the action's configuration.
type model struct {
	From        types.String `tfsdk:"from"`
	To          types.String `tfsdk:"to"`
	Prefix      types.String `tfsdk:"prefix"`
	EraseSource types.Bool   `tfsdk:"erase_source"`
}

// eraseSource is erase_source with its default: a move, not a copy.
func (m model) eraseSource() bool {
	return m.EraseSource.IsNull() || m.EraseSource.ValueBool()
}

func (a *moveAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Moves the objects of any bucket the credentials can read (one made by hand, by a " +
			"script, by hashicorp/aws's `aws_s3_bucket`, or found by `terraform query`) into a `gdpr_bucket`: " +
			"each object is copied server-side, encrypted under the target's KMS key, verified by checksum, and " +
			"only then erased from the source with every version and delete marker. Nothing is copied when the " +
			"target is no compliant `gdpr_bucket`, would keep the objects for less time than the source's Object " +
			"Lock, or when an object is under retention or a legal hold that S3 lifts for nobody. Each " +
			"invocation is recorded in the provider's audit trail. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"from": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the bucket to move the objects from, in any region inside the " +
					"provider's allowed jurisdictions; the action asks S3 where it is. The bucket itself stays, " +
					"empty, for its owner (or its `aws_s3_bucket` resource) to delete.",
				Validators: []validator.String{stringvalidator.LengthBetween(3, 255)},
			},
			"to": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the `gdpr_bucket` to move the objects into, usually " +
					"`gdpr_bucket.<name>.bucket`. A bucket that lacks any of the provider's guarantees is refused.",
				Validators: []validator.String{validate.BucketName()},
			},
			"prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Move only the keys that begin with this prefix, such as `customers/`. " +
					"Omit it to move every object. It may not be empty, and is at most 1024 bytes long.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxKeyBytes)},
			},
			"erase_source": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether every version and delete marker of each moved key is erased from " +
					"the source once its copy is verified, which makes the action a move. When `false` the action " +
					"copies and verifies, and the source keeps everything. Defaults to `true`.",
			},
		},
	}
}

func (a *moveAction) ValidateConfig(ctx context.Context, req action.ValidateConfigRequest, resp *action.ValidateConfigResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.From.IsUnknown() || cfg.To.IsUnknown() || cfg.From.IsNull() || cfg.To.IsNull() {
		return
	}
	if cfg.From.ValueString() == cfg.To.ValueString() {
		resp.Diagnostics.Append(sameBucketDiag(path.Root("to"), cfg.To.ValueString()))
	}
}
