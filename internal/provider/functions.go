package provider

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// The provider-defined functions expose the jurisdiction and policy packages where data sources cannot go,
// such as variable validation blocks. They need no provider configuration, so they judge nothing against
// allowed_jurisdictions or max_retention_days: the caller passes what it wants checked.

var (
	_ function.Function = (*jurisdictionFunction)(nil)
	_ function.Function = (*regionInfoFunction)(nil)
	_ function.Function = (*retentionCompliantFunction)(nil)
)

// Argument positions, zero-based as function errors count them.
const (
	argCloud  = 0
	argRegion = 1
)

func cloudParameter() function.StringParameter {
	return function.StringParameter{
		Name:                "cloud",
		MarkdownDescription: "The cloud the region belongs to: `aws`, `azure` or `gcp` (any case).",
	}
}

func regionParameter() function.StringParameter {
	return function.StringParameter{
		Name: "region",
		MarkdownDescription: "The region name exactly as the cloud spells it, such as `eu-central-1`, " +
			"`germanywestcentral` or `europe-west3`.",
	}
}

// lookupArguments reads (cloud, region) and looks the region up, reporting an unknown cloud or region as an
// error on the argument that is wrong.
func lookupArguments(ctx context.Context, req function.RunRequest) (jurisdiction.Region, *function.FuncError) {
	var cloud, region string
	if err := req.Arguments.Get(ctx, &cloud, &region); err != nil {
		return jurisdiction.Region{}, err
	}
	r, err := jurisdiction.Lookup(cloud, region)
	switch {
	case errors.Is(err, jurisdiction.ErrUnknownCloud):
		return r, function.NewArgumentFuncError(argCloud, err.Error()+".")
	case err != nil:
		return r, function.NewArgumentFuncError(argRegion, err.Error()+".")
	}
	return r, nil
}

type jurisdictionFunction struct{}

// NewJurisdictionFunction returns provider::gdpr::jurisdiction.
func NewJurisdictionFunction() function.Function { return &jurisdictionFunction{} }

func (f *jurisdictionFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "jurisdiction"
}

func (f *jurisdictionFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "The GDPR jurisdiction of a cloud region.",
		MarkdownDescription: "Returns the jurisdiction of the region's country under GDPR Chapter V: `EU`, `EEA`, " +
			"`ADEQUACY`, `PARTIAL_ADEQUACY` or `THIRD_COUNTRY`, from the same data as the `gdpr_region` data " +
			"source. An unknown cloud or region is an error on that argument.",
		Parameters: []function.Parameter{cloudParameter(), regionParameter()},
		Return:     function.StringReturn{},
	}
}

func (f *jurisdictionFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	r, err := lookupArguments(ctx, req)
	if err != nil {
		resp.Error = err
		return
	}
	resp.Error = resp.Result.Set(ctx, string(r.Country.Jurisdiction))
}

type regionInfoFunction struct{}

// NewRegionInfoFunction returns provider::gdpr::region_info.
func NewRegionInfoFunction() function.Function { return &regionInfoFunction{} }

func (f *regionInfoFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "region_info"
}

// regionInfoTypes are the attributes of gdpr_region except allowed, which needs the provider's policy.
var regionInfoTypes = map[string]attr.Type{
	"region":            types.StringType,
	"cloud":             types.StringType,
	"location":          types.StringType,
	"country_code":      types.StringType,
	"country":           types.StringType,
	"jurisdiction":      types.StringType,
	"eu_member":         types.BoolType,
	"eea_member":        types.BoolType,
	"adequacy_decision": types.StringType,
	"reason":            types.StringType,
}

func (f *regionInfoFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Where a cloud region keeps data, and its standing under the GDPR.",
		MarkdownDescription: "Returns an object with the attributes of the `gdpr_region` data source except " +
			"`allowed`: `region`, `cloud`, `location`, `country_code`, `country`, `jurisdiction`, `eu_member`, " +
			"`eea_member`, `adequacy_decision` and `reason`. A function sees no provider configuration, so " +
			"`reason` describes the region's standing without judging it against `allowed_jurisdictions`. " +
			"An unknown cloud or region is an error on that argument.",
		Parameters: []function.Parameter{cloudParameter(), regionParameter()},
		Return:     function.ObjectReturn{AttributeTypes: regionInfoTypes},
	}
}

func (f *regionInfoFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	r, err := lookupArguments(ctx, req)
	if err != nil {
		resp.Error = err
		return
	}
	var m regionModel
	m.fromRegion(r)
	obj, diags := types.ObjectValue(regionInfoTypes, map[string]attr.Value{
		"region":            m.Region,
		"cloud":             m.Cloud,
		"location":          m.Location,
		"country_code":      m.CountryCode,
		"country":           m.Country,
		"jurisdiction":      m.Jurisdiction,
		"eu_member":         m.EUMember,
		"eea_member":        m.EEAMember,
		"adequacy_decision": m.AdequacyDecision,
		"reason":            types.StringValue(policy.Placement(r)),
	})
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}

type retentionCompliantFunction struct{}

// NewRetentionCompliantFunction returns provider::gdpr::retention_compliant.
func NewRetentionCompliantFunction() function.Function { return &retentionCompliantFunction{} }

func (f *retentionCompliantFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "retention_compliant"
}

// Argument positions of retention_compliant.
const (
	argDays        = 0
	argMaxDays     = 1
	argMinimumDays = 2
)

func (f *retentionCompliantFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Whether a retention in days respects storage limitation.",
		MarkdownDescription: "Returns `true` when a retention of `days` is at most `max_days` and, unless " +
			"`minimum_days` is `null`, at least `minimum_days` (GDPR Art. 5(1)(e), storage limitation). It is " +
			"the rule of the `gdpr_retention` data source in `days` mode, with the maximum passed in because " +
			"a function cannot read the provider's `max_retention_days`.",
		Parameters: []function.Parameter{
			function.Int64Parameter{Name: "days", MarkdownDescription: "The retention to check, in days, 0 or more."},
			function.Int64Parameter{Name: "max_days", MarkdownDescription: "The longest retention allowed, in days, 1 or more."},
			function.Int64Parameter{
				Name:           "minimum_days",
				AllowNullValue: true,
				MarkdownDescription: "A statutory minimum the data must be kept, in days, 0 or more; `null` " +
					"when there is none.",
			},
		},
		Return: function.BoolReturn{},
	}
}

func (f *retentionCompliantFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var days, maxDays int64
	var minimum types.Int64
	if resp.Error = req.Arguments.Get(ctx, &days, &maxDays, &minimum); resp.Error != nil {
		return
	}
	switch {
	case days < 0:
		resp.Error = function.NewArgumentFuncError(argDays, "days must be 0 or more.")
	case maxDays < 1:
		resp.Error = function.NewArgumentFuncError(argMaxDays, "max_days must be 1 or more.")
	case !minimum.IsNull() && minimum.ValueInt64() < 0:
		resp.Error = function.NewArgumentFuncError(argMinimumDays, "minimum_days must be 0 or more, or null.")
	}
	if resp.Error != nil {
		return
	}
	decision := policy.Retention(policy.RetentionInput{
		ExpirationDays: &days,
		MinimumDays:    minimum.ValueInt64Pointer(),
		MaxDays:        maxDays,
	})
	resp.Error = resp.Result.Set(ctx, decision.Allowed)
}
