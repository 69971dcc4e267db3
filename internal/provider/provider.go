// Package provider is the gdpr provider block: its schema, Configure (which decides placement, residency and
// the audit trail once, into providerdata.Data), and the registration of the resources, data sources and
// functions, each of which lives in a package of its own (key, bucket, server, guard, region, retention).
// protocol.go serves it over plugin protocol 6.
package provider

import (
	"context"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/bucket"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/database"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/erase"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/guard"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/isolate"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/key"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/move"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/region"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/restore"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/retention"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/server"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// maxDatasetAge is how old the embedded jurisdiction data may get before every run warns about it.
const maxDatasetAge = 365 * 24 * time.Hour

var _ provider.Provider = (*gdprProvider)(nil)

type gdprProvider struct {
	version string
}

// New returns a function that builds the provider, as providerserver expects.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &gdprProvider{version: version}
	}
}

type providerModel struct {
	Region                    types.String      `tfsdk:"region"`
	Profile                   types.String      `tfsdk:"profile"`
	AccessKey                 types.String      `tfsdk:"access_key"`
	SecretKey                 types.String      `tfsdk:"secret_key"`
	Token                     types.String      `tfsdk:"token"`
	Endpoints                 *endpointsModel   `tfsdk:"endpoints"`
	S3UsePathStyle            types.Bool        `tfsdk:"s3_use_path_style"`
	SkipCredentialsValidation types.Bool        `tfsdk:"skip_credentials_validation"`
	MaxRetries                types.Int64       `tfsdk:"max_retries"`
	AllowedJurisdictions      types.List        `tfsdk:"allowed_jurisdictions"`
	MaxRetentionDays          types.Int64       `tfsdk:"max_retention_days"`
	KeyDestruction            types.String      `tfsdk:"key_destruction"`
	Audit                     *auditModel       `tfsdk:"audit"`
	SharedConfigFiles         types.List        `tfsdk:"shared_config_files"`
	SharedCredentialsFiles    types.List        `tfsdk:"shared_credentials_files"`
	AssumeRole                *assumeRoleModel  `tfsdk:"assume_role"`
	AssumeRoleWithWebIdentity *webIdentityModel `tfsdk:"assume_role_with_web_identity"`
}

type endpointsModel struct {
	KMS types.String `tfsdk:"kms"`
	S3  types.String `tfsdk:"s3"`
	EC2 types.String `tfsdk:"ec2"`
	STS types.String `tfsdk:"sts"`
	RDS types.String `tfsdk:"rds"`
}

func (p *gdprProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "gdpr"
	resp.Version = p.version
}

func (p *gdprProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	endpoint := func(service string) schema.StringAttribute {
		return schema.StringAttribute{
			Optional: true,
			MarkdownDescription: "URL of the " + service + " API, for a local emulator or an AWS-compatible service. " +
				"When unset, the SDK resolves it, honouring `AWS_ENDPOINT_URL_" + service +
				"` and `AWS_ENDPOINT_URL`.",
			Validators: []validator.String{validate.HTTPURL()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The `gdpr` provider manages infrastructure that holds personal data: replace-only " +
			"AWS resources placed only in the jurisdictions the configuration allows.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "AWS region in which every resource of this provider is created, written as " +
					"AWS spells it: " + validate.AWSRegionForm + ". When unset, " +
					"`AWS_REGION`, `AWS_DEFAULT_REGION` or the shared configuration file names it; with none of " +
					"them the provider reports an error.",
				Validators: []validator.String{validate.AWSRegion()},
			},
			"profile": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Named profile of the shared AWS configuration and credentials files " +
					"(`shared_config_files` and `shared_credentials_files` when set). When unset, `AWS_PROFILE` " +
					"names it, else `default`.",
			},
			"shared_config_files": sharedFilesAttribute("configuration", "AWS_CONFIG_FILE", "~/.aws/config",
				" With HCP Terraform's dynamic credentials for a provider alias, this is where "+
					"`var.tfc_aws_dynamic_credentials.aliases[\"ALIAS\"].shared_config_file` goes."),
			"shared_credentials_files": sharedFilesAttribute("credentials", "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials", ""),
			"access_key": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "AWS access key id. When unset, the credentials come from " +
					"`assume_role_with_web_identity`, the profile, HCP Terraform's dynamic credentials, or the " +
					"SDK's default chain (environment, shared files, web identity, container and instance " +
					"metadata), in that order; see Authentication.",
			},
			"secret_key": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AWS secret access key, set together with `access_key`.",
			},
			"token": schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				MarkdownDescription: "AWS session token, for temporary credentials given with `access_key`.",
			},
			"endpoints": schema.SingleNestedAttribute{
				Optional:            true,
				MarkdownDescription: "Custom service endpoints, for local emulators and AWS-compatible services.",
				Attributes: map[string]schema.Attribute{
					"kms": endpoint("KMS"),
					"s3":  endpoint("S3"),
					"ec2": endpoint("EC2"),
					"sts": endpoint("STS"),
					"rds": endpoint("RDS"),
				},
			},
			"s3_use_path_style": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether S3 requests address buckets by path (`https://host/bucket`) rather " +
					"than by virtual host. Many S3-compatible services need it. Defaults to `false`.",
			},
			"skip_credentials_validation": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether to skip validating the credentials with `sts:GetCallerIdentity` " +
					"when the provider is configured. Defaults to `false`.",
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a failed AWS request that can be retried (throttling, " +
					"server errors, dropped connections) is retried, with the SDK's exponential backoff. Every " +
					"request has its own retries: many requests failing at once, as when a plan of many " +
					"resources meets a brief outage, do not use up those of the others. Defaults to `25`.",
				Validators: []validator.Int64{int64validator.Between(0, 100)},
			},
			"allowed_jurisdictions": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "Where this provider may place personal data. Each value is `EU` (EU member " +
					"states), `EEA` (EU members plus Iceland, Liechtenstein and Norway), `ADEQUACY` (countries " +
					"with a full EU adequacy decision), `PARTIAL_ADEQUACY` (decisions that cover only some " +
					"recipients: the United States under the EU-US Data Privacy Framework, Canada under PIPEDA) " +
					"or an ISO 3166-1 alpha-2 country code such as `CH`. A resource whose region is not " +
					"admitted by any value fails at plan time. The list holds at least one value, none of them null " +
					"and none twice. Defaults to `[\"" + providerdata.DefaultJurisdiction + "\"]`.",
				Validators: []validator.List{
					listvalidator.SizeAtLeast(1),
					listvalidator.NoNullValues(),
					listvalidator.UniqueValues(),
					listvalidator.ValueStringsAre(validate.JurisdictionValue()),
				},
			},
			"key_destruction": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "What a plan that destroys or replaces a `gdpr_key` does: `" + providerdata.KeyDestructionWarn + "` (the default) " +
					"shows when the key's deletion completes and everything encrypted under it becomes " +
					"unreadable; `deny` fails the plan, for teams that want a second pair of eyes on every " +
					"erasure (GDPR Art. 17).",
				Validators: []validator.String{stringvalidator.OneOf(providerdata.KeyDestructionWarn, providerdata.KeyDestructionDeny)},
			},
			"max_retention_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "The longest retention, in days, that any resource of this provider may " +
					"configure (GDPR Art. 5(1)(e), storage limitation). Defaults to `" +
					strconv.Itoa(providerdata.DefaultMaxRetentionDays) + "`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
		},
	}
	resp.Schema.Attributes["audit"] = auditSchema()
	resp.Schema.Blocks = map[string]schema.Block{
		"assume_role":                   assumeRoleBlock(),
		"assume_role_with_web_identity": webIdentityBlock(),
	}
}

func (p *gdprProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	data := providerdata.New()
	resp.ResourceData = data
	resp.DataSourceData = data
	resp.ActionData = data
	resp.ListResourceData = data
	if d := datasetAgeWarning(jurisdiction.AsOf(), time.Now()); d != nil {
		resp.Diagnostics.Append(d)
	}

	// A provider block that depends on values not known until apply (a region from another resource, say)
	// is configured again at apply time; until then resources defer the checks that need those values.
	if !req.Config.Raw.IsFullyKnown() {
		tflog.Debug(ctx, "provider configuration has unknown values; deferring AWS setup")
		data.Unknown = true
		return
	}
	trail, diags := newAuditTrail(cfg.Audit)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	data.Audit = trail

	if !cfg.AllowedJurisdictions.IsNull() {
		data.Allowed = nil
		resp.Diagnostics.Append(cfg.AllowedJurisdictions.ElementsAs(ctx, &data.Allowed, false)...)
	}
	if !cfg.MaxRetentionDays.IsNull() {
		data.MaxRetentionDays = cfg.MaxRetentionDays.ValueInt64()
	}
	if !cfg.KeyDestruction.IsNull() {
		data.KeyDestruction = cfg.KeyDestruction.ValueString()
	}

	apiCfg := awsapi.Config{
		Region:         cfg.Region.ValueString(),
		Profile:        cfg.Profile.ValueString(),
		AccessKey:      cfg.AccessKey.ValueString(),
		SecretKey:      cfg.SecretKey.ValueString(),
		Token:          cfg.Token.ValueString(),
		S3UsePathStyle: cfg.S3UsePathStyle.ValueBool(),
		MaxRetries:     -1,
		AppID:          "terraform-provider-gdpr/" + p.version,
	}
	if !cfg.MaxRetries.IsNull() {
		apiCfg.MaxRetries = int(cfg.MaxRetries.ValueInt64())
	}
	if e := cfg.Endpoints; e != nil {
		apiCfg.Endpoints = awsapi.Endpoints{
			KMS: e.KMS.ValueString(), S3: e.S3.ValueString(), EC2: e.EC2.ValueString(), STS: e.STS.ValueString(),
			RDS: e.RDS.ValueString(),
		}
	}
	resp.Diagnostics.Append(credentialsConfig(ctx, cfg, &apiCfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if (apiCfg.AccessKey == "") != (apiCfg.SecretKey == "") {
		resp.Diagnostics.Append(credentialsPairDiag())
		return
	}

	clients, err := awsapi.New(ctx, apiCfg)
	if err != nil {
		resp.Diagnostics.Append(awsSetupDiag(err))
		return
	}
	data.Clients = clients

	if !cfg.SkipCredentialsValidation.ValueBool() {
		id, err := clients.CallerIdentity(ctx)
		if err != nil {
			resp.Diagnostics.Append(credentialsDiag(err))
			return
		}
		tflog.Debug(ctx, "validated AWS credentials", map[string]any{"account_id": id.Account})
		data.Caller.Set(id)
	}

	// Residency is decided here, once: every resource's plan applies the same decision.
	data.Place(clients.Region)
}

func (p *gdprProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		key.NewResource,
		bucket.NewResource,
		server.NewResource,
		database.NewResource,
		guard.NewResource,
	}
}

func (p *gdprProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		region.NewDataSource,
		retention.NewDataSource,
	}
}

var _ provider.ProviderWithListResources = (*gdprProvider)(nil)

// ListResources are what `terraform query` lists (Terraform 1.14 and later): the stores of the provider's
// region, compliant or not, with the identities that import them.
func (p *gdprProvider) ListResources(_ context.Context) []func() list.ListResource {
	return []func() list.ListResource{
		key.NewListResource,
		bucket.NewListResource,
		server.NewListResource,
		database.NewListResource,
	}
}

var _ provider.ProviderWithFunctions = (*gdprProvider)(nil)

// Functions are the provider-defined functions; they need no provider configuration.
func (p *gdprProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		region.NewJurisdictionFunction,
		region.NewRegionInfoFunction,
		retention.NewCompliantFunction,
	}
}

var _ provider.ProviderWithActions = (*gdprProvider)(nil)

// Actions are the provider's actions, which Terraform 1.14 and later invoke.
func (p *gdprProvider) Actions(_ context.Context) []func() action.Action {
	return []func() action.Action{
		erase.NewAction,
		isolate.NewAction,
		move.NewAction,
		restore.NewAction,
	}
}
