package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

type auditModel struct {
	Path          types.String `tfsdk:"path"`
	WebhookURL    types.String `tfsdk:"webhook_url"`
	WebhookSecret types.String `tfsdk:"webhook_secret"`
}

func auditSchema() schema.Attribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "An audit trail of every successful create and delete of a `gdpr_key`, `gdpr_bucket` " +
			"or `gdpr_server` (a replacement is both): hash-chained JSON lines in a file, a signed POST to a " +
			"webhook, or both. See the Audit trail guide.",
		Attributes: map[string]schema.Attribute{
			"path": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The file the events are appended to, one JSON object a line, created when " +
					"missing. A relative path is relative to the directory Terraform runs in.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"webhook_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "An http(s) URL each event is POSTed to as JSON, with the event's hash in " +
					"`Idempotency-Key`; retried with backoff, honouring `Retry-After` up to 10 seconds, 3 times.",
				Validators: []validator.String{validate.HTTPURL()},
			},
			"webhook_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The key of the `X-GDPR-Signature: sha256=<hex>` header, an HMAC-SHA256 of " +
					"the body. Set it together with `webhook_url`; prefer a variable from the environment.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRelative().AtParent().AtName("webhook_url")),
				},
			},
		},
	}
}

// newAuditTrail returns the trail the provider block configures, or nil without one.
func newAuditTrail(m *auditModel) *audit.Trail {
	if m == nil || (m.Path.ValueString() == "" && m.WebhookURL.ValueString() == "") {
		return nil
	}
	return audit.NewTrail(m.Path.ValueString(), m.WebhookURL.ValueString(), m.WebhookSecret.ValueString(), audit.DefaultRetry)
}
