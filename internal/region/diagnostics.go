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
// the words of lookupProblem, as a sentence.
func unknownRegionDiag(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Unknown region", lookupProblem(err)+".")
}

// lookupProblem is what the data source and the functions print for a failed lookup: the jurisdiction
// package's words, and for a region that is merely unknown, where the known regions are listed. It has no
// final period: Terraform ends a function's argument error with one of its own ("Invalid value for "region"
// parameter: ...."), and the data source's diagnostic adds it.
func lookupProblem(err error) string {
	var e *jurisdiction.LookupError
	if errors.As(err, &e) && (e.Suggestion != "" || e.Partition != "") {
		return err.Error()
	}
	if errors.Is(err, jurisdiction.ErrUnknownRegion) {
		return err.Error() + "; the known regions are listed in the gdpr_region data source documentation"
	}
	return err.Error()
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
