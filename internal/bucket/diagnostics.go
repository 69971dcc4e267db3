package bucket

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// Every diagnostic the bucket words. Retention problems are worded by policy, which the gdpr_retention data
// source and the retention_compliant function print too; the bucket adds where the problem is and what to
// do about it.

// stage is when a destroy check runs. The plan previews the destroy and stops it before anything is
// touched; the apply checks again, because data may arrive after the plan, or the plan could not check.
type stage int

const (
	atPlan stage = iota
	atApply
)

// retentionDiag reports one problem the policy found with the bucket's retention, on the argument it
// concerns.
func retentionDiag(p policy.RetentionProblem) diag.Diagnostic {
	switch p.Kind {
	case policy.RetentionLockOutlasts:
		return diag.NewAttributeErrorDiagnostic(path.Root("object_lock").AtName("days"), "Object Lock outlasts expiration",
			fmt.Sprintf("%s Data cannot be required to outlive its own deletion date (GDPR Art. 5(1)(e), storage "+
				"limitation): set object_lock.days to at most %d, or keep the data longer.", p.Reason, p.Limit))
	case policy.RetentionTooLong:
		return diag.NewAttributeErrorDiagnostic(path.Root("expiration_days"), "Retention too long",
			fmt.Sprintf("%s Set expiration_days to 1 to %d days, or raise max_retention_days in the provider "+
				"block if the longer retention is justified.", p.Reason, p.Limit))
	}
	// The bucket always has an expiration and no statutory minimum, so the policy finds nothing else; should
	// that change, the problem is still reported, in the policy's words.
	return diag.NewAttributeErrorDiagnostic(path.Root("expiration_days"), "Retention not allowed", p.Reason)
}

func nameNotGeneratedDiag(err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot generate a bucket name", err.Error())
}

func importInvalidNameDiag(id string, problems []string) diag.Diagnostic {
	return diagnostics.ImportRefused(ResourceType, id, []string{"it is not a valid bucket name: " + strings.Join(problems, "; ")})
}

func rolledBackDiag(name, action string, cause error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot create bucket "+name,
		fmt.Sprintf("The bucket was created, but %s failed, so the provider deleted the half-made bucket again: "+
			"nothing was left behind. Fix the cause and apply again.\n\nCause: %s", action, cause))
}

func taintedDiag(name, action string, cause, cleanup error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot create bucket "+name,
		fmt.Sprintf("The bucket was created, but %s failed, and deleting the half-made bucket failed too. It is "+
			"saved in the state as tainted, so the next apply replaces it.\n\nCause: %s\n\nCleanup: %s",
			action, cause, cleanup))
}

// notEmptyDiag stops the destroy of a bucket that holds data while force_destroy is false.
func notEmptyDiag(name string, versions int, more bool, when stage) diag.Diagnostic {
	stops := "the plan stops before erasing them"
	if when == atApply {
		stops = "the destroy stopped before erasing them"
	}
	return diag.NewErrorDiagnostic("Destroying the bucket would erase personal data",
		fmt.Sprintf("Bucket %q holds %s object versions and force_destroy is false, so %s (GDPR Art. 17, erasure, "+
			"must be deliberate). Ways forward: migrate the data to a new bucket (bucket_prefix with lifecycle "+
			"{ create_before_destroy = true }); empty the bucket deliberately; let its lifecycle rule expire "+
			"the data before destroying it; or, to erase the data with the bucket, set force_destroy = true and "+
			"apply that change on its own first (it updates the state alone, touching nothing in AWS), then destroy.",
			name, versionCount(versions, more), stops))
}

// retainedDiag stops the destroy of a bucket holding object versions that S3 will not delete: under
// COMPLIANCE retention or a legal hold. retained says how many, which and until when.
func retainedDiag(name string, retained error, when stage) diag.Diagnostic {
	outcome := "Destroying or replacing it would fail half-way through the apply, so the plan stops here."
	if when == atApply {
		outcome = "Nothing was deleted."
	}
	return diag.NewErrorDiagnostic("Bucket cannot be destroyed",
		fmt.Sprintf("Bucket %q holds object versions S3 will not delete, whatever force_destroy says: %s. %s "+
			"Destroy the bucket after the retention ends (GDPR Art. 5(1)(e), storage limitation, and Art. 17, "+
			"erasure), or remove the legal holds.", name, retained, outcome))
}

// erasureWarning tells what a destroy that the plan lets through will erase.
func erasureWarning(name string, versions int, more bool) diag.Diagnostic {
	if versions == 0 {
		return diag.NewWarningDiagnostic("Bucket will be destroyed",
			fmt.Sprintf("Bucket %q is empty and will be deleted.", name))
	}
	return diag.NewWarningDiagnostic("Bucket and its data will be erased",
		fmt.Sprintf("Bucket %q and the %s object versions it holds will be deleted, because force_destroy is "+
			"true (GDPR Art. 17, erasure). They cannot be recovered afterwards.", name, versionCount(versions, more)))
}

// versionCount says how many object versions a bucket holds; more means the count stopped at a page.
func versionCount(versions int, more bool) string {
	if more {
		return fmt.Sprintf("more than %d", versions)
	}
	return fmt.Sprint(versions)
}

// movedWarning reports a bucket that S3 places in another region than the one Terraform recorded: the bucket
// of that name is not the one Terraform made there.
func movedWarning(name, recorded, found string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Bucket found in another region",
		fmt.Sprintf("Bucket %q was created in %s, but S3 says a bucket of that name is now in %s: it was deleted "+
			"and made anew outside Terraform, where other residency rules may apply. This is an integrity event "+
			"(GDPR Art. 32): the next apply replaces it with a bucket in the provider's region. Find out who made "+
			"the change, and where the data went, before applying.", name, recorded, found))
}

// importResidencyDiag refuses to adopt a bucket whose real region the provider's policy does not admit.
func importResidencyDiag(name, reason string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot import "+ResourceType,
		fmt.Sprintf("Bucket %q cannot be managed by this provider: %s Move the data to a bucket in an allowed "+
			"region instead (GDPR Arts. 44-45, transfers to third countries).", name, reason))
}

// importUnknownRegionDiag refuses to adopt a bucket in a region the jurisdiction data does not know.
func importUnknownRegionDiag(name, region string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot import "+ResourceType,
		fmt.Sprintf("Bucket %q is in %s, a region the provider's jurisdiction data does not know, so where its "+
			"data is held cannot be checked. Upgrade the provider if the region is new.\n\nCause: %s", name, region, err))
}

// ownedAlreadyDiag fails the create of a bucket whose name the account already holds, saying how to bring
// that bucket under this resource. unfinished says it was begun by an interrupted apply of the provider
// with other arguments than the configuration now has.
func ownedAlreadyDiag(name string, unfinished bool) diag.Diagnostic {
	why := "It is not in this configuration's state: another configuration may manage it, or it was made outside Terraform."
	if unfinished {
		why = "An interrupted apply began creating it with other arguments than this configuration now has, " +
			"and stopped before Terraform learnt of it."
	}
	return diag.NewErrorDiagnostic("Bucket already exists in this account",
		fmt.Sprintf("The bucket %q already exists in this AWS account, so it cannot be created. %s\n\n"+
			"If it belongs to this resource, import it, with the resource address Terraform shows with this "+
			"message:\n\n  terraform import <address> %s\n\nor with an import block: import { to = <address>, id = %q }. "+
			"The refresh that follows checks every guarantee; a bucket left half-made is replaced by a finished "+
			"one. Otherwise give this resource another bucket name, or a bucket_prefix (which a replacement with "+
			"create_before_destroy needs too: two buckets cannot share a name).", name, why, name, name))
}
