// Replaced by awsapi's Key.Problems and Key.Unusable when the layout lands.

package key

import (
	"fmt"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// keyUnusable says why a key can no longer protect data, or "" when it can.
func keyUnusable(k *awsapi.Key) string {
	switch k.State {
	case "PendingDeletion", "PendingReplicaDeletion":
		when := ""
		if k.DeletionAt != nil {
			when = " on " + k.DeletionAt.UTC().Format(time.DateOnly)
		}
		return "is pending deletion" + when
	case "Disabled":
		return "was disabled outside Terraform"
	}
	return ""
}

// keyInvariantProblems lists how a key breaks what gdpr_key guarantees, so an import never adopts one.
func keyInvariantProblems(k *awsapi.Key) []string {
	var p []string
	if k.MultiRegion {
		p = append(p, "it is a multi-region key, which replicates key material outside the jurisdiction")
	}
	if k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" {
		p = append(p, fmt.Sprintf("it is a %s %s key, not a symmetric ENCRYPT_DECRYPT key", k.KeySpec, k.KeyUsage))
	}
	if why := keyUnusable(k); why != "" {
		p = append(p, "it "+why)
	} else if !k.RotationEnabled {
		p = append(p, "automatic rotation is off")
	}
	return p
}
