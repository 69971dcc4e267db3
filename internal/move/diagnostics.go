package move

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// sameBucketDiag refuses a move of a bucket into itself.
func sameBucketDiag(p path.Path, name string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Source and target are the same bucket",
		fmt.Sprintf("from and to both name bucket %q, and a bucket cannot move its objects into itself. Set to to "+
			"the gdpr_bucket that should receive them, usually gdpr_bucket.<name>.bucket.", name))
}

// bucketRegionDiag reports a bucket whose region S3 would not say: usually one that does not exist.
func bucketRegionDiag(p path.Path, name string, err error) diag.Diagnostic {
	what := "S3 did not say where the bucket is"
	if awsapi.IsNotFound(err) {
		what = "The bucket does not exist, or the credentials cannot see it"
	}
	return diag.NewAttributeErrorDiagnostic(p, "Cannot find the bucket",
		fmt.Sprintf("%s, so nothing was moved. Check the name %q and the provider's credentials "+
			"(s3:GetBucketLocation), then invoke the action again.\n\nCause: %v", what, name, err))
}

// unknownRegionDiag refuses a bucket in a region the jurisdiction data does not know.
func unknownRegionDiag(p path.Path, name, region string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Bucket in an unknown region",
		fmt.Sprintf("Bucket %q is in region %s, which the provider's jurisdiction data does not know, so it "+
			"cannot tell whether personal data may be there; nothing was moved. Upgrade the provider, or move "+
			"the objects by other means.\n\nCause: %v", name, region, err))
}

// residencyDiag refuses a bucket outside the allowed jurisdictions.
func residencyDiag(p path.Path, name, region, reason string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Bucket outside the allowed jurisdictions",
		fmt.Sprintf("Bucket %q is in region %s, outside the jurisdictions the provider's configuration allows, "+
			"so nothing was moved: the action moves personal data only between places where it may be. Use "+
			"buckets in an allowed region, or change allowed_jurisdictions if the data may lawfully be there.\n\n"+
			"Cause: %s", name, region, reason))
}

// readFailedDiag reports a read the checks before the move could not make.
func readFailedDiag(p path.Path, name, call string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Cannot check the bucket",
		fmt.Sprintf("The action could not read bucket %q (%s), which it checks before it copies anything, so "+
			"nothing was moved. Check that the provider's credentials may read the bucket, then invoke the "+
			"action again.\n\nCause: %v", name, call, err))
}

// notCompliantDiag refuses a target that is not a finished gdpr_bucket.
func notCompliantDiag(name string, missing []string) diag.Diagnostic {
	what := "it was left half-made by a create that stopped"
	if len(missing) > 0 {
		what = "it lacks " + strings.Join(missing, ", ")
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("to"), "Target is not a gdpr_bucket",
		fmt.Sprintf("Bucket %q does not carry the provider's guarantees (%s), so nothing was moved: the action "+
			"moves personal data only into a compliant gdpr_bucket. Set to to a gdpr_bucket's name, usually "+
			"gdpr_bucket.<name>.bucket, or apply the configuration so its gdpr_bucket is repaired first.", name, what))
}

// retentionDiag refuses a target that would end the source's retention early.
func retentionDiag(from, to, reason string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("to"), "Target would shorten the retention",
		fmt.Sprintf("Nothing was moved from bucket %q to bucket %q: retention is often a legal obligation, and "+
			"the move must not end it early. Give the gdpr_bucket an object_lock at least as long, in the same "+
			"mode or COMPLIANCE, and expiration_days at least as long as the lock.\n\nCause: %s", from, to, reason))
}

// heldDiag refuses a source with versions that S3 deletes for nobody, naming them and their dates.
func heldDiag(from string, b *awsapi.ErasureBlockedError) diag.Diagnostic {
	var list strings.Builder
	for _, h := range b.Held {
		fmt.Fprintf(&list, "\n  - %q (version %s): %s", h.Key, h.VersionID, heldBy(h))
	}
	if more := b.Total - len(b.Held); more > 0 {
		fmt.Fprintf(&list, "\n  - and %d more", more)
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("from"), "Objects under retention: nothing moved",
		fmt.Sprintf("Nothing was copied from bucket %q: %d object version(s) are under COMPLIANCE retention or a "+
			"legal hold, which S3 lifts for nobody, so the move could not erase them and would leave the data in "+
			"two places:%s\n\nWait until the retention ends or the hold is removed, or narrow prefix to leave "+
			"those objects out.", from, b.Total, list.String()))
}

// heldBy says what keeps a version, with dates in UTC.
func heldBy(h awsapi.HeldObject) string {
	var why []string
	if h.Mode != "" {
		why = append(why, fmt.Sprintf("%s retention until %s", h.Mode, h.Until.UTC().Format(time.RFC3339)))
	}
	if h.LegalHold {
		why = append(why, "a legal hold")
	}
	return strings.Join(why, " and ")
}

// uncopyableDiag refuses a source holding objects S3 would not copy for the provider, naming them.
func uncopyableDiag(from string, archived *awsapi.ArchivedError, encrypted *awsapi.CustomerKeyError) diag.Diagnostic {
	var found, todo []string
	if archived != nil {
		found = append(found, archived.Error())
		todo = append(todo, "restore the archived objects (s3:RestoreObject)")
	}
	if encrypted != nil {
		found = append(found, encrypted.Error())
		todo = append(todo, "copy the SSE-C objects yourself with their key (aws s3 cp --sse-c-copy-source) and delete them")
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("from"), "Objects S3 cannot copy: nothing moved",
		fmt.Sprintf("Nothing was copied from bucket %q: %s. Moving the others would leave the data in two places. "+
			"First %s, or narrow prefix to leave them out, then invoke the action again.",
			from, strings.Join(found, "; "), strings.Join(todo, ", and ")))
}

// moveFailedDiag reports a move that stopped; nothing unverified was erased, and what moved is audited.
func moveFailedDiag(from, to string, moved awsapi.Moved, erase bool, err error) diag.Diagnostic {
	var archived *awsapi.ArchivedError
	var encrypted *awsapi.CustomerKeyError
	var retained *awsapi.RetainedError
	switch {
	case errors.As(err, &archived), errors.As(err, &encrypted):
		return diag.NewErrorDiagnostic("Objects S3 cannot copy",
			fmt.Sprintf("The move from bucket %q stopped after %d object(s): some objects are archived and not "+
				"restored, or encrypted with a customer-provided key (SSE-C), and S3 copies neither for the "+
				"provider. Nothing that was not verified in bucket %q was erased. Restore the archived objects, or "+
				"re-write the SSE-C ones without it, then invoke the action again.\n\nCause: %v", from, moved.Objects, to, err))
	case errors.As(err, &retained):
		return diag.NewErrorDiagnostic("Objects under retention: nothing moved",
			fmt.Sprintf("Nothing was copied from bucket %q: versions are under retention S3 lifts for nobody. "+
				"Wait until it ends, or narrow prefix to leave them out.\n\nCause: %v", from, err))
	}
	what := "moved (copied, verified and erased from the source)"
	if !erase {
		what = "copied and verified"
	}
	return diag.NewErrorDiagnostic("Move incomplete",
		fmt.Sprintf("The move from bucket %q to bucket %q stopped after %d object(s) were %s; the others are "+
			"still in the source, and nothing was erased before its copy was verified. Invoke the action again "+
			"once the cause is fixed: it finds what has arrived and moves the rest.\n\nCause: %v", from, to, moved.Objects, what, err))
}

// nothingToMoveWarning says the source held nothing to move, which is a success.
func nothingToMoveWarning(from, scope string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Nothing to move",
		fmt.Sprintf("Bucket %q holds no object %s, so nothing was moved. If objects should be there, check "+
			"from and prefix; the invocation is recorded in the audit trail either way.", from, scope))
}

// argumentsHashWarning says the event goes without the hash of the action's arguments.
func argumentsHashWarning(err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Audit event recorded without its arguments hash",
		fmt.Sprintf("The move's arguments could not be hashed, so its audit event is recorded without the hash. "+
			"This is a bug in the provider; please report it.\n\nCause: %v", err))
}
