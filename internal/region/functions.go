package region

import (
	"context"
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// The functions expose the jurisdiction data where data sources cannot go, such as variable validation
// blocks. They need no provider configuration, so they judge nothing against allowed_jurisdictions: the
// caller decides what to admit.

var (
	_ function.Function = (*jurisdictionFunction)(nil)
	_ function.Function = (*regionInfoFunction)(nil)
)

// Argument positions, zero-based as function errors count them.
const (
	argCloud  = 0
	argRegion = 1
)

func cloudParameter() function.StringParameter {
	return function.StringParameter{
		Name:                "cloud",
		MarkdownDescription: "The cloud the region belongs to: `aws`, `azure` or `gcp`, in any case, as the `gdpr_region` data source accepts it.",
	}
}

func regionParameter() function.StringParameter {
	return function.StringParameter{
		Name: "region",
		MarkdownDescription: "The region name exactly as the cloud spells it, such as `eu-central-1`, " +
			"`germanywestcentral` or `europe-west3`.",
	}
}

// lookupArguments reads (cloud, region) and looks the region up, reporting an unknown cloud or region, or an
// AWS region name of the wrong form, as an error on the argument that is wrong.
func lookupArguments(ctx context.Context, req function.RunRequest) (jurisdiction.Region, *function.FuncError) {
	var cloud, region string
	if err := req.Arguments.Get(ctx, &cloud, &region); err != nil {
		return jurisdiction.Region{}, err
	}
	if p := malformedAWSRegion(cloud, region); p != "" {
		return jurisdiction.Region{}, function.NewArgumentFuncError(argRegion, p)
	}
	r, err := jurisdiction.Lookup(cloud, region)
	switch {
	case errors.Is(err, jurisdiction.ErrUnknownCloud):
		return r, function.NewArgumentFuncError(argCloud, lookupProblem(err))
	case err != nil:
		return r, function.NewArgumentFuncError(argRegion, lookupProblem(err))
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

func (f *regionInfoFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Where a cloud region keeps data, and its standing under the GDPR.",
		MarkdownDescription: "Returns an object with the attributes of the `gdpr_region` data source except " +
			"`allowed` and `dataset_as_of`: `region`, `cloud`, `location`, `country_code`, `country`, " +
			"`jurisdiction`, `eu_member`, `eea_member`, `adequacy_decision` and `reason`. A function sees no " +
			"provider configuration, so `reason` describes the region's standing without judging it against " +
			"`allowed_jurisdictions`. " +
			"An unknown cloud or region is an error on that argument.",
		Parameters: []function.Parameter{cloudParameter(), regionParameter()},
		Return:     function.ObjectReturn{AttributeTypes: regionAttrTypes()},
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
	obj, diags := types.ObjectValueFrom(ctx, regionAttrTypes(), m)
	if diags.HasError() {
		resp.Error = function.FuncErrorFromDiags(ctx, diags)
		return
	}
	resp.Error = resp.Result.Set(ctx, obj)
}
