package provider

import (
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

type auditModel struct {
	Path           types.String `tfsdk:"path"`
	WebhookURL     types.String `tfsdk:"webhook_url"`
	WebhookSecret  types.String `tfsdk:"webhook_secret"`
	SigningKeyFile types.String `tfsdk:"signing_key_file"`
}

// SigningKeyFileEnv names the signing key when audit.signing_key_file is not set: a CI system can give
// each runner its own key path without a change to the configuration.
const SigningKeyFileEnv = "GDPR_AUDIT_SIGNING_KEY_FILE"

func auditSchema() schema.Attribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		MarkdownDescription: "An audit trail of every successful create and delete of a `gdpr_key`, `gdpr_bucket`, " +
			"`gdpr_server` or `gdpr_database` (a replacement is both), every move of data, and every " +
			"invocation of an action (erase, move, restore, isolate): hash-chained JSON lines in a file, a " +
			"signed POST to a webhook, or both. See the Audit trail guide.",
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
					"`Idempotency-Key`; retried with backoff, honouring `Retry-After` up to 10 seconds, 3 times. " +
					"With `path` set, an event the webhook does not accept is queued in `<path>.outbox` and " +
					"delivered, in order, before the next event; without `path` it cannot be kept, and the apply " +
					"fails carrying it.",
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
			"signing_key_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The path of an ed25519 private key in PKCS#8 PEM (`openssl genpkey " +
					"-algorithm ed25519`, or `terraform-provider-gdpr audit keygen`). Every event then carries " +
					"`sig`, the signature of its `hash`, which `terraform-provider-gdpr audit verify --public-key` " +
					"checks with the public key alone. When unset, `" + SigningKeyFileEnv + "` is used if set. " +
					"The key is read when the provider is configured and never reaches the state.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

// newAuditTrail returns the trail the provider block configures, or nil without one. A signing key that
// cannot be read is an error on audit.signing_key_file.
func newAuditTrail(m *auditModel) (*audit.Trail, diag.Diagnostics) {
	if m == nil || (m.Path.ValueString() == "" && m.WebhookURL.ValueString() == "") {
		return nil, nil
	}
	var opts []audit.Option
	keyPath, from := m.SigningKeyFile.ValueString(), "audit.signing_key_file"
	if keyPath == "" {
		keyPath, from = os.Getenv(SigningKeyFileEnv), SigningKeyFileEnv
	}
	if keyPath != "" {
		key, err := audit.LoadSigningKey(keyPath)
		if err != nil {
			return nil, diag.Diagnostics{providerdata.AuditSigningKeyDiag(from, err)}
		}
		opts = append(opts, audit.WithSigningKey(key))
	}
	return audit.NewTrail(m.Path.ValueString(), m.WebhookURL.ValueString(), m.WebhookSecret.ValueString(),
		audit.DefaultRetry, opts...), nil
}
