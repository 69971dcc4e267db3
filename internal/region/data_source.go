// Package region answers where a cloud region keeps data and what that means under the GDPR: the
// gdpr_region data source, which also judges the region against the provider's allowed_jurisdictions, and
// the jurisdiction and region_info provider functions, which need no provider configuration. Both read the
// jurisdiction data and word their reasons through policy; model.go declares once the attributes the data
// source and region_info share.
package region

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// DataSourceType is the name of the data source in configurations and in every diagnostic it reports.
const DataSourceType = "gdpr_region"

var (
	_ datasource.DataSource                   = (*dataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*dataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*dataSource)(nil)
)

type dataSource struct {
	data *providerdata.Data
}

// NewDataSource returns the gdpr_region data source.
func NewDataSource() datasource.DataSource {
	return &dataSource{}
}

func (d *dataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = DataSourceType
}

func (d *dataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := regionAttributes()
	attrs["allowed"] = schema.BoolAttribute{
		Computed: true,
		MarkdownDescription: "Whether the provider's `allowed_jurisdictions` admit the region. Resources of " +
			"this provider enforce the same rule; this reports it for anything else.",
	}
	attrs["dataset_as_of"] = schema.StringAttribute{
		Computed: true,
		MarkdownDescription: "The date, as YYYY-MM-DD, on which the provider's jurisdiction data was " +
			"last checked. The provider warns when it is more than a year old: upgrade it then.",
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Where a cloud region keeps data: its country, its jurisdiction under the GDPR, and " +
			"whether the provider's `allowed_jurisdictions` admit it. It works for any resource of any " +
			"provider, so module authors can fail a plan that would place personal data in the wrong place.",
		Attributes: attrs,
	}
}

func (d *dataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerdata.Get(req.ProviderData, DataSourceType, &resp.Diagnostics)
}

// ValidateConfig rejects an unknown cloud or region, and an AWS region name of the wrong form, at validate
// time, before anything is planned.
func (d *dataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg dataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Region.IsUnknown() || cfg.Cloud.IsUnknown() || cfg.Region.IsNull() {
		return
	}
	if p := malformedAWSRegion(cloudOrDefault(cfg.Cloud), cfg.Region.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(path.Root("region"), "Invalid AWS region", p+".")
		return
	}
	if _, err := jurisdiction.Lookup(cloudOrDefault(cfg.Cloud), cfg.Region.ValueString()); err != nil {
		resp.Diagnostics.Append(unknownRegionDiag(path.Root("region"), err))
	}
}

func cloudOrDefault(c types.String) string {
	if c.IsNull() || c.IsUnknown() {
		return "aws"
	}
	return strings.ToLower(c.ValueString())
}

// Read judges the region it is asked about against the provider's allowed_jurisdictions through
// policy.Residency, as resources are judged. It cannot use the provider's decided residency, which is about
// the provider's own region; the verdict stays unknown until the provider block is known.
func (d *dataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m dataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r, err := jurisdiction.Lookup(cloudOrDefault(m.Cloud), m.Region.ValueString())
	if err != nil {
		resp.Diagnostics.Append(unknownRegionDiag(path.Root("region"), err))
		return
	}
	m.fromRegion(r)
	m.Allowed, m.Reason = types.BoolUnknown(), types.StringUnknown()
	if d.data != nil && !d.data.Unknown {
		decision := policy.Residency(r, d.data.Allowed)
		m.Allowed = types.BoolValue(decision.Allowed)
		m.Reason = types.StringValue(decision.Reason)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, m)...)
}
