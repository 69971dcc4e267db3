package bucket

import (
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
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
	case policy.RetentionNoncurrentOutlasts:
		return diag.NewAttributeErrorDiagnostic(path.Root("noncurrent_version_days"), "Noncurrent versions outlast expiration",
			fmt.Sprintf("%s An overwritten or deleted version would be kept longer than the data itself (GDPR Art. "+
				"5(1)(e), storage limitation): set noncurrent_version_days to 1 to %d, or keep the data longer.", p.Reason, p.Limit))
	case policy.RetentionVersionsTooLong:
		return diag.NewAttributeErrorDiagnostic(path.Root("noncurrent_version_days"), "Retention too long",
			fmt.Sprintf("%s Set noncurrent_version_days to 1 to %d days, shorten expiration_days, or raise "+
				"max_retention_days in the provider block if the longer retention is justified.", p.Reason, p.Limit))
	}
	// The bucket always has an expiration and no statutory minimum, so the policy finds nothing else; should
	// that change, the problem is still reported, in the policy's words.
	return diag.NewAttributeErrorDiagnostic(path.Root("expiration_days"), "Retention not allowed", p.Reason)
}

// stateNotUpgradedDiag reports a state of an earlier provider version that cannot be read. It only happens to
// a state edited by hand.
func stateNotUpgradedDiag(cause error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot upgrade the state of "+ResourceType,
		fmt.Sprintf("The state was written by an earlier version of the provider, and cannot be read to add "+
			"noncurrent_version_days. Restore the state from a backup, or remove the bucket from it with "+
			"terraform state rm and import it again.\n\nCause: %s", cause))
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
			"must be deliberate). Ways forward: to replace the bucket with its data, set on_replace = \"move_data\" "+
			"with bucket_prefix and lifecycle { create_before_destroy = true }, and the replacement moves the "+
			"objects to the new bucket (see the guide \"Changing a bucket that holds personal data\"); let the "+
			"lifecycle rule expire the data before destroying the bucket; or, to erase the data with the bucket, "+
			"set force_destroy = true and apply that change on its own first (it updates the state alone, "+
			"touching nothing in AWS), then destroy. For a bucket made outside Terraform, imported or found by "+
			"terraform query, whose name cannot change: remove its import and resource blocks, declare a new "+
			"gdpr_bucket with bucket_prefix, and move the objects into it with the gdpr_move_objects action "+
			"(from = %q), triggered after_create (see the gdpr_bucket list resource's documentation); the bucket "+
			"is left empty, for its owner to delete.",
			name, versionCount(versions, more), stops, name))
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

// The reasons a plan refuses a replacement with on_replace = "move_data", each on the argument it concerns.
const (
	moveFixedNameSummary    = "Bucket with a fixed name cannot move its data"
	movePrefixSummary       = "Bucket cannot move its data to a bucket with another prefix"
	moveForceDestroySummary = "Bucket would be erased, not moved"
	moveSiblingsSummary     = "Bucket prefix is shared with other buckets"
	moveRetentionSummary    = "Moving the data would shorten its retention"
)

func moveFixedNameDetail(name string) string {
	return fmt.Sprintf("on_replace = \"move_data\" replaces bucket %q by a new bucket and moves the objects across, "+
		"so both buckets exist at once; S3 bucket names are unique, so the new one cannot have a fixed name. Use "+
		"bucket_prefix instead of bucket (the provider appends a timestamp and random characters), with lifecycle "+
		"{ create_before_destroy = true }.", name)
}

func movePrefixDetail(name, from, to string) string {
	was := fmt.Sprintf("bucket_prefix %q", from)
	if from == "" {
		was = "a fixed name (bucket), not a bucket_prefix"
	}
	return fmt.Sprintf("Bucket %q has %s, and the new bucket would have bucket_prefix %q. The provider finds the "+
		"bucket that receives the objects by the prefix the two share (Terraform tells a create nothing of the "+
		"bucket it replaces), so a move keeps the prefix: change the other arguments with the prefix as it is. "+
		"To move the data of a bucket to another prefix, or from a fixed name, keep this bucket as it was, declare "+
		"a new gdpr_bucket beside it, and move the objects into it with the gdpr_move_objects action "+
		"(from = %q), triggered after_create or invoked with terraform apply -invoke; once it is empty, removing "+
		"this bucket from the configuration destroys it without erasing anything.", name, was, to, name)
}

func moveForceDestroyDetail(name string) string {
	return fmt.Sprintf("Bucket %q has force_destroy = true in the state, so its replacement would erase its "+
		"objects rather than move them. Set force_destroy = false and apply that change on its own first (it "+
		"updates the state alone, touching nothing in AWS), then change the bucket.", name)
}

func moveSiblingsDetail(name, prefix string, others []string) string {
	return fmt.Sprintf("Besides bucket %q, %d bucket(s) have names generated from bucket_prefix %q: %s. The provider "+
		"finds the bucket that receives the objects by that prefix, so it must belong to this bucket alone. Give "+
		"each gdpr_bucket a prefix of its own (for example with the key of for_each in it).",
		name, len(others), prefix, strings.Join(others, ", "))
}

func moveRetentionDetail(name, reason string) string {
	return reason + fmt.Sprintf(" Bucket %q would be emptied after the move, so the plan stops here. Give the new "+
		"bucket an object_lock at least as long and as strict, or wait until the retention no longer matters.", name)
}

// moveWarning tells what the replacement of a bucket with on_replace = "move_data" will do, with the figures
// a plan reads.
func moveWarning(name string, src awsapi.MoveSource, oldKey, key types.String) diag.Diagnostic {
	under := "the new bucket's KMS key (known after apply)"
	if !key.IsUnknown() {
		under = fmt.Sprintf("KMS key %s", key.ValueString())
	}
	newKey := ""
	if !key.Equal(oldKey) {
		newKey = fmt.Sprintf(" The key changes from %s: when that key is destroyed in this apply, its own "+
			"plan warning (\"Key will be destroyed\") gives the date its deletion completes, after which nothing "+
			"left encrypted under it can be read.", oldKey.ValueString())
	}
	return diag.NewWarningDiagnostic("Bucket data will move to the new bucket",
		fmt.Sprintf("Replacing bucket %q moves its %d current object(s), %s, into the new bucket: copied "+
			"server-side, re-encrypted under %s, each verified by checksum; then the old bucket is emptied and "+
			"deleted. Not carried over, and erased with the old bucket: %d noncurrent version(s) and %d delete "+
			"marker(s). Objects written to the old bucket until its deletion are moved too (one rewritten during "+
			"the move leaves its earlier copy in the new bucket as a noncurrent version, which the lifecycle "+
			"rule deletes noncurrent_version_days later). Each copy keeps its content, metadata, tags, storage "+
			"class, website redirect and any Object Lock retention of its own that outlasts the new bucket's "+
			"default; but to S3 it is a new "+
			"object, so its age, from which expiration_days and the default retention count, starts again at the "+
			"move: an object may be kept up to expiration_days longer than in the old bucket. An apply that stops "+
			"halfway erases nothing that is not verified in the new bucket, and the next apply finishes the move.%s\n\n"+
			"The move needs lifecycle { create_before_destroy = true } on this resource, which Terraform does not "+
			"show providers: without it, Terraform deletes the old bucket before creating the new one, and the "+
			"apply stops at that delete (\"Bucket data has nowhere to move\"), having erased nothing. The policy "+
			"pack in examples/policy and the run task (terraform-provider-gdpr run-task serve) see the lifecycle "+
			"and deny such a plan (rule gdpr-move-needs-create-before-destroy) before it is applied.\n\n"+
			"The move runs in the old bucket's delete, after the new bucket's state is saved, so moved_from, "+
			"moved_objects and moved_bytes appear in the state at the next refresh, which Terraform may list under "+
			"\"Objects have changed outside of Terraform\": that is the provider recording the move, not "+
			"someone's change.",
			name, src.Current, byteCount(src.Bytes), under, src.Noncurrent, src.DeleteMarkers, newKey))
}

// moveContinuesWarning tells that destroying a bucket finishes a move that an earlier apply began (began),
// or, in the apply that replaces it, that its objects move into the bucket just created; versions and more
// count the bucket's versions in the first case.
func moveContinuesWarning(name, to string, began bool, versions int, more bool) diag.Diagnostic {
	if !began {
		return diag.NewWarningDiagnostic("Bucket data moves before the bucket is deleted",
			fmt.Sprintf("Bucket %q is deleted after its objects move into bucket %q, which replaces it: each current "+
				"object is copied and verified in %q, and only then are the object versions of %q deleted.",
				name, to, to, name))
	}
	return diag.NewWarningDiagnostic("Bucket data move continues",
		fmt.Sprintf("An earlier apply began moving the objects of bucket %q into bucket %q and did not finish. "+
			"Destroying %q finishes the move first: each current object is verified in %q and copied when missing "+
			"or different, and only then are the %s object versions of %q deleted.",
			name, to, name, to, versionCount(versions, more), name))
}

// moveResumesWarning tells that destroying a bucket moves its objects into the bucket an apply created to
// replace it (to), which stopped before the move began; versions and more count the bucket's versions.
func moveResumesWarning(name, to string, versions int, more bool) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Bucket data move resumes",
		fmt.Sprintf("An earlier apply created bucket %q to replace bucket %q and stopped before moving the objects. "+
			"Destroying %q moves them first: each current object is copied and verified in %q, and only then are "+
			"the %s object versions of %q deleted.",
			to, name, name, to, versionCount(versions, more), name))
}

// pairingNotRecordedDiag warns that a new bucket awaiting data could not be told which bucket it replaces.
func pairingNotRecordedDiag(name string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Bucket does not name the bucket it replaces",
		fmt.Sprintf("Bucket %q is made to receive the objects of the bucket it replaces, but the provider could not "+
			"list the buckets with its prefix to name that bucket on it. The move goes on in this apply as planned; "+
			"should the apply stop before the move begins, the next plan names the buckets to pair and how. Grant "+
			"s3:ListAllMyBuckets, and s3:ListBucketVersions on the bucket it replaces, to let the provider name it.\n\nCause: %s",
			name, err))
}

// byteCount writes a number of bytes for people: exact, with a rounded unit where it helps.
func byteCount(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d bytes", n)
	}
	div, exp := int64(unit), 0
	for v := n / unit; v >= unit; v /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%d bytes (%.1f %ciB)", n, float64(n)/float64(div), "KMGTPE"[exp])
}

// destroyMovesNothingDiag stops, at plan, the destroy of a bucket with on_replace = "move_data" that holds
// data: only a replacement moves data, into the bucket that replaces it.
func destroyMovesNothingDiag(name string, versions int, more bool) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Destroying the bucket would erase personal data",
		fmt.Sprintf("Bucket %q holds %s object versions and force_destroy is false, so the plan stops before "+
			"erasing them (GDPR Art. 17, erasure, must be deliberate). A destroy does not move data: on_replace = "+
			"\"move_data\" moves the objects only when a new bucket replaces this one, and a destroy leaves none to "+
			"receive them. Ways forward: to keep the data, copy it to another bucket first (a gdpr_bucket keeps "+
			"it compliant), then empty this one and destroy it; let the lifecycle rule expire the data; or, to "+
			"erase it, set force_destroy = true and apply that change on its own first (it updates the state "+
			"alone, touching nothing in AWS), then destroy: every object version and delete marker is deleted, "+
			"then the bucket, none can be recovered, and the audit trail records the destroy.",
			name, versionCount(versions, more)))
}

// noSuccessorDiag stops the delete of a bucket with on_replace = "move_data" that holds data and has no
// bucket to move it to. candidates are buckets made to receive data that none has reached.
func noSuccessorDiag(name string, versions int, more bool, candidates []string, when stage) diag.Diagnostic {
	stopped := "nothing was touched"
	if when == atPlan {
		stopped = "the plan stops here"
	}
	detail := fmt.Sprintf("Bucket %q holds %s object versions and on_replace = \"move_data\", but no bucket is known "+
		"to receive them, so %s. When the bucket is being replaced, Terraform creates the new bucket first only "+
		"with lifecycle { create_before_destroy = true }: add it and apply again. A destroy does not move data: to "+
		"destroy the bucket and erase its data, set force_destroy = true and apply that change on its own first "+
		"(it updates the state alone), then destroy; to keep the data, copy it to another bucket first.",
		name, versionCount(versions, more), stopped)
	if len(candidates) > 0 {
		detail += fmt.Sprintf(" Bucket(s) made to receive data with this prefix and still without any: %s. None "+
			"names this bucket as the one it replaces, or more than one does (a bucket created beside other buckets "+
			"with the prefix that hold data, or while this one was empty, names none), so the provider does not choose. If an apply "+
			"stopped after creating the bucket that replaces it and before the move began, name that bucket on this "+
			"one and apply again; the move then finishes. For example: aws s3api put-bucket-tagging --bucket %s "+
			"--tagging 'TagSet=[{Key=%s,Value=%s}]' (this replaces the bucket's tags; keep any you have).",
			strings.Join(candidates, ", "), name, awsapi.MovingToTag, candidates[0])
	}
	return diag.NewErrorDiagnostic("Bucket data has nowhere to move", detail)
}

// ambiguousSuccessorDiag stops a delete that cannot tell which new bucket replaces the old one.
func ambiguousSuccessorDiag(name, prefix string, candidates []string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Bucket data has more than one place to move",
		fmt.Sprintf("This apply created %d buckets with bucket_prefix %q and on_replace = \"move_data\" (%s), and "+
			"bucket %q shares that prefix, so the provider cannot tell which one replaces it; nothing was touched. "+
			"Give each gdpr_bucket a prefix of its own, then apply again.",
			len(candidates), prefix, strings.Join(candidates, ", "), name))
}

// moveFailedDiag reports a move that stopped: what arrived, and that nothing unverified was erased.
func moveFailedDiag(name, to string, moved awsapi.Moved, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot move the data of bucket "+name,
		fmt.Sprintf("The move of the objects of bucket %q into bucket %q stopped: %s. %d object(s) are verified in "+
			"%q and were erased from %q; every other object is still in %q. Apply again to finish the move: "+
			"objects already in %q and identical are not copied again. If the cause is a permission, the move "+
			"needs s3:ListBucketVersions, s3:GetObjectVersion and s3:DeleteObjectVersion on the old bucket, "+
			"s3:PutObject, s3:GetObject and s3:PutBucketTagging on the new one, and kms:Decrypt and "+
			"kms:GenerateDataKey on both keys.",
			name, to, err, moved.Objects, to, name, name, to))
}

// arrivedDuringMoveDiag reports a bucket that could not be deleted after its move because objects arrived.
func arrivedDuringMoveDiag(name, to string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Bucket received objects during the move",
		fmt.Sprintf("Every object of bucket %q that the move found is verified in bucket %q, but %q could not be "+
			"deleted: objects were written to it while the move ran (%v). Apply again to move them too.", name, to, name, err))
}

// successorGoneDiag reports a move whose destination no longer exists.
func successorGoneDiag(name, to string) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Bucket data has nowhere to move",
		fmt.Sprintf("Bucket %q was moving its objects into bucket %q, which no longer exists; nothing more was "+
			"erased from %q. Find out who deleted %q. To keep the data, copy it to a bucket of your own choosing; "+
			"then remove the tag %q from %q, and destroy it with force_destroy = true.",
			name, to, name, to, awsapi.MovingToTag, name))
}

// accountUnknownDiag warns that the identity of bucket name records no account, because STS could not say
// which account the provider's credentials belong to.
func accountUnknownDiag(name string, err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Bucket identity records no account",
		fmt.Sprintf("The provider could not ask STS (sts:GetCallerIdentity) which account its credentials belong to, "+
			"and S3 does not say which account owns a bucket, so the identity of bucket %q records no account. "+
			"The bucket itself is made as configured; import blocks and terraform query still name it by its "+
			"name and region.\n\nCause: %s", name, err))
}

// archivedDiag stops a move that would meet objects S3 cannot copy before they are restored: at plan, and at
// apply when one was archived after the plan (moved counts the objects already verified in the new bucket).
func archivedDiag(name string, archived *awsapi.ArchivedError, moved int64, when stage) diag.Diagnostic {
	outcome := "The move would stop at the first of them, so the plan stops here; nothing was copied or erased."
	if when == atApply {
		outcome = fmt.Sprintf("The move stopped before copying them; %d object(s) were verified in the new bucket "+
			"and erased from %q, and every other object is still there.", moved, name)
	}
	return diag.NewErrorDiagnostic("Bucket holds archived objects that cannot move",
		fmt.Sprintf("In bucket %q, %s. S3 copies an archived object (storage class GLACIER or DEEP_ARCHIVE, or an "+
			"archive tier of INTELLIGENT_TIERING) only once a restore has made it readable. %s Restore each of them, "+
			"for example:\n\n  aws s3api restore-object --bucket %s --key <key> --restore-request "+
			"'{\"Days\":7,\"GlacierJobParameters\":{\"Tier\":\"Standard\"}}'\n\n(for INTELLIGENT_TIERING, "+
			"--restore-request '{}'; for many objects, an S3 Batch Operations restore job), wait until "+
			"aws s3api head-object --bucket %s --key <key> shows Restore: ongoing-request=\"false\" (hours for "+
			"GLACIER, up to 12 hours for DEEP_ARCHIVE), and apply again while the restored copies last. Each copy "+
			"keeps its storage class, so the objects stay archived in the new bucket.",
			name, archived, outcome, name, name))
}

// customerKeyDiag stops a move that would meet objects encrypted with a customer-provided key (SSE-C): at
// plan, and at apply when one was written after the plan (moved counts the objects already verified in the
// new bucket).
func customerKeyDiag(name string, encrypted *awsapi.CustomerKeyError, moved int64, when stage) diag.Diagnostic {
	outcome := "The move would stop at the first of them, so the plan stops here; nothing was copied or erased."
	if when == atApply {
		outcome = fmt.Sprintf("The move stopped before copying them; %d object(s) were verified in the new bucket "+
			"and erased from %q, and every other object is still there.", moved, name)
	}
	return diag.NewErrorDiagnostic("Bucket holds objects encrypted with a customer-provided key",
		fmt.Sprintf("In bucket %q, %s. S3 copies such an object only for a request that carries its key, which "+
			"the provider does not have, and the moved data must be encrypted under the new bucket's KMS key "+
			"(crypto-shredding erases it with the key). %s Re-encrypt each of them under the bucket's KMS key, "+
			"with your key, for example:\n\n  aws s3 cp s3://%s/<key> s3://%s/<key> --sse-c-copy-source AES256 "+
			"--sse-c-copy-source-key fileb://<customer key file> --sse aws:kms --sse-kms-key-id <kms_key_arn of the "+
			"bucket>\n\nor delete them, then plan again.", name, encrypted, outcome, name, name))
}
