package move_test

// Helpers that only the move action's tests use.

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// legacyBucket makes a versioned bucket with the SDK, as a script or the console would, with Object Lock and
// the default retention lock when lock is set, and removes it with everything in it at the end of the test.
func legacyBucket(t *testing.T, lock *s3types.ObjectLockRule) string {
	t.Helper()
	return legacyBucketIn(t, acctest.Region, lock)
}

// legacyBucketIn is legacyBucket in region.
func legacyBucketIn(t *testing.T, region string, lock *s3types.ObjectLockRule) string {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, region)
	name := acctest.BucketName()
	in := &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(lock != nil)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	if _, err := c.CreateBucket(ctx, in); err != nil {
		t.Fatalf("creating the legacy bucket: %v", err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("versioning the legacy bucket: %v", err)
	}
	if lock != nil {
		if _, err := c.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(name), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
			ObjectLockConfiguration: &s3types.ObjectLockConfiguration{ObjectLockEnabled: s3types.ObjectLockEnabledEnabled, Rule: lock}}); err != nil {
			t.Fatalf("locking the legacy bucket: %v", err)
		}
	}
	t.Cleanup(func() {
		removeAllVersions(t, name)
		if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Errorf("deleting the legacy bucket %s: %v", name, err)
		}
	})
	return name
}

// removeAllVersions ends the retention of every version in the bucket, which only the emulator allows for
// COMPLIANCE, lifts the legal holds, and deletes every version and delete marker.
func removeAllVersions(t *testing.T, bucket string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	versions, markers := acctest.AllVersions(t, bucket)
	for _, v := range versions {
		_, _ = c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId,
			ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256, LegalHold: &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOff}})
		_, _ = c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId,
			ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256, BypassGovernanceRetention: aws.Bool(true),
			Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(-time.Hour))}})
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId, BypassGovernanceRetention: aws.Bool(true)}); err != nil {
			t.Errorf("deleting %s: %v", aws.ToString(v.Key), err)
		}
	}
	for _, m := range markers {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: m.Key, VersionId: m.VersionId}); err != nil {
			t.Errorf("deleting the marker of %s: %v", aws.ToString(m.Key), err)
		}
	}
}

// target is a key and a gdpr_bucket with force_destroy, so the test's destroy removes what moved into it;
// lock, when set, is its object_lock value.
func target(name, lock string) string {
	lockLine := ""
	if lock != "" {
		lockLine = "  object_lock     = " + lock + "\n"
	}
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "move tests"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = true
%s}
`, name, lockLine)
}

// moveAction is an action block moving from bucket from into the test's gdpr_bucket; extra is more of its
// config block.
func moveAction(name, from, extra string) string {
	return fmt.Sprintf(`
action "gdpr_move_objects" %q {
  config {
    from = %q
    to   = gdpr_bucket.test.bucket
%s
  }
}
`, name, from, extra)
}

// newWorkdir applies config in a fresh working directory, and destroys it at the end of the test.
func newWorkdir(t *testing.T, config string) *acctest.Workdir {
	t.Helper()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+config)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	return w
}

// invoke runs terraform apply -invoke for the action and returns its output with line breaks folded.
func invoke(w *acctest.Workdir, name string) (string, error) {
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_move_objects."+name)
	return strings.Join(strings.Fields(out), " "), err
}

// object is what a test checks of one object: its body, content type, metadata, tags and KMS key.
type object struct {
	body, contentType, kmsKey string
	metadata, tags            map[string]string
}

// getObject reads the current version of key in bucket, found false when there is none.
func getObject(t *testing.T, bucket, key string) (o object, found bool) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return o, false
	}
	defer out.Body.Close()
	body, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s/%s: %v", bucket, key, err)
	}
	o.body, o.contentType, o.kmsKey, o.metadata = string(body), aws.ToString(out.ContentType), aws.ToString(out.SSEKMSKeyId), out.Metadata
	tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("tags of %s/%s: %v", bucket, key, err)
	}
	o.tags = map[string]string{}
	for _, tag := range tags.TagSet {
		o.tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return o, true
}

// versionCount counts every version and delete marker in bucket.
func versionCount(t *testing.T, bucket string) (versions, markers int) {
	t.Helper()
	v, m := acctest.AllVersions(t, bucket)
	return len(v), len(m)
}

// bucketKey is the KMS key a bucket encrypts new objects with by default.
func bucketKey(t *testing.T, bucket string) string {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil || out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		t.Fatalf("encryption of %s: %v", bucket, err)
	}
	return aws.ToString(out.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID)
}

// sameKey compares a key as S3 reports it on an object (an ARN) with the bucket's (an ARN or a key id).
func sameKey(onObject, configured string) bool {
	return onObject != "" && (onObject == configured || strings.HasSuffix(onObject, "/"+configured) || strings.HasSuffix(configured, "/"+onObject))
}

// moveEvents returns the move events of the audit trail at path.
func moveEvents(t *testing.T, path string) []audit.Event {
	t.Helper()
	var moves []audit.Event
	for _, e := range acctest.AuditEvents(t, path) {
		if e.Action == audit.Move {
			moves = append(moves, e)
		}
	}
	return moves
}

// lastModified returns when the emulator says key's only version was written.
func lastModified(t *testing.T, bucket, key string) time.Time {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil || len(out.Versions) == 0 {
		t.Fatalf("listing %s: %v", key, err)
	}
	return aws.ToTime(out.Versions[0].LastModified)
}

// rewrite replaces the working directory's configuration.
func rewrite(t *testing.T, w *acctest.Workdir, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(acctest.CLIProviderHeader()+config), 0o600); err != nil {
		t.Fatal(err)
	}
}
