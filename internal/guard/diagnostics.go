package guard

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// guardedUpdateDiag refuses a plan that would update the guarded target in place, naming the watched keys
// that changed.
func guardedUpdateDiag(targetID string, changed []string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("attributes"), "In-place update of a guarded resource refused",
		fmt.Sprintf("The resource %q guarded by %s would be updated in place: its id stays the same "+
			"while the watched attributes change (changed: %s). Infrastructure holding personal data is never "+
			"modified, only rebuilt (GDPR Art. 32, integrity of processing). Replace the target instead, for "+
			"example with terraform apply -replace=<target address>, or undo the change. A value unknown at plan "+
			"time counts as a change.", targetID, ResourceType, strings.Join(changed, ", ")))
}
