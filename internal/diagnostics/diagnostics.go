// Package diagnostics words the few diagnostics that every gdpr_* resource reports alike: a failed AWS
// call, a resource gone from the cloud, a refused import, and a destroy that could not be checked. The
// wording of a decision lives with the package that takes it (a resource's diagnostics.go, replaceonly's,
// policy's); this package holds only what several resources share. Every message is a short summary, then
// what happened, what to do, and the cause last.
package diagnostics

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// APIError reports a failed AWS call: the operation in the summary, what to do in the detail, the cause
// last. The operation is the call that failed when the error says so, else the one the caller names.
func APIError(summary, operation string, err error) diag.Diagnostic {
	if op := awsapi.Operation(err); op != "" {
		operation = op
	}
	hint := ""
	switch {
	case awsapi.IsAccessDenied(err):
		hint = " The credentials are not allowed to call " + operation + ": grant it in the IAM policy of the caller."
	case awsapi.IsThrottled(err):
		hint = " AWS kept throttling the request after every retry: raise max_retries in the provider block, or lower -parallelism."
	}
	return diag.NewErrorDiagnostic(summary, fmt.Sprintf("The call to %s failed.%s\n\nCause: %s", operation, hint, err))
}

// Gone warns that a resource no longer exists as Terraform knows it (why completes the sentence) and is
// removed from the state.
func Gone(typeName, id, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Removed from state",
		fmt.Sprintf("%s %q %s, so it is removed from the state and the next apply creates a new one.",
			typeName, id, why))
}

// ImportRefused refuses to adopt a resource that breaks the guarantees of typeName, naming every problem.
func ImportRefused(typeName, id string, problems []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot import "+typeName,
		fmt.Sprintf("%q cannot be managed as %s because %s. The provider adopts only resources that keep its "+
			"guarantees; create a new one with Terraform and move the data to it instead.",
			id, typeName, strings.Join(problems, "; and ")))
}

// DestroyCheckFailed warns that a plan could not read what destroying a resource would erase.
func DestroyCheckFailed(typeName, id string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Cannot check what a destroy would erase",
		fmt.Sprintf("The plan could not read %s %q to say what destroying it erases; the destroy itself still "+
			"refuses to delete data without force_destroy.\n\nCause: %s", typeName, id, err))
}

// InvalidTags reports tags the provider could not read from the plan, on the tags argument.
func InvalidTags(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("tags"), "Invalid tags", err.Error())
}
