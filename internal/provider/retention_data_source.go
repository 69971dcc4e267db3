package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ datasource.DataSource                     = (*retentionDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*retentionDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*retentionDataSource)(nil)
)

type retentionDataSource struct {
	data *providerdata.Data
}

// NewRetentionDataSource returns the gdpr_retention data source.
func NewRetentionDataSource() datasource.DataSource {
	return &retentionDataSource{}
}

type retentionModel struct {
	Days           types.Int64  `tfsdk:"days"`
	Bucket         types.String `tfsdk:"bucket"`
	MinimumDays    types.Int64  `tfsdk:"minimum_days"`
	ExpirationDays types.Int64  `tfsdk:"expiration_days"`
	ObjectLockMode types.String `tfsdk:"object_lock_mode"`
	ObjectLockDays types.Int64  `tfsdk:"object_lock_days"`
	MaxDays        types.Int64  `tfsdk:"max_days"`
	Compliant      types.Bool   `tfsdk:"compliant"`
	Reason         types.String `tfsdk:"reason"`
}

func (d *retentionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_retention"
}

func (d *retentionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Checks a retention against storage limitation (GDPR Art. 5(1)(e)): a proposed number " +
			"of days, or the lifecycle and Object Lock settings of an existing S3 bucket made by any tool. Use " +
			"`compliant` in a `precondition` or a `check` block to stop a plan that would keep personal data " +
			"too long, without limit, or shorter than the law requires.",
		Attributes: map[string]schema.Attribute{
			"days": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: "A proposed retention in days. Exactly one of `days` and `bucket` is set.",
				Validators:          []validator.Int64{int64validator.AtLeast(0)},
			},
			"bucket": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "The name of an existing S3 bucket in the provider's region, whose lifecycle " +
					"expiration and default Object Lock retention are checked.",
				Validators: []validator.String{bucketName()},
			},
			"minimum_days": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "A statutory minimum the data must be kept, such as for tax or accounting " +
					"records; a shorter retention is not compliant.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"expiration_days": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "The retention checked: `days`, or the bucket's lifecycle expiration; null " +
					"when the bucket has none.",
			},
			"object_lock_mode": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bucket's default Object Lock mode; null without one or in `days` mode.",
			},
			"object_lock_days": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The bucket's default Object Lock retention in days; null without one or in `days` mode.",
			},
			"max_days": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The longest retention allowed: the provider's `max_retention_days`.",
			},
			"compliant": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the retention is bounded, at most `max_days`, at least `minimum_days`, " +
					"and not shorter than the Object Lock retention.",
			},
			"reason": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "One sentence: why the retention is not compliant, or which rule it satisfies.",
			},
		},
	}
}

func (d *retentionDataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("days"), path.MatchRoot("bucket")),
	}
}

func (d *retentionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerdata.Get(req.ProviderData, "gdpr_retention", &resp.Diagnostics)
}

func (d *retentionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m retentionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if d.data == nil || d.data.Unknown {
		resp.Diagnostics.Append(providerdata.NotConfiguredDiag("gdpr_retention"))
		return
	}
	in := policy.RetentionInput{MaxDays: d.data.MaxRetentionDays}
	if !m.MinimumDays.IsNull() {
		in.MinimumDays = m.MinimumDays.ValueInt64Pointer()
	}
	m.ObjectLockMode, m.ObjectLockDays = types.StringNull(), types.Int64Null()
	if m.Bucket.IsNull() {
		in.ExpirationDays = m.Days.ValueInt64Pointer()
	} else {
		if d.data.Clients == nil {
			resp.Diagnostics.Append(providerdata.NotConfiguredDiag("gdpr_retention"))
			return
		}
		name := m.Bucket.ValueString()
		r, err := d.data.Clients.BucketRetention(ctx, name)
		if err != nil {
			resp.Diagnostics.Append(bucketUnreadableDiag(name, d.data.Clients.Region, err))
			return
		}
		if r.ExpirationDays != nil {
			days := int64(*r.ExpirationDays)
			in.ExpirationDays = &days
		}
		if r.ObjectLock != nil {
			lock := int64(r.ObjectLock.Days)
			in.LockDays = &lock
			m.ObjectLockMode = types.StringValue(r.ObjectLock.Mode)
			m.ObjectLockDays = types.Int64Value(lock)
		}
	}
	decision := policy.Retention(in)
	m.ExpirationDays = types.Int64PointerValue(in.ExpirationDays)
	m.MaxDays = types.Int64Value(d.data.MaxRetentionDays)
	m.Compliant = types.BoolValue(decision.Allowed)
	m.Reason = types.StringValue(decision.Reason)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
