package region

import (
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// regionModel is what the gdpr_region data source and the region_info function both say about a region.
// Its attributes are declared once, here: regionAttributes is their schema in the data source, and the
// function's return type is derived from it, so an attribute added to this model, its schema and
// fromRegion reaches both.
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
	Reason           types.String `tfsdk:"reason"`
}

// fromRegion fills the model from the jurisdiction data. The reason describes the region's standing under
// no policy, which is all a function can say; the data source replaces it with its verdict.
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
	m.Reason = types.StringValue(policy.Placement(r))
}

// regionAttributes is the schema of regionModel's attributes as the data source declares them: region is
// what it is asked about, cloud defaults to aws, the rest it computes.
func regionAttributes() map[string]schema.Attribute {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, MarkdownDescription: desc}
	}
	return map[string]schema.Attribute{
		"region": schema.StringAttribute{
			Required: true,
			MarkdownDescription: "The region name as the cloud spells it, such as `eu-central-1` (AWS), " +
				"`germanywestcentral` (Azure) or `europe-west3` (GCP).",
		},
		"cloud": schema.StringAttribute{
			Optional: true,
			Computed: true,
			MarkdownDescription: "The cloud the region belongs to: `aws`, `azure` or `gcp`, in any case (the " +
				"functions accept the same); the data source reports it in lower case. Defaults to `aws`.",
			Validators: []validator.String{stringvalidator.OneOfCaseInsensitive(jurisdiction.Clouds()...)},
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
		"reason": computed("One sentence explaining the verdict; for a partial adequacy decision it says " +
			"what the user must make sure of, and it names known litigation pending against a decision."),
	}
}

// regionAttrTypes are the Terraform types of regionModel, taken from its schema: the return type of
// region_info.
func regionAttrTypes() map[string]attr.Type {
	attrs := regionAttributes()
	out := make(map[string]attr.Type, len(attrs))
	for name, a := range attrs {
		out[name] = a.GetType()
	}
	return out
}

// dataSourceModel is gdpr_region: the region, judged against the provider's allowed_jurisdictions, and the
// date of the data that judged it.
type dataSourceModel struct {
	regionModel
	Allowed     types.Bool   `tfsdk:"allowed"`
	DatasetAsOf types.String `tfsdk:"dataset_as_of"`
}

// fromRegion fills the data source's model from the jurisdiction data; the verdict is Read's to give.
func (m *dataSourceModel) fromRegion(r jurisdiction.Region) {
	m.regionModel.fromRegion(r)
	m.DatasetAsOf = types.StringValue(jurisdiction.AsOf().Format(time.DateOnly))
}
