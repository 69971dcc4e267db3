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

func lockOutlastsExpirationDiag(lockDays, expirationDays int64) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("object_lock").AtName("days"), "Object Lock outlasts expiration",
		fmt.Sprintf("object_lock.days is %d but expiration_days is %d: data cannot be required to outlive its own "+
			"deletion date (GDPR Art. 5(1)(e), storage limitation). Set object_lock.days to at most %d, or keep "+
			"the data longer.", lockDays, expirationDays, expirationDays))
}

func reservedTagDiag(p path.Path, key string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Reserved tag key",
		fmt.Sprintf("The tag key %q starts with \"aws:\", which AWS reserves for its own tags. Use another key.", key))
}

func retentionTooLongDiag(days, maxDays int64) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("expiration_days"), "Retention too long",
		fmt.Sprintf("expiration_days is %d, more than the provider's max_retention_days of %d: personal data "+
			"must be kept no longer than necessary (GDPR Art. 5(1)(e), storage limitation). Use 1 to %d days, or "+
			"raise max_retention_days in the provider block if the longer retention is justified.",
			days, maxDays, maxDays))
}

func bucketRolledBackDiag(name, action string, cause error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot create bucket "+name,
		fmt.Sprintf("The bucket was created, but %s failed, so the provider deleted the half-made bucket again: "+
			"nothing was left behind. Fix the cause and apply again.\n\nCause: %s", action, cause))
}

func bucketTaintedDiag(name, action string, cause, cleanup error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot create bucket "+name,
		fmt.Sprintf("The bucket was created, but %s failed, and deleting the half-made bucket failed too. It is "+
			"saved in the state as tainted, so the next apply replaces it.\n\nCause: %s\n\nCleanup: %s",
			action, cause, cleanup))
}

func bucketNotEmptyDiag(name string, count int, more bool) diag.Diagnostic {
	n := fmt.Sprintf("%d", count)
	if more {
		n = "more than " + n
	}
	return diag.NewErrorDiagnostic("Cannot destroy bucket "+name,
		fmt.Sprintf("The bucket holds %s object versions and force_destroy is false, so destroying it would "+
			"erase personal data (GDPR Art. 17, erasure, must be deliberate). Migrate the data to a new bucket "+
			"(bucket_prefix with create_before_destroy), empty the bucket deliberately, or let its lifecycle "+
			"rule expire the data; force_destroy can only be set on a new bucket.", n))
}

func bucketRetainedDiag(name string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot destroy bucket "+name,
		fmt.Sprintf("force_destroy is true, but S3 will not delete objects under COMPLIANCE retention or a legal "+
			"hold, so nothing was deleted: %s. Destroy the bucket after the retention expires, or remove the "+
			"legal holds.", err))
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

func bucketRetainedPlanDiag(name string, r *awsapi.RetainedError) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Bucket cannot be destroyed",
		fmt.Sprintf("Bucket %q holds object versions S3 will not delete, so destroying or replacing it would "+
			"fail half-way through the apply, whatever force_destroy says: %s. Plan the destroy after the "+
			"retention ends (GDPR Art. 5(1)(e), storage limitation, and Art. 17, erasure), or remove the legal "+
			"holds.", name, r))
}

func bucketNotEmptyPlanDiag(name string, versions int, more bool) diag.Diagnostic {
	n := fmt.Sprint(versions)
	if more {
		n = "more than " + n
	}
	return diag.NewErrorDiagnostic("Destroying the bucket would erase personal data",
		fmt.Sprintf("Bucket %q holds %s object versions and force_destroy is false, so the plan stops before "+
			"erasing them (GDPR Art. 17, erasure, must be deliberate). Ways forward: migrate the data to a new "+
			"bucket (bucket_prefix with lifecycle { create_before_destroy = true }); empty the bucket "+
			"deliberately; or let its lifecycle rule expire the data before destroying it.", name, n))
}

func bucketErasureWarning(name string, versions int, more bool) diag.Diagnostic {
	if versions == 0 {
		return diag.NewWarningDiagnostic("Bucket will be destroyed",
			fmt.Sprintf("Bucket %q is empty and will be deleted.", name))
	}
	n := fmt.Sprint(versions)
	if more {
		n = "more than " + n
	}
	return diag.NewWarningDiagnostic("Bucket and its data will be erased",
		fmt.Sprintf("Bucket %q and the %s object versions it holds will be deleted, because force_destroy is "+
			"true (GDPR Art. 17, erasure). They cannot be recovered afterwards.", name, n))
}

func destroyCheckFailedWarning(typeName, id string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Cannot check what a destroy would erase",
		fmt.Sprintf("The plan could not read %s %q to say what destroying it erases; the destroy itself still "+
			"refuses to delete data without force_destroy.\n\nCause: %s", typeName, id, err))
}
