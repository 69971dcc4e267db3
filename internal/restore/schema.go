package restore

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/action/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// maxKeyBytes is the longest object key S3 accepts, in bytes of UTF-8.
const maxKeyBytes = 1024

// model is the action's configuration.
type model struct {
	Bucket types.String `tfsdk:"bucket"`
	Prefix types.String `tfsdk:"prefix"`
	ToTime types.String `tfsdk:"to_time"`
	DryRun types.Bool   `tfsdk:"dry_run"`
}

func (a *restoreAction) Schema(_ context.Context, _ action.SchemaRequest, resp *action.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Returns the objects of a versioned bucket, or of a prefix of it, to what they held " +
			"at a moment, such as the moment before ransomware or a bad deploy overwrote or deleted them " +
			"(GDPR Art. 32(1)(c): restoring the availability of personal data after an incident). Each key whose " +
			"version at that moment is no longer current gets a server-side copy of it as its new current version, " +
			"encrypted under the bucket's KMS key; each key that did not exist then gets a delete marker. Nothing " +
			"is deleted: every version stays, so a restore can itself be undone. Nothing is written when a needed " +
			"version may be gone or cannot be copied. Each invocation is recorded in the provider's audit trail. " +
			"Needs Terraform 1.14 or later.",
		Attributes: map[string]schema.Attribute{
			"bucket": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "Name of the bucket to restore, usually `gdpr_bucket.<name>.bucket`. Its " +
					"versioning must be enabled and it must encrypt under a KMS key by default, as every " +
					"`gdpr_bucket` does. The bucket may be in any region; the action asks S3 where it is.",
				Validators: []validator.String{validate.BucketName()},
			},
			"prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Restore only the keys that begin with this prefix, such as `invoices/`. " +
					"Omit it to restore the whole bucket. It may not be empty, and is at most 1024 bytes long.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, maxKeyBytes)},
			},
			"to_time": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The moment to return to, in RFC 3339, such as `2026-12-01T09:30:00Z`: " +
					"each key gets back the version that was current then. It must be in the past.",
				Validators: []validator.String{pastRFC3339{now: time.Now}},
			},
			"dry_run": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether the action only reports what it would do (how many keys it would " +
					"restore, hide and leave unchanged, or what stops it) without writing anything or recording " +
					"an event. Defaults to `false`.",
			},
		},
	}
}

// pastRFC3339 admits an RFC 3339 time that is not after now: a restore goes back, never forward.
type pastRFC3339 struct{ now func() time.Time }

func (pastRFC3339) Description(_ context.Context) string {
	return "value must be a time in RFC 3339, such as 2026-12-01T09:30:00Z, and in the past"
}

func (v pastRFC3339) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v pastRFC3339) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	raw := req.ConfigValue.ValueString()
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		resp.Diagnostics.Append(badTimeDiag(req.Path, raw, err))
		return
	}
	if now := v.now(); t.After(now) {
		resp.Diagnostics.Append(futureTimeDiag(req.Path, raw, now))
	}
}
