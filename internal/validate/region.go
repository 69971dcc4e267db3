package validate

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// awsRegionPattern is the form of every AWS region name, in every partition: a two-letter area, one or more
// words, and a number (eu-central-1, us-gov-west-1, eu-isoe-west-1). Whether a well-formed name is a region
// the provider knows is the jurisdiction package's to say.
var awsRegionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d+$`)

// AWSRegionForm says, for messages and descriptions, what an AWS region name looks like.
const AWSRegionForm = "lower-case words separated by hyphens and ending in a number, such as eu-central-1 or us-gov-west-1, with no spaces"

// AWSRegionProblem says what is wrong with the form of an AWS region name, "" when it is well formed. A
// stray space or newline, or upper case, would otherwise reach the SDK and come back as a failure to
// validate the credentials. The sentence has no final full stop, since Terraform adds one to a function's
// error.
func AWSRegionProblem(name string) string {
	if awsRegionPattern.MatchString(name) {
		return ""
	}
	msg := fmt.Sprintf("%q is not an AWS region name: region names are %s", name, AWSRegionForm)
	if fixed := strings.ToLower(strings.TrimSpace(name)); fixed != name && awsRegionPattern.MatchString(fixed) {
		msg += fmt.Sprintf("; write %q", fixed)
	}
	return msg
}

// awsRegionValidator admits well-formed AWS region names.
type awsRegionValidator struct{}

// AWSRegion validates an argument that names an AWS region.
func AWSRegion() validator.String { return awsRegionValidator{} }

func (awsRegionValidator) Description(_ context.Context) string {
	return "value must be an AWS region name: " + AWSRegionForm
}

func (v awsRegionValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (awsRegionValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if p := AWSRegionProblem(req.ConfigValue.ValueString()); p != "" {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid AWS region", p+".")
	}
}
