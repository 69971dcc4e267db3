package providerdata

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// NotConfiguredDiag reports a resource or data source used without the Data of a configured provider.
func NotConfiguredDiag(typeName string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Provider not configured",
		typeName+" needs a configured gdpr provider with AWS clients. This is a bug in the provider if the "+
			"provider block is complete; please report it.")
}

func auditWarning(e audit.Event, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Audit event not fully recorded",
		fmt.Sprintf("The %s of %s %q succeeded, but its audit event could not be recorded everywhere. The "+
			"change in the cloud stands; the event is kept in the audit file when one is configured (hash %s). "+
			"Check the audit settings of the provider block and the receiving end.\n\nCause: %s",
			e.Action, e.ResourceType, e.CloudID, e.Hash, err))
}
