package provider

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// Every diagnostic the provider writes is worded here, so the messages users read stay consistent: a short
// summary, then what happened, what to do, and the cause last.

func credentialsPairDiag() diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("secret_key"), "Incomplete AWS credentials",
		"access_key and secret_key must be set together. Set both, or neither to use the SDK's default "+
			"credential chain (environment, shared files, web identity, instance metadata).")
}

func awsSetupDiag(err error) diag.Diagnostic {
	if errors.Is(err, awsapi.ErrNoRegion) {
		return diag.NewAttributeErrorDiagnostic(path.Root("region"), "No AWS region configured",
			"The provider needs a region to know where personal data would be held. Set region in the "+
				"provider block, or AWS_REGION or AWS_DEFAULT_REGION in the environment, or region in the "+
				"shared configuration profile.")
	}
	return diag.NewErrorDiagnostic("Cannot load the AWS configuration",
		"The provider could not read the AWS configuration from the provider block, the environment and "+
			"the shared files. Check the profile name and the files it points to.\n\nCause: "+err.Error())
}

func credentialsDiag(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot validate AWS credentials",
		"The provider called sts:GetCallerIdentity to check the credentials before using them, and the call "+
			"failed. Check access_key and secret_key, the profile, or the AWS_* environment variables; against "+
			"an emulator, set endpoints.sts, or set skip_credentials_validation = true.\n\nCause: "+err.Error())
}

func goneWarning(typeName, id, why string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Removed from state",
		fmt.Sprintf("%s %q %s, so it is removed from the state and the next apply creates a new one.",
			typeName, id, why))
}

// apiDiag reports a failed AWS call: the operation in the summary, what to do in the detail, the cause last.
// The operation is the call that failed when the error says so, else the one the caller names.
func apiDiag(summary, operation string, err error) diag.Diagnostic {
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

func importRefusedDiag(typeName, id string, problems []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot import "+typeName,
		fmt.Sprintf("%q cannot be managed as %s because %s. The provider adopts only resources that keep its "+
			"guarantees; create a new one with Terraform and move the data to it instead.",
			id, typeName, strings.Join(problems, "; and ")))
}

func unknownRegionDiag(p path.Path, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Unknown region", err.Error()+".")
}

func bucketUnreadableDiag(name, region string, err error) diag.Diagnostic {
	p := path.Root("bucket")
	switch {
	case awsapi.IsNotFound(err):
		return diag.NewAttributeErrorDiagnostic(p, "Bucket not found",
			fmt.Sprintf("The bucket %q does not exist in %s, or is not visible to these credentials. Check the "+
				"name and the provider's region.", name, region))
	case awsapi.IsAccessDenied(err):
		return diag.NewAttributeErrorDiagnostic(p, "Cannot read bucket",
			fmt.Sprintf("The credentials may not read the lifecycle and Object Lock configuration of %q: grant "+
				"s3:GetLifecycleConfiguration and s3:GetBucketObjectLockConfiguration.\n\nCause: %s", name, err))
	}
	return diag.NewAttributeErrorDiagnostic(p, "Cannot read bucket",
		fmt.Sprintf("Reading the retention of %q failed.\n\nCause: %s", name, err))
}

func imageNotFoundDiag(err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("image_id"), "Image not found",
		"EC2 has no image with this id that the caller can launch in the provider's region. Images are "+
			"regional: use the id the image has in this region, or copy the image here first, and check that "+
			"it is shared with the account.\n\nCause: "+err.Error())
}

func serverNotRunningDiag(id string, timeout time.Duration, err error) diag.Diagnostic {
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

func serverNotTerminatedDiag(id string, timeout time.Duration, err error) diag.Diagnostic {
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

func serverGuaranteesDiag(id string, problems []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Server launched without its guarantees",
		fmt.Sprintf("EC2 instance %q was launched, but %s, although the provider asked for the opposite. It "+
			"is saved in the state as tainted, so the next apply replaces it. If this repeats, the EC2 API "+
			"or an account-level default is overriding the request; please report it.",
			id, strings.Join(problems, "; and ")))
}

func importedServerWarning(id string, problems []string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Imported server breaks the provider's guarantees",
		fmt.Sprintf("EC2 instance %q was imported, but %s. The next apply replaces it with a server that keeps "+
			"the guarantees of gdpr_server; move any data you need off the instance first.",
			id, strings.Join(problems, "; and ")))
}

func volumeTooSmallDiag(volumeType string, size, minimum int64) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("root_volume_size_gb"), "Root volume too small",
		fmt.Sprintf("An %s volume must be at least %d GiB, and root_volume_size_gb is %d. Raise "+
			"root_volume_size_gb, or choose gp3 for a smaller volume.", volumeType, minimum, size))
}

// datasetAgeWarning tells users to upgrade once the embedded jurisdiction data is over a year old, since
// adequacy decisions are adopted, renewed and annulled; nil while the data is fresh.
func datasetAgeWarning(asOf, now time.Time) diag.Diagnostic {
	if now.Sub(asOf) <= maxDatasetAge {
		return nil
	}
	return diag.NewWarningDiagnostic("Jurisdiction data is over a year old",
		fmt.Sprintf("The provider's jurisdiction data was checked on %s, %d days ago. Adequacy decisions are "+
			"adopted, renewed and annulled over time (GDPR Arts. 44-45), so residency checks may be out of date: "+
			"upgrade the provider.", asOf.Format(time.DateOnly), int(now.Sub(asOf).Hours()/24)))
}

func keyDestructionDiag(id string, windowDays int64, at time.Time, deny bool) diag.Diagnostic {
	detail := fmt.Sprintf("Destroying gdpr_key %q schedules the deletion of its key material, which completes "+
		"on %s, %d days from now. From then on everything encrypted under the key, in buckets, backups and "+
		"snapshots, is unreadable for good: this is crypto-shredding (GDPR Art. 17, erasure). Until then the "+
		"deletion can be cancelled in KMS.", id, at.UTC().Format(time.DateOnly), windowDays)
	if deny {
		return diag.NewErrorDiagnostic("Key destruction denied",
			detail+" The provider's key_destruction is \"deny\", so the plan fails: have the erasure reviewed, "+
				"then apply with key_destruction = \"warn\".")
	}
	return diag.NewWarningDiagnostic("Key will be destroyed", detail)
}

func serverDestructionWarning(id string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Server will be destroyed",
		fmt.Sprintf("EC2 instance %q will be terminated, and its root volume with everything on it is deleted "+
			"with it (GDPR Art. 17, erasure). Keep personal data on storage that outlives the server, such as a "+
			"gdpr_bucket, never on its root volume.", id))
}

func guardedUpdateDiag(targetID string, changed []string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("attributes"), "In-place update of a guarded resource refused",
		fmt.Sprintf("The resource %q guarded by gdpr_immutable would be updated in place: its id stays the same "+
			"while the watched attributes change (changed: %s). Infrastructure holding personal data is never "+
			"modified, only rebuilt (GDPR Art. 32, integrity of processing). Replace the target instead, for "+
			"example with terraform apply -replace=<target address>, or undo the change. A value unknown at plan "+
			"time counts as a change.", targetID, strings.Join(changed, ", ")))
}
