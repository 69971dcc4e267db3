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

// Finished tells the user that a create took over a resource an interrupted apply had begun with the same
// arguments, instead of making a second one, and finished it.
func Finished(typeName, id string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Finished a create that an interrupted apply began",
		fmt.Sprintf("An earlier apply began creating %s %q with these same arguments and stopped before Terraform "+
			"learnt of it (the provider process was killed, or the machine stopped). The provider found it by the %q "+
			"tag it writes with every new resource, finished its setup and checked its guarantees instead of making "+
			"another one, so nothing is left behind. Nothing needs to be done.", typeName, id, awsapi.CreatingTag))
}

// LookupFailed warns that a create could not look for what an interrupted apply left half-made, and made
// a new resource without looking.
func LookupFailed(typeName, operation string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Cannot look for resources an interrupted apply left behind",
		fmt.Sprintf("Before creating a %s, the provider looks for one that an interrupted apply began with the same "+
			"arguments, so that it finishes that one instead of leaving it behind. The lookup failed, so a new one "+
			"was created; any such leftover carries the %q tag. Grant %s to the caller to let the provider find "+
			"them.\n\nCause: %s", typeName, awsapi.CreatingTag, operation, err))
}

// Unfinished warns that a resource in the state was left half-made by one of the provider's own creates
// that stopped before finishing (typically one imported after an interrupted apply), so its missing
// settings are not someone's change: the next apply replaces it with a finished one.
func Unfinished(typeName, id string, missing []string) diag.Diagnostic {
	detail := fmt.Sprintf("%s %q carries the %q tag: the provider began creating it in an apply that stopped "+
		"before the create finished, so it is not known to keep every guarantee.", typeName, id, awsapi.CreatingTag)
	if len(missing) > 0 {
		detail += fmt.Sprintf(" It lacks: %s. These are not a change made by someone else.", strings.Join(missing, ", "))
	}
	return diag.NewWarningDiagnostic("Left half-made by an interrupted apply",
		detail+" The next apply replaces it with a finished one.")
}

// LeftBehind names, once per plan, every resource of typeName that interrupted applies left half-made in
// region, with the command that imports each into a resource and the one that removes it (remove holds
// %[1]s for the region and %[2]s for the id): a create with the same arguments finishes one, but one
// whose arguments changed since stays.
func LeftBehind(typeName, region string, left []awsapi.Leftover, remove string) diag.Diagnostic {
	var lines []string
	for _, l := range left {
		lines = append(lines, fmt.Sprintf("  - %s (made %s)\n      import: terraform import <address> %s\n      remove: %s",
			l.ID, l.Created.UTC().Format("2006-01-02 15:04:05 UTC"), l.ID, fmt.Sprintf(remove, region, l.ID)))
	}
	what := fmt.Sprintf("%d %s resources in %s carry", len(left), typeName, region)
	if len(left) == 1 {
		what = fmt.Sprintf("A %s in %s carries", typeName, region)
	}
	// Terraform folds warnings with one summary into the first, so each type gets a summary of its own.
	return diag.NewWarningDiagnostic(typeName+" left half-made by an interrupted apply",
		fmt.Sprintf("%s the %q tag: an apply began creating it and stopped before Terraform learnt of it, so no "+
			"state holds it.\n\n%s\n\nA create of this plan made with the same arguments as one of them finishes "+
			"it at apply instead of making another. Any other is not Terraform's: import it into the resource it "+
			"belongs to (the address as in the configuration), or remove it.",
			what, awsapi.CreatingTag, strings.Join(lines, "\n")))
}

// WillFinish tells the user that a planned create takes over id, which an interrupted apply began with the
// same arguments, instead of making another.
func WillFinish(typeName, id string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Create finishes what an interrupted apply began",
		fmt.Sprintf("An earlier apply began creating %s %q with these same arguments and stopped before Terraform "+
			"learnt of it. This create finishes its setup and checks its guarantees instead of making another one.",
			typeName, id))
}

// AppendLeftBehind adds, at the plan of a create, what a lookup of leftovers found (see LeftBehind and
// WillFinish). A failed lookup adds nothing: the create's own lookup at apply reports it.
func AppendLeftBehind(typeName, region, remove string, lb awsapi.LeftBehind, err error, diags *diag.Diagnostics) {
	if err != nil {
		return
	}
	if len(lb.New) > 0 {
		diags.Append(LeftBehind(typeName, region, lb.New, remove))
	}
	if lb.Mine != "" {
		diags.Append(WillFinish(typeName, lb.Mine))
	}
}
