// Package retention checks retentions against storage limitation (GDPR Art. 5(1)(e)): the gdpr_retention
// data source, which judges a proposed number of days or an existing bucket's settings against the
// provider's max_retention_days, and the retention_compliant provider function, which is given the maximum
// because it sees no provider configuration. Both decide through policy.Retention, the rule gdpr_bucket
// plans with, so they print the same words.
package retention

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
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// DataSourceType is the name of the data source in configurations and in every diagnostic it reports.
const DataSourceType = "gdpr_retention"

var (
	_ datasource.DataSource                     = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*dataSource)(nil)
)

type dataSource struct {
	data *providerdata.Data
}

// NewDataSource returns the gdpr_retention data source.
func NewDataSource() datasource.DataSource {
	return &dataSource{}
}

func (d *dataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = DataSourceType
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
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
					"expirations (of current objects and of noncurrent versions) and default Object Lock " +
					"retention are checked.",
				Validators: []validator.String{validate.BucketName()},
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
			"noncurrent_version_days": schema.Int64Attribute{
				Computed: true,
				MarkdownDescription: "How many days the bucket's lifecycle keeps a version once it is overwritten, " +
					"deleted or expired (its noncurrent version expiration), as `gdpr_bucket`'s " +
					"`noncurrent_version_days` sets it; null when nothing expires noncurrent versions, or in `days` mode.",
			},
			"max_days": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The longest retention allowed: the provider's `max_retention_days`.",
			},
			"compliant": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the retention is bounded, at most `max_days`, at least `minimum_days`, " +
					"and not shorter than the Object Lock retention or the noncurrent version expiration; with " +
					"noncurrent versions kept more than a day, the expiration plus those days beyond the first must " +
					"be at most `max_days` too, as `gdpr_bucket` requires.",
			},
			"reason": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "One sentence: why the retention is not compliant, or which rule it satisfies.",
			},
		},
	}
}

func (d *dataSource) ConfigValidators(_ context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("days"), path.MatchRoot("bucket")),
	}
}

func (d *dataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerdata.Get(req.ProviderData, DataSourceType, &resp.Diagnostics)
}

// Read gathers the retention, proposed or read from the bucket, and lets policy.Retention decide it under
// the provider's max_retention_days.
func (d *dataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m model
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The maximum is the provider's, so even a proposed number of days waits for a configured provider.
	if d.data == nil || d.data.Unknown {
		resp.Diagnostics.Append(providerdata.NotConfiguredDiag(DataSourceType))
		return
	}
	in := policy.RetentionInput{MaxDays: d.data.MaxRetentionDays}
	if !m.MinimumDays.IsNull() {
		in.MinimumDays = m.MinimumDays.ValueInt64Pointer()
	}
	m.ObjectLockMode, m.ObjectLockDays, m.NoncurrentVersionDays = types.StringNull(), types.Int64Null(), types.Int64Null()
	if m.Bucket.IsNull() {
		in.ExpirationDays = m.Days.ValueInt64Pointer()
	} else if !d.readBucket(ctx, &m, &in, resp) {
		return
	}
	decision := policy.Retention(in)
	m.ExpirationDays = types.Int64PointerValue(in.ExpirationDays)
	m.MaxDays = types.Int64Value(d.data.MaxRetentionDays)
	m.Compliant = types.BoolValue(decision.Allowed)
	m.Reason = types.StringValue(decision.Reason)
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}

// readBucket reads the bucket's lifecycle expirations and default Object Lock retention into the policy's
// input, and the lock and the noncurrent days into the model. It returns false after reporting an error.
func (d *dataSource) readBucket(ctx context.Context, m *model, in *policy.RetentionInput, resp *datasource.ReadResponse) bool {
	clients := d.data.ClientsFor(DataSourceType, &resp.Diagnostics)
	if clients == nil {
		return false
	}
	name := m.Bucket.ValueString()
	r, err := clients.BucketRetention(ctx, name)
	if err != nil {
		resp.Diagnostics.Append(bucketUnreadableDiag(name, clients.Region, err))
		return false
	}
	if r.ExpirationDays != nil {
		days := int64(*r.ExpirationDays)
		in.ExpirationDays = &days
	}
	if r.NoncurrentDays != nil {
		noncurrent := int64(*r.NoncurrentDays)
		in.NoncurrentDays = &noncurrent
		m.NoncurrentVersionDays = types.Int64Value(noncurrent)
	}
	if r.ObjectLock != nil {
		lock := int64(r.ObjectLock.Days)
		in.LockDays = &lock
		m.ObjectLockMode = types.StringValue(r.ObjectLock.Mode)
		m.ObjectLockDays = types.Int64Value(lock)
	}
	return true
}
