package region

import (
	"errors"
	"strings"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// unknownRegionDiag reports a cloud or region missing from the jurisdiction data on the attribute at p, in
// the words of lookupProblem.
func unknownRegionDiag(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Unknown region", lookupProblem(err))
}

// lookupProblem is the sentence the data source and the functions print for a failed lookup: the
// jurisdiction package's words (with a suggestion when only the case is wrong), and otherwise where the
// known regions are listed.
func lookupProblem(err error) string {
	var e *jurisdiction.LookupError
	switch {
	case errors.As(err, &e) && e.Suggestion != "":
		return err.Error() // a question already
	case errors.Is(err, jurisdiction.ErrUnknownRegion):
		return err.Error() + "; the known regions are listed in the gdpr_region data source documentation."
	}
	return err.Error() + "."
}

// malformedAWSRegion says what is wrong with the form of region when cloud is aws and the name is one AWS
// could never have, in any case: a stray space or newline, a character no region name has. It is "" for
// other clouds and for every other name, which the jurisdiction data words: an unknown region, or the
// region meant when only the case is wrong.
func malformedAWSRegion(cloud, region string) string {
	if !strings.EqualFold(cloud, "aws") || validate.AWSRegionProblem(strings.ToLower(region)) == "" {
		return ""
	}
	return validate.AWSRegionProblem(region)
}
