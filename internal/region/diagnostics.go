package region

import (
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// unknownRegionDiag reports a cloud or region missing from the jurisdiction data on the attribute at p. The
// jurisdiction package words the cause, with a suggestion when only the case is wrong; the functions
// report the same words as an argument error.
func unknownRegionDiag(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Unknown region", err.Error()+".")
}
