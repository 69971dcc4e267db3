package replaceonly

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func residencyDiag(typeName, reason string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Region not allowed for personal data",
		fmt.Sprintf("%s cannot be placed in this region: %s Configure the provider with a region the policy admits, "+
			"or widen allowed_jurisdictions if the transfer is lawful (GDPR Arts. 44-45, transfers to third "+
			"countries).", typeName, reason))
}

func unknownProviderRegionDiag(typeName string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Region not in the jurisdiction data",
		fmt.Sprintf("%s cannot be planned because the provider cannot tell which jurisdiction its region is "+
			"in, so it cannot check where personal data would be held. Use a public AWS region; if the region "+
			"is new, upgrade the provider.\n\nCause: %s", typeName, err))
}

func inPlaceUpdateDiag(typeName, id string, attrs []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("In-place update refused",
		fmt.Sprintf("%s %q would be updated in place (changed: %s). Resources of the gdpr provider are "+
			"replace-only: infrastructure holding personal data is never modified, only rebuilt "+
			"(GDPR Art. 32, integrity of processing). To get a new resource instead, change a configurable "+
			"argument, or run terraform apply -replace=<address>. If no argument changed, this is a bug "+
			"in the provider; please report it.", typeName, id, strings.Join(attrs, ", ")))
}

func updateRefusedDiag(typeName string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("In-place update refused",
		typeName+" is replace-only and the provider never updates it in place; the plan should have "+
			"replaced it. This is a bug in the provider; please report it. Run terraform apply -replace=<address> "+
			"to rebuild the resource.")
}

// DriftWarning tells the user that the named attributes or enforced settings of a resource changed outside
// Terraform, and that the next apply replaces it.
func DriftWarning(typeName, id string, changed []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Changed outside Terraform",
		fmt.Sprintf("The %s of %s %q changed outside Terraform. A change made behind Terraform's back to "+
			"infrastructure holding personal data is an integrity event (GDPR Art. 32): the next apply "+
			"replaces the resource. Find out who made the change before applying.",
			strings.Join(changed, ", "), typeName, id))
}

// AdoptedWarning tells the user that a resource was imported already breaking the named guarantees or
// differing in the named attributes: nothing changed since, and the next apply replaces it.
func AdoptedWarning(typeName, id string, broken []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Adopted without the provider's guarantees",
		fmt.Sprintf("%s %q was imported already breaking the provider's guarantees (%s): it was made outside "+
			"Terraform that way, and nothing has changed since it was adopted. The next apply replaces it with "+
			"one that keeps every guarantee; where that would erase data, the plan stops first and says how "+
			"to keep it.",
			typeName, id, strings.Join(broken, ", ")))
}
