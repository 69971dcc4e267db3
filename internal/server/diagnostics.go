package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// Every diagnostic that only gdpr_server reports is worded here: a short summary, then what happened, what
// to do, and the cause last. The ones all resources share are in the diagnostics and replaceonly packages.

func imageNotFoundDiag(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("image_id"), "Image not found",
		"EC2 has no image with this id that the caller can launch in the provider's region. Images are "+
			"regional: use the id the image has in this region, or copy the image here first, and check that "+
			"it is shared with the account.\n\nCause: "+err.Error())
}

func notRunningDiag(id string, timeout time.Duration, err error) diag.Diagnostic {
	if op := awsapi.Operation(err); op != "" {
		// The wait did not time out: the call that watches the instance failed.
		return diag.NewErrorDiagnostic("Cannot confirm the server is running",
			fmt.Sprintf("EC2 instance %q was launched, but the call to %s that watches it start failed. It is "+
				"saved in the state as tainted, so the next apply terminates it and launches a new one.\n\n"+
				"Cause: %s", id, op, err))
	}
	return diag.NewErrorDiagnostic("Server not running in time",
		fmt.Sprintf("EC2 instance %q was launched but did not reach the running state within %s. It is saved "+
			"in the state as tainted, so the next apply terminates it and launches a new one. Look up the "+
			"instance's state reason in EC2 (capacity in the zone, the image, the KMS key's policy) before "+
			"applying again.\n\nCause: %s", id, timeout, err))
}

func notTerminatedDiag(id string, timeout time.Duration, err error) diag.Diagnostic {
	if op := awsapi.Operation(err); op != "" {
		return diag.NewErrorDiagnostic("Cannot terminate server",
			fmt.Sprintf("The call to %s failed while terminating EC2 instance %q, so its root volume may still "+
				"hold personal data. It stays in the state; run terraform destroy or apply again.\n\nCause: %s",
				op, id, err))
	}
	return diag.NewErrorDiagnostic("Cannot terminate server",
		fmt.Sprintf("EC2 instance %q was not confirmed terminated within %s, so its root volume may still "+
			"hold personal data. It stays in the state; run terraform destroy or apply again, or check the "+
			"instance in EC2.\n\nCause: %s", id, timeout, err))
}

func guaranteesDiag(id string, problems []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Server launched without its guarantees",
		fmt.Sprintf("EC2 instance %q was launched, but %s, although the provider asked for the opposite. It "+
			"is saved in the state as tainted, so the next apply replaces it. If this repeats, the EC2 API "+
			"or an account-level default is overriding the request; please report it.",
			id, strings.Join(problems, "; and ")))
}

func importedWarning(id string, problems []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Imported server breaks the provider's guarantees",
		fmt.Sprintf("EC2 instance %q was imported, but %s. It was made outside Terraform that way, and nothing "+
			"has changed since it was adopted. The next apply replaces it with a server that keeps "+
			"the guarantees of gdpr_server; move any data you need off the instance first.",
			id, strings.Join(problems, "; and ")))
}

func volumeTooSmallDiag(volumeType string, size, minimum int64) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("root_volume_size_gb"), "Root volume too small",
		fmt.Sprintf("An %s volume must be at least %d GiB, and root_volume_size_gb is %d. Raise "+
			"root_volume_size_gb, or choose gp3 for a smaller volume.", volumeType, minimum, size))
}

// isolatedWarning names the isolation that changed the server and says what the replacement keeps.
func isolatedWarning(id, incident, at string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Isolated server will be replaced",
		fmt.Sprintf("EC2 instance %q was isolated for incident %q at %s by gdpr_isolate_server: its security groups "+
			"and tags changed outside Terraform, so this apply replaces it with a clean build from its image, and "+
			"the compromised instance is terminated with its root volume. Its forensic snapshots (tagged %s = %q) "+
			"and the VPC's isolation group are not part of the server: they stay. Make sure the snapshots are "+
			"complete (the isolation's audit event lists them) before applying.",
			id, incident, at, awsapi.IncidentTag, incident))
}

func destructionWarning(id string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Server will be destroyed",
		fmt.Sprintf("EC2 instance %q will be terminated, and its root volume with everything on it is deleted "+
			"with it (GDPR Art. 17, erasure). Keep personal data on storage that outlives the server, such as a "+
			"gdpr_bucket, never on its root volume.", id))
}

// unreadableDiag reports what AWS answered that the provider could not turn into the resource's model.
func unreadableDiag(summary string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic(summary, "The provider could not read what AWS reported. This is a bug in the "+
		"provider; please report it.\n\nCause: "+err.Error())
}
