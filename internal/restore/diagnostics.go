package restore

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// auditDoes and auditNothing word the error of an invocation whose audit event the trail could not take.
const (
	auditDoes    = "returns objects to a moment, and every restore"
	auditNothing = "nothing is written"
)

// badTimeDiag refuses a to_time that is not RFC 3339.
func badTimeDiag(p path.Path, raw string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Invalid time",
		fmt.Sprintf("%q is not a time in RFC 3339. Write the date, a T, the time and the offset from UTC, such as "+
			"\"2026-12-01T09:30:00Z\" (UTC) or \"2026-12-01T10:30:00+01:00\".\n\nCause: %v", raw, err))
}

// futureTimeDiag refuses a to_time after now: nothing is known yet of what the keys will hold then.
func futureTimeDiag(p path.Path, raw string, now time.Time) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(p, "Time in the future",
		fmt.Sprintf("%q is in the future (it is now %s): a restore returns the keys to what they held at a moment "+
			"that has passed. Give a time before now, such as the last moment before the incident began.",
			raw, now.UTC().Format(time.RFC3339)))
}

// bucketRegionDiag reports a bucket whose region S3 would not say: usually one that does not exist.
func bucketRegionDiag(bucket string, err error) diag.Diagnostic {
	what := "S3 did not say where the bucket is"
	if awsapi.IsNotFound(err) {
		what = "The bucket does not exist, or the credentials cannot see it"
	}
	return diag.NewAttributeErrorDiagnostic(path.Root("bucket"), "Cannot find the bucket",
		fmt.Sprintf("%s, so nothing was restored in %q. Check the bucket name and the provider's credentials, "+
			"then invoke the action again.\n\nCause: %v", what, bucket, err))
}

// blockedDiag stops a restore before its first write: some keys cannot be returned to the moment, and
// returning only the others would make a state the bucket was never in. The keys are the operator's own,
// so naming them in a diagnostic tells nobody anything new; logs and the audit event never name them.
func blockedDiag(where string, to time.Time, b *awsapi.RestoreBlockedError) diag.Diagnostic {
	var list strings.Builder
	for _, k := range b.Keys {
		fmt.Fprintf(&list, "\n  - %q: %s", k.Key, blockedBy(k))
	}
	if more := b.Total - len(b.Keys); more > 0 {
		fmt.Fprintf(&list, "\n  - and %d more", more)
	}
	return diag.NewErrorDiagnostic("Keys cannot be restored: nothing written",
		fmt.Sprintf("Nothing was written: %d key(s) in %s cannot be returned to %s, and restoring only "+
			"the others would leave the bucket in a state it never was in:%s\n\n%s", b.Total, where, formatTime(to),
			list.String(), blockedAdvice(b)))
}

// blockedAdvice says what to do about the reasons the named keys are blocked for.
func blockedAdvice(b *awsapi.RestoreBlockedError) string {
	reasons := map[awsapi.BlockReason]bool{}
	for _, k := range b.Keys {
		reasons[k.Reason] = true
	}
	advice := []string{"Narrow the prefix to leave these keys out and deal with them apart."}
	if reasons[awsapi.MayBeExpired] {
		advice = append(advice, "Or choose a later to_time, one whose versions the bucket still keeps. A gdpr_bucket "+
			"keeps overwritten and deleted versions for its noncurrent_version_days: for the next incident, set it "+
			"to how late one may be found.")
	}
	if reasons[awsapi.Archived] {
		advice = append(advice, "Or restore each archived version first (aws s3api restore-object with its version id) "+
			"and invoke the action again once S3 can read it.")
	}
	if reasons[awsapi.CustomerKey] {
		advice = append(advice, "A version encrypted with a customer-provided key can be copied only by whoever holds "+
			"that key (aws s3 cp with --sse-c-copy-source and --sse-c-copy-source-key).")
	}
	return strings.Join(advice, " ")
}

// blockedBy says why one key cannot be returned to the moment, with dates in UTC.
func blockedBy(k awsapi.BlockedKey) string {
	switch k.Reason {
	case awsapi.MayBeExpired:
		return fmt.Sprintf("no version of it at or before the moment survives, and its oldest, written %s, "+
			"is more than %d day(s) old, after which the lifecycle rule %q expires noncurrent versions: the "+
			"version before it, had the key existed at the moment, is gone since %s", formatTime(k.Modified),
			k.Days, k.Rule, formatTime(k.ExpiredSince))
	case awsapi.Archived:
		return fmt.Sprintf("its version at the moment (version %s, written %s) is in %s and not restored, and S3 "+
			"does not copy an archived version", k.VersionID, formatTime(k.Modified), k.StorageClass)
	case awsapi.CustomerKey:
		return fmt.Sprintf("its version at the moment (version %s, written %s) is encrypted with a "+
			"customer-provided key (SSE-C), and S3 copies it only for a request that carries the key",
			k.VersionID, formatTime(k.Modified))
	}
	return "it cannot be restored"
}

// bucketUnfitDiag refuses a bucket a restore would erase data in, or could not encrypt copies in.
func bucketUnfitDiag(bucket string, err error) (diag.Diagnostic, bool) {
	switch {
	case errors.Is(err, awsapi.ErrNotVersioned):
		return diag.NewAttributeErrorDiagnostic(path.Root("bucket"), "Bucket is not versioned",
			fmt.Sprintf("Nothing was restored in %q: its versioning is not enabled, so it keeps no earlier version "+
				"to return to, and a copy or a delete marker would replace the object there, erasing it. A "+
				"gdpr_bucket is always versioned.", bucket)), true
	case errors.Is(err, awsapi.ErrNoKMSKey):
		return diag.NewAttributeErrorDiagnostic(path.Root("bucket"), "Bucket has no KMS key",
			fmt.Sprintf("Nothing was restored in %q: the bucket names no default KMS key, under which the action "+
				"encrypts the versions it makes current again. A gdpr_bucket always has one (kms_key_arn).", bucket)), true
	}
	return nil, false
}

// surveyFailedDiag reports a restore that failed while it read the bucket, before anything was written.
func surveyFailedDiag(bucket string, err error) diag.Diagnostic {
	if d, ok := bucketUnfitDiag(bucket, err); ok {
		return d
	}
	return diag.NewErrorDiagnostic("Cannot restore objects",
		fmt.Sprintf("The restore in bucket %q failed while it listed the versions, before anything was written. "+
			"Invoke the action again once the cause is fixed.\n\nCause: %v", bucket, err))
}

// restoreFailedDiag reports a restore that stopped part-way; what it changed stands and is audited, and the
// next invocation finds those keys already right.
func restoreFailedDiag(bucket string, done awsapi.Restored, err error) diag.Diagnostic {
	var blocked *awsapi.RestoreBlockedError
	if errors.As(err, &blocked) {
		err = fmt.Errorf("%w (a version changed since the first pass looked)", err)
	}
	return diag.NewErrorDiagnostic("Restore incomplete",
		fmt.Sprintf("The restore in bucket %q stopped after it restored %d key(s) and hid %d; the other keys are "+
			"as they were. Nothing was deleted. Invoke the action again once the cause is fixed: it finds the keys "+
			"already restored unchanged and finishes the rest.\n\nCause: %v", bucket, done.Restored, done.Hidden, err))
}

// dryRunWarning reports what a dry run found, and that it wrote nothing.
func dryRunWarning(where string, to time.Time, c awsapi.RestoreCounts) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Dry run: nothing written",
		fmt.Sprintf("Returning the keys in %s to %s would restore %d key(s) (a copy of the version "+
			"current then), hide %d key(s) added since (a delete marker), and leave %d key(s) unchanged. Nothing "+
			"was written and no audit event recorded; set dry_run = false, or remove it, to restore.",
			where, formatTime(to), c.Restored, c.Hidden, c.Unchanged))
}

// argumentsHashWarning says an event was recorded without its arguments hash.
func argumentsHashWarning(err error) diag.Diagnostic {
	return diag.NewWarningDiagnostic("Audit event recorded without its arguments hash",
		fmt.Sprintf("The restore's arguments could not be hashed, so its audit event is recorded without the "+
			"hash. This is a bug in the provider; please report it.\n\nCause: %v", err))
}

// formatTime writes a time as the audit trail and to_time do: RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
