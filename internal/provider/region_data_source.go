package provider

import (
	"context"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

var (
	_ datasource.DataSource                   = (*regionDataSource)(nil)
	_ datasource.DataSourceWithConfigure      = (*regionDataSource)(nil)
	_ datasource.DataSourceWithValidateConfig = (*regionDataSource)(nil)
)

type regionDataSource struct {
	data *providerdata.Data
}

// NewRegionDataSource returns the gdpr_region data source.
func NewRegionDataSource() datasource.DataSource {
	return &regionDataSource{}
}

type regionModel struct {
	Region           types.String `tfsdk:"region"`
	Cloud            types.String `tfsdk:"cloud"`
	Location         types.String `tfsdk:"location"`
	CountryCode      types.String `tfsdk:"country_code"`
	Country          types.String `tfsdk:"country"`
	Jurisdiction     types.String `tfsdk:"jurisdiction"`
	EUMember         types.Bool   `tfsdk:"eu_member"`
	EEAMember        types.Bool   `tfsdk:"eea_member"`
	AdequacyDecision types.String `tfsdk:"adequacy_decision"`
	Allowed          types.Bool   `tfsdk:"allowed"`
	Reason           types.String `tfsdk:"reason"`
	DatasetAsOf      types.String `tfsdk:"dataset_as_of"`
}

func (d *regionDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_region"
}

func (d *regionDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Where a cloud region keeps data: its country, its jurisdiction under the GDPR, and " +
			"whether the provider's `allowed_jurisdictions` admit it. It works for any resource of any " +
			"provider, so module authors can fail a plan that would place personal data in the wrong place.",
		Attributes: map[string]schema.Attribute{
			"region": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The region name as the cloud spells it, such as `eu-central-1` (AWS), " +
					"`germanywestcentral` (Azure) or `europe-west3` (GCP).",
			},
			"cloud": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				MarkdownDescription: "The cloud the region belongs to: `aws`, `azure` or `gcp`. Defaults to `aws`.",
				Validators:          []validator.String{stringvalidator.OneOf(jurisdiction.Clouds()...)},
			},
			"location":     computed("Where the region's data centres are, as the cloud names it, such as `Frankfurt`."),
			"country_code": computed("The ISO 3166-1 alpha-2 code of the region's country, such as `DE`."),
			"country":      computed("The English short name of the region's country."),
			"jurisdiction": computed("The region's jurisdiction: `EU` for EU member states, `EEA` for Iceland, " +
				"Liechtenstein and Norway, `ADEQUACY` for countries with a full EU adequacy decision, " +
				"`PARTIAL_ADEQUACY` for decisions that cover only some recipients (United States, Canada), " +
				"`THIRD_COUNTRY` otherwise."),
			"eu_member": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the region's country is an EU member state.",
			},
			"eea_member": schema.BoolAttribute{
				Computed:            true,
				MarkdownDescription: "Whether the region's country is in the European Economic Area (EU members included).",
			},
			"adequacy_decision": computed("The Commission's adequacy decision for the country and its scope; " +
				"empty when there is none."),
			"allowed": schema.BoolAttribute{
				Computed: true,
				MarkdownDescription: "Whether the provider's `allowed_jurisdictions` admit the region. Resources of " +
					"this provider enforce the same rule; this reports it for anything else.",
			},
			"reason": computed("One sentence explaining the verdict; for a partial adequacy decision it says " +
				"what the user must make sure of, and it names known litigation pending against a decision."),
			"dataset_as_of": computed("The date, as YYYY-MM-DD, on which the provider's jurisdiction data was " +
				"last checked. The provider warns when it is more than a year old: upgrade it then."),
		},
	}
}

func (d *regionDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.data = providerdata.Get(req.ProviderData, "gdpr_region", &resp.Diagnostics)
}

// ValidateConfig rejects an unknown cloud or region at validate time, before anything is planned.
func (d *regionDataSource) ValidateConfig(ctx context.Context, req datasource.ValidateConfigRequest, resp *datasource.ValidateConfigResponse) {
	var cfg regionModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || cfg.Region.IsUnknown() || cfg.Cloud.IsUnknown() || cfg.Region.IsNull() {
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

func (d *regionDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m regionModel
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

func (m *regionModel) fromRegion(r jurisdiction.Region) {
	m.Cloud = types.StringValue(r.Cloud)
	m.Region = types.StringValue(r.Name)
	m.Location = types.StringValue(r.Location)
	m.CountryCode = types.StringValue(r.Country.Code)
	m.Country = types.StringValue(r.Country.Name)
	m.Jurisdiction = types.StringValue(string(r.Country.Jurisdiction))
	m.EUMember = types.BoolValue(r.Country.EUMember)
	m.EEAMember = types.BoolValue(r.Country.EEAMember)
	m.AdequacyDecision = types.StringValue(r.Country.AdequacyDecision)
	m.DatasetAsOf = types.StringValue(jurisdiction.AsOf().Format(time.DateOnly))
}
