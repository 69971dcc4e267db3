package restore_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRestoreObjects_refusesBeforeWriting: a restore that cannot return every key to the moment writes
// nothing and records no event. A key whose version at the moment is encrypted with a customer-provided key
// (SSE-C), which S3 copies only for a request carrying the key, is named. Twelve keys whose versions at the moment are in GLACIER, not restored, and
// one key S3 could copy, all overwritten since: the invocation names the first ten archived keys with
// their version and date, counts the other two, and leaves the copyable key as it is too, since restoring it
// alone would make a state the bucket never was in. A bucket without versioning (a copy would overwrite its
// only object), one without a default KMS key, and one that does not exist are refused by name.
func TestAccRestoreObjects_refusesBeforeWriting(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	name, unversioned, noKey, missing := acctest.BucketName(), acctest.BucketName(), acctest.BucketName(), acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	other := func(action, bucket string) string {
		return fmt.Sprintf(`
action "gdpr_restore_objects" %q {
  config {
    bucket  = %q
    to_time = var.to_time
  }
}
`, action, bucket)
	}
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+bucketResources(name, "")+
		restoreAction("cold", `    prefix  = "cold/"
    to_time = var.to_time`)+restoreAction("sealed", `    prefix  = "sealed/"
    to_time = var.to_time`)+other("unversioned", unversioned)+other("nokey", noKey)+other("missing", missing)+toTimeVariable, nil)
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	for _, b := range []string{unversioned, noKey} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
			t.Fatalf("creating %s: %v", b, err)
		}
		t.Cleanup(func() {
			if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(b)}); err != nil {
				t.Errorf("deleting %s: %v", b, err)
			}
		})
	}
	// The unversioned bucket encrypts under a KMS key, so versioning alone is what is wrong with it; the
	// other is versioned and has no KMS key.
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String(unversioned),
		ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms,
				KMSMasterKeyID: aws.String(bucketKey(t, name))}}}}}); err != nil {
		t.Fatalf("encrypting %s: %v", unversioned, err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(noKey),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("versioning %s: %v", noKey, err)
	}

	var cold []string
	for i := range 12 {
		k := fmt.Sprintf("cold/%02d.csv", i)
		acctest.PutObject(t, name, k, "archived "+k, func(in *s3.PutObjectInput) { in.StorageClass = s3types.StorageClassGlacier })
		cold = append(cold, k)
	}
	put(t, name, "cold/warm.csv", "warm 1")
	putWithCustomerKey(t, name, "sealed/1.json")
	to := moment()
	put(t, name, "sealed/1.json", "overwritten")
	for _, k := range cold {
		put(t, name, k, "overwritten "+k)
	}
	put(t, name, "cold/warm.csv", "warm 2")
	before := listVersions(t, name)
	toVar := "-var=to_time=" + to.Format(time.RFC3339)

	out, err := invoke(w, "cold", toVar)
	first := regexp.MustCompile(`"cold/00.csv": its version at the moment \(version (\S+), written (\S+)\) is in GLACIER and not restored`).FindStringSubmatch(out)
	if err == nil || !strings.Contains(out, fmt.Sprintf(`Keys cannot be restored: nothing written: Nothing was written: 12 key(s) in bucket "%s" under the prefix "cold/" cannot be returned to %s`, name, to.Format(time.RFC3339))) ||
		first == nil || !strings.Contains(out, `"cold/09.csv": its version`) || strings.Contains(out, `"cold/10.csv"`) ||
		!strings.Contains(out, "and 2 more") || strings.Contains(out, "cold/warm.csv") ||
		!strings.Contains(out, "Or restore each archived version first (aws s3api restore-object with its version id)") ||
		strings.Contains(out, "customer-provided key") {
		t.Fatalf("the restore of archived versions was not refused naming the first ten and counting the rest: %v\n%s", err, out)
	}
	if written, err := time.Parse(time.RFC3339Nano, first[2]); err != nil || written.After(to) || to.Sub(written) > time.Minute {
		t.Errorf("the refusal dates the version at the moment %s, want a time shortly before %s", first[2], to)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("the refused restore wrote: added %+v, removed %+v", added(before, got), missingFrom(before, got))
	}
	checkContents(t, name, map[string]string{"cold/warm.csv": "warm 2", "cold/00.csv": "overwritten cold/00.csv"})

	out, err = invoke(w, "sealed", toVar)
	if err == nil || !regexp.MustCompile(`Nothing was written: 1 key\(s\) in bucket "`+name+`" under the prefix "sealed/" cannot be returned to \S+, and restoring only the others would leave the bucket in a state it never was in: - "sealed/1.json": its version at the moment \(version \S+, written \S+\) is encrypted with a customer-provided key \(SSE-C\).* Narrow the prefix to leave these keys out and deal with them apart\. A version encrypted with a customer-provided key can be copied only by whoever holds that key`).MatchString(out) {
		t.Errorf("the restore of a version encrypted with a customer-provided key was not refused naming it: %v\n%s", err, out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("the refused restore wrote: added %+v, removed %+v", added(before, got), missingFrom(before, got))
	}

	for _, c := range []struct{ action, want string }{
		{"unversioned", fmt.Sprintf(`Bucket is not versioned: Nothing was restored in "%s": its versioning is not enabled`, unversioned)},
		{"nokey", fmt.Sprintf(`Bucket has no KMS key: Nothing was restored in "%s": the bucket names no default KMS key`, noKey)},
		{"missing", fmt.Sprintf(`Cannot find the bucket: The bucket does not exist, or the credentials cannot see it, so nothing was restored in "%s"`, missing)},
	} {
		out, err := invoke(w, c.action, toVar)
		if err == nil || !regexp.MustCompile(c.want).MatchString(out) {
			t.Errorf("invoking %s: %v, want an error matching %q:\n%s", c.action, err, c.want, out)
		}
	}
	if events := restoreEvents(t, trail); len(events) != 0 {
		t.Errorf("refused restores recorded %d events, want none: %+v", len(events), events)
	}
}

// putWithCustomerKey writes an object encrypted with a customer-provided key (SSE-C).
func putWithCustomerKey(t *testing.T, bucket, key string) {
	t.Helper()
	secret := bytes.Repeat([]byte{7}, 32)
	sum := md5.Sum(secret) //nolint:gosec // S3 names a customer key by its MD5
	acctest.PutObject(t, bucket, key, "sealed "+key, func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm = aws.String("AES256")
		in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(secret))
		in.SSECustomerKeyMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	})
}

// TestAccRestoreObjects_auditTrailThatCannotTakeEventsWritesNothing configures an audit file in a directory
// that does not exist: the invocation fails with "Audit trail cannot take events", worded for a restore, and
// S3 lists the same versions as before.
func TestAccRestoreObjects_auditTrailThatCannotTakeEventsWritesNothing(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	name := acctest.BucketName()
	body := bucketResources(name, "") + restoreAction("records", `    to_time = var.to_time`) + `
variable "to_time" {
  type    = string
  default = "2026-01-01T00:00:00Z"
}
`
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+body, nil)
	put(t, name, "records/a.txt", "a 1")
	to := moment()
	put(t, name, "records/a.txt", "a 2")
	put(t, name, "records/b.txt", "b 1")
	before := listVersions(t, name)
	// The audit block comes only for the invocation, so the bucket's create and destroy are not stopped.
	w.Write(acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region,
		fmt.Sprintf("  audit = { path = %q }", filepath.Join(t.TempDir(), "missing", "audit.jsonl"))) + body)
	out, err := invoke(w, "records", "-var=to_time="+to.Format(time.RFC3339))
	w.Write(acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, "") + body)
	if err == nil || !regexp.MustCompile(`Audit trail cannot take events.*The gdpr_restore_objects action returns objects to a moment, and every restore is recorded in the audit trail.*so nothing is written`).MatchString(out) {
		t.Errorf("the invocation did not stop for the audit trail: %v\n%s", err, out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("the invocation wrote:\n got %+v\nwant %+v", got, before)
	}
}
