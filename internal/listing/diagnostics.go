package listing

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

var pathTags = path.Root(AttrTags)

// unreadableWarning tells the user that one store could not be read, so it is missing from the results.
func unreadableWarning(typeName string, err *awsapi.ItemError) diag.Diagnostic {
	return diag.NewWarningDiagnostic(fmt.Sprintf("Cannot read %s %s", typeName, err.ID),
		fmt.Sprintf("The listing found %s but could not read it, so it is missing from the results and its "+
			"compliance is unknown. Check that the provider's credentials may read it (the AWS error below names "+
			"the call), then run the query again. The other results are complete.\n\nCause: %v", err.ID, err.Err))
}
