package erase

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/actionvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
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
	Bucket                    types.String `tfsdk:"bucket"`
	Prefix                    types.String `tfsdk:"prefix"`
	Keys                      types.List   `tfsdk:"keys"`
	BypassGovernanceRetention types.Bool   `tfsdk:"bypass_governance_retention"`
}

func (a *eraseAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Erases one data subject's objects from a versioned bucket (GDPR Art. 17, right to " +
			"erasure): every object version and every delete marker under a prefix, or of a list of keys. " +
			"Nothing is deleted when any of them is under retention or a legal hold that the action may not " +
			"lift. Each invocation is recorded in the provider's audit trail. Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the bucket to erase from, usually `gdpr_bucket.<name>.bucket`. The " +
					"bucket may be in any region; the action asks S3 where it is.",
				Validators: []validator.String{validate.BucketName()},
			},
			"prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Erase every key that begins with this prefix, such as `customers/4711/`. " +
					"A prefix matches keys by their first characters only, so end it with the delimiter your keys " +
					"use: `customers/4711` would also erase `customers/47110/`. It may not be empty, and is at most " +
					"1024 bytes long. Exactly one of `prefix` and `keys` is set.",
				Validators: []validator.String{nonEmptyPrefix{}, stringvalidator.LengthAtMost(maxKeyBytes)},
			},
			"keys": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Erase exactly these keys, each with all its versions and delete markers. " +
					"At least one key, none empty, none twice, each at most 1024 bytes long. Exactly one of " +
					"`prefix` and `keys` is set.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.NoNullValues(),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(stringvalidator.LengthBetween(1, maxKeyBytes)),
				},
			},
			"bypass_governance_retention": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether versions under GOVERNANCE retention are erased anyway, with S3's " +
					"`BypassGovernanceRetention` (the caller needs `s3:BypassGovernanceRetention`). When `false`, " +
					"any such version stops the erasure before anything is deleted. COMPLIANCE retention and legal " +
					"holds always stop it. Defaults to `false`.",
			},
		},
	}
}

func (a *eraseAction) ConfigValidators(_ context.Context) []action.ConfigValidator {
	return []action.ConfigValidator{
		actionvalidator.ExactlyOneOf(path.MatchRoot("prefix"), path.MatchRoot("keys")),
	}
}

// nonEmptyPrefix refuses an empty prefix, which matches every key: the whole bucket.
type nonEmptyPrefix struct{}

func (nonEmptyPrefix) Description(_ context.Context) string {
	return "value must not be empty"
}

func (v nonEmptyPrefix) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (nonEmptyPrefix) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() || req.ConfigValue.ValueString() != "" {
		return
	}
	resp.Diagnostics.Append(emptyPrefixDiag(req.Path))
}
