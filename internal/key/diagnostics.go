package key

import (
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// destructionDiag says when the deletion of a key's material completes; under key_destruction = "deny" it is
// an error that fails the plan.
func destructionDiag(id string, windowDays int64, at time.Time, deny bool) diag.Diagnostic {
	detail := fmt.Sprintf("Destroying %s %q schedules the deletion of its key material, which completes "+
		"on %s, %d days from now. From then on everything encrypted under the key, in buckets, backups and "+
		"snapshots, is unreadable for good: this is crypto-shredding (GDPR Art. 17, erasure). Until then the "+
		"deletion can be cancelled in KMS.", ResourceType, id, at.UTC().Format(time.DateOnly), windowDays)
	if deny {
		return diag.NewErrorDiagnostic("Key destruction denied",
			detail+" The provider's key_destruction is \"deny\", so the plan fails: have the erasure reviewed, "+
				"then apply with key_destruction = \"warn\".")
	}
	return diag.NewWarningDiagnostic("Key will be destroyed", detail)
}

// unreadableDiag reports what AWS answered that the provider could not turn into the resource's model.
func unreadableDiag(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, "The provider could not read what AWS reported. This is a bug in the "+
		"provider; please report it.\n\nCause: "+err.Error())
}
