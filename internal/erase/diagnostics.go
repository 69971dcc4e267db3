package erase

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// emptyPrefixDiag refuses a prefix that would erase the whole bucket.
func emptyPrefixDiag(p path.Path) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Empty prefix",
		"The prefix is empty, and an empty prefix matches every key: the action would erase the whole bucket. "+
			"Give the prefix of one data subject's objects, such as \"customers/4711/\", or their keys in keys. "+
			"To erase a whole bucket, destroy the gdpr_bucket with force_destroy = true (terraform destroy), or "+
			"crypto-shred it by destroying its gdpr_key.")
}

// bucketRegionDiag reports a bucket whose region S3 would not say: usually one that does not exist.
func bucketRegionDiag(bucket string, err error) diag.Diagnostic {
	what := "S3 did not say where the bucket is"
	if awsapi.IsNotFound(err) {
		what = "The bucket does not exist, or the credentials cannot see it"
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("bucket"), "Cannot find the bucket",
		fmt.Sprintf("%s, so nothing was erased from %q. Check the bucket name and the provider's credentials, "+
			"then invoke the action again.\n\nCause: %v", what, bucket, err))
}

// blockedDiag stops an erasure that would leave versions under retention or a legal hold behind. The keys
// are those of the user's own configuration, so naming them tells nobody anything new.
func blockedDiag(bucket string, b *awsapi.ErasureBlockedError, bypass bool) diag.Diagnostic {
	var list strings.Builder
	for _, h := range b.Held {
		fmt.Fprintf(&list, "\n  - %q (version %s): %s", h.Key, h.VersionID, heldBy(h))
	}
	if more := b.Total - len(b.Held); more > 0 {
		fmt.Fprintf(&list, "\n  - and %d more", more)
	}
	todo := "S3 deletes no version under COMPLIANCE retention before its retain-until date, whoever asks, and " +
		"none under a legal hold until the hold is removed (s3:PutObjectLegalHold, by whoever placed it, when " +
		"it no longer applies). To make the data unreadable now, crypto-shred it: destroy the gdpr_key that " +
		"encrypts the bucket, which erases everything the key protects once its deletion window ends."
	if b.Governance > 0 && !bypass {
		todo = fmt.Sprintf("%d of them are under GOVERNANCE retention alone: set bypass_governance_retention = "+
			"true to erase those (the caller needs s3:BypassGovernanceRetention). ", b.Governance) + todo
	}
	return diag.NewErrorDiagnostic("Objects under retention: nothing erased",
		fmt.Sprintf("Nothing was erased from bucket %q: %d object version(s) of the erasure are under retention "+
			"or a legal hold that the action may not lift, and erasing only the others would leave the data "+
			"subject's objects half erased:%s\n\n%s", bucket, b.Total, list.String(), todo))
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

// eraseFailedDiag reports an erasure that stopped; what it erased before stands and is audited.
func eraseFailedDiag(bucket string, erased awsapi.Erased, err error) diag.Diagnostic {
	var e *awsapi.EraseError
	if !errors.As(err, &e) {
		return diag.NewErrorDiagnostic("Cannot erase objects",
			fmt.Sprintf("The erasure in bucket %q failed before anything was deleted. Invoke the action again "+
				"once the cause is fixed.\n\nCause: %v", bucket, err))
	}
	return diag.NewErrorDiagnostic("Erasure incomplete",
		fmt.Sprintf("The erasure in bucket %q stopped after it erased %d object version(s) and %d delete "+
			"marker(s); the rest are still there. Invoke the action again once the cause is fixed: it lists "+
			"what is left and erases it.\n\nCause: %v", bucket, erased.Versions, erased.DeleteMarkers, err))
}

// nothingToEraseWarning says that the scope matched nothing, which is a success: the data is not there.
func nothingToEraseWarning(bucket, scope string) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Nothing to erase",
		fmt.Sprintf("Bucket %q holds no object version or delete marker %s, so nothing was erased. If the "+
			"data subject's objects should be there, check the prefix or the keys; the invocation is recorded "+
			"in the audit trail either way.", bucket, scope))
}
