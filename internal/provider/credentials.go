package provider

import (
	"context"
	"regexp"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// The credential arguments of the provider block, with the names and meaning hashicorp/aws gives them, so
// a configuration (or an HCP Terraform workspace) written for one authenticates the other the same way.

type assumeRoleModel struct {
	RoleARN           types.String         `tfsdk:"role_arn"`
	SessionName       types.String         `tfsdk:"session_name"`
	ExternalID        types.String         `tfsdk:"external_id"`
	Duration          types.String         `tfsdk:"duration"`
	Policy            jsontypes.Normalized `tfsdk:"policy"`
	PolicyARNs        types.Set            `tfsdk:"policy_arns"`
	Tags              types.Map            `tfsdk:"tags"`
	TransitiveTagKeys types.Set            `tfsdk:"transitive_tag_keys"`
	SourceIdentity    types.String         `tfsdk:"source_identity"`
}

type webIdentityModel struct {
	RoleARN              types.String `tfsdk:"role_arn"`
	SessionName          types.String `tfsdk:"session_name"`
	WebIdentityToken     types.String `tfsdk:"web_identity_token"`
	WebIdentityTokenFile types.String `tfsdk:"web_identity_token_file"`
	Duration             types.String `tfsdk:"duration"`
}

// STS's bounds on a role session.
const (
	minSessionDuration = 15 * time.Minute
	maxSessionDuration = 12 * time.Hour
)

var (
	roleARNPattern   = regexp.MustCompile(`^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$`)
	policyARNPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::(\d{12}|aws):policy/[\w+=,.@/-]+$`)
	// Session names and source identities share STS's rule. Compiled when the schema is first built, not at
	// every process start: its counted repetition compiles to a large program.
	sessionNamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\w+=,.@-]{2,64}$`) })
	externalIDPattern  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
)

// roleARNAttribute is required in its block. It is not marked Required: the framework would then ask for it
// even when the block is absent, so the block's validators require it instead (requiredInBlock).
func roleARNAttribute(what string) schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The ARN of the IAM role " + what + ", in the form " +
			"`arn:aws:iam::<12-digit account>:role/<name>`. Required in the block.",
		Validators: []validator.String{stringvalidator.RegexMatches(roleARNPattern,
			"must be the ARN of an IAM role, such as arn:aws:iam::111122223333:role/terraform")},
	}
}

func sessionNameAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "The name of the role session, which CloudTrail records with every call the " +
			"provider makes: 2 to 64 letters, digits and `+=,.@_-`. Defaults to `" + awsapi.DefaultSessionName + "`.",
		Validators: []validator.String{stringvalidator.RegexMatches(sessionNamePattern(),
			"must be 2 to 64 characters, each a letter, a digit or one of + = , . @ _ -")},
	}
}

func durationAttribute() schema.StringAttribute {
	return schema.StringAttribute{
		Optional: true,
		MarkdownDescription: "How long the role's credentials last before the provider asks for new ones, as a " +
			"duration such as `\"1h\"` or `\"90m\"`, from `15m` to `12h` (the role's maximum session duration " +
			"applies too). Defaults to STS's own default, one hour.",
		Validators: []validator.String{validate.DurationBetween(minSessionDuration, maxSessionDuration)},
	}
}

func assumeRoleBlock() schema.Block {
	return schema.SingleNestedBlock{
		MarkdownDescription: "A role the provider assumes with its base credentials (the static keys, the " +
			"profile, the web identity role or the environment) before it makes any other call, as " +
			"hashicorp/aws's `assume_role` block does. Failing to assume it fails the provider's configuration.",
		Validators: []validator.Object{objectvalidator.AlsoRequires(path.MatchRelative().AtName("role_arn"))},
		Attributes: map[string]schema.Attribute{
			"role_arn":     roleARNAttribute("to assume"),
			"session_name": sessionNameAttribute(),
			"external_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The external ID the role's trust policy asks for: 2 to 1224 letters, digits " +
					"and `+=,.@:/_-`.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(2, 1224),
					stringvalidator.RegexMatches(externalIDPattern,
						"must hold only letters, digits and the characters + = , . @ : / _ -"),
				},
			},
			"duration": durationAttribute(),
			"policy": schema.StringAttribute{
				Optional:   true,
				CustomType: jsontypes.NormalizedType{},
				MarkdownDescription: "An IAM policy in JSON that further restricts the session: the session may do " +
					"only what both the role and this policy allow.",
			},
			"policy_arns": schema.SetAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "ARNs of managed IAM policies that further restrict the session, such as " +
					"`arn:aws:iam::aws:policy/ReadOnlyAccess`.",
				Validators: []validator.Set{setvalidator.ValueStringsAre(stringvalidator.RegexMatches(policyARNPattern,
					"must be the ARN of an IAM policy, such as arn:aws:iam::aws:policy/ReadOnlyAccess"))},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Session tags, which the role's policies can test with `aws:PrincipalTag`.",
			},
			"transitive_tag_keys": schema.SetAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Keys of `tags` that carry over to roles assumed from this session.",
			},
			"source_identity": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The source identity of the session, which CloudTrail records and later role " +
					"sessions keep: 2 to 64 letters, digits and `+=,.@_-`.",
				Validators: []validator.String{stringvalidator.RegexMatches(sessionNamePattern(),
					"must be 2 to 64 characters, each a letter, a digit or one of + = , . @ _ -")},
			},
		},
	}
}

func webIdentityBlock() schema.Block {
	tokenFile := path.MatchRelative().AtParent().AtName("web_identity_token_file")
	return schema.SingleNestedBlock{
		MarkdownDescription: "A role the provider assumes with an OpenID Connect token " +
			"(`sts:AssumeRoleWithWebIdentity`), which then stands for the base credentials, as hashicorp/aws's " +
			"`assume_role_with_web_identity` block does. It cannot be combined with `access_key`.",
		Validators: []validator.Object{
			objectvalidator.ConflictsWith(path.MatchRoot("access_key")),
			objectvalidator.AlsoRequires(path.MatchRelative().AtName("role_arn")),
			oneTokenValidator{},
		},
		Attributes: map[string]schema.Attribute{
			"role_arn":     roleARNAttribute("to assume with the token"),
			"session_name": sessionNameAttribute(),
			"web_identity_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "The OpenID Connect token itself. Set exactly one of `web_identity_token` and " +
					"`web_identity_token_file`.",
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.ConflictsWith(tokenFile),
				},
			},
			"web_identity_token_file": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The path of a file that holds the token. The file is read again every time " +
					"the credentials are renewed, so whatever writes it may replace the token during a run.",
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"duration": durationAttribute(),
		},
	}
}

// oneTokenValidator asks a configured assume_role_with_web_identity block for a token or a token file;
// ConflictsWith on web_identity_token refuses both. (stringvalidator.ExactlyOneOf would also fire when the
// block is absent.)
type oneTokenValidator struct{}

func (oneTokenValidator) Description(_ context.Context) string {
	return "exactly one of web_identity_token and web_identity_token_file must be set"
}

func (v oneTokenValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (oneTokenValidator) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	token, file := attrs["web_identity_token"], attrs["web_identity_token_file"]
	if token != nil && token.IsNull() && file != nil && file.IsNull() {
		resp.Diagnostics.AddAttributeError(req.Path, "Missing web identity token",
			"assume_role_with_web_identity needs the token: set web_identity_token to the token itself, or "+
				"web_identity_token_file to the path of a file that holds it (exactly one of the two).")
	}
}

func sharedFilesAttribute(kind, env, def, extra string) schema.ListAttribute {
	return schema.ListAttribute{
		Optional:    true,
		ElementType: types.StringType,
		MarkdownDescription: "Paths of the shared " + kind + " files to read instead of `" + env + "` or `" + def +
			"`; a leading `~` is the user's home directory. `profile` picks the profile in them." + extra,
		Validators: []validator.List{
			listvalidator.SizeAtLeast(1),
			listvalidator.NoNullValues(),
			listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
		},
	}
}

// credentialsConfig copies the credential arguments of the provider block into c.
func credentialsConfig(ctx context.Context, cfg providerModel, c *awsapi.Config) diag.Diagnostics {
	var diags diag.Diagnostics
	diags.Append(cfg.SharedConfigFiles.ElementsAs(ctx, &c.SharedConfigFiles, false)...)
	diags.Append(cfg.SharedCredentialsFiles.ElementsAs(ctx, &c.SharedCredentialsFiles, false)...)
	if r := cfg.AssumeRole; r != nil {
		ar := &awsapi.AssumeRole{
			RoleARN:        r.RoleARN.ValueString(),
			SessionName:    r.SessionName.ValueString(),
			ExternalID:     r.ExternalID.ValueString(),
			Duration:       parseDuration(r.Duration),
			Policy:         r.Policy.ValueString(),
			SourceIdentity: r.SourceIdentity.ValueString(),
		}
		diags.Append(r.PolicyARNs.ElementsAs(ctx, &ar.PolicyARNs, false)...)
		diags.Append(r.Tags.ElementsAs(ctx, &ar.Tags, false)...)
		diags.Append(r.TransitiveTagKeys.ElementsAs(ctx, &ar.TransitiveTagKeys, false)...)
		c.AssumeRole = ar
	}
	if w := cfg.AssumeRoleWithWebIdentity; w != nil {
		c.WebIdentity = &awsapi.WebIdentity{
			RoleARN:     w.RoleARN.ValueString(),
			SessionName: w.SessionName.ValueString(),
			Token:       w.WebIdentityToken.ValueString(),
			TokenFile:   w.WebIdentityTokenFile.ValueString(),
			Duration:    parseDuration(w.Duration),
			Source:      "assume_role_with_web_identity.role_arn",
		}
		if c.WebIdentity.TokenFile != "" {
			file, err := awsapi.ExpandHome(c.WebIdentity.TokenFile)
			if err != nil {
				diags.AddAttributeError(path.Root("assume_role_with_web_identity").AtName("web_identity_token_file"),
					"Cannot expand the token file path", err.Error())
			}
			c.WebIdentity.TokenFile = file
		}
	}
	return diags
}

// parseDuration reads a duration the schema has validated; unset is zero, STS's default.
func parseDuration(v types.String) time.Duration {
	d, _ := time.ParseDuration(v.ValueString())
	return d
}
