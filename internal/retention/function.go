package retention

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

var _ function.Function = (*compliantFunction)(nil)

// compliantFunction is the data source's rule in days mode where data sources cannot go, such as variable
// validation blocks. A function sees no provider configuration, so the caller passes the maximum.
type compliantFunction struct{}

// NewCompliantFunction returns provider::gdpr::retention_compliant.
func NewCompliantFunction() function.Function { return &compliantFunction{} }

func (f *compliantFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "retention_compliant"
}

// Argument positions of retention_compliant, zero-based as function errors count them.
const (
	argDays        = 0
	argMaxDays     = 1
	argMinimumDays = 2
)

func (f *compliantFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
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

func (f *compliantFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var days, maxDays int64
	var minimum types.Int64
	if resp.Error = req.Arguments.Get(ctx, &days, &maxDays, &minimum); resp.Error != nil {
		return
	}
	switch {
	case days < 0:
		resp.Error = function.NewArgumentFuncError(argDays, "days must be 0 or more")
	case maxDays < 1:
		resp.Error = function.NewArgumentFuncError(argMaxDays, "max_days must be 1 or more")
	case !minimum.IsNull() && minimum.ValueInt64() < 0:
		resp.Error = function.NewArgumentFuncError(argMinimumDays, "minimum_days must be 0 or more, or null")
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
