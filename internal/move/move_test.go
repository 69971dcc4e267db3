package move_test

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// seedLegacy writes what a bucket made by hand holds: an object with a content type, metadata and tags and
// a noncurrent version, a plain object, one whose key needs URL-encoding, an object outside customers/, and
// a deleted object (a noncurrent
// version under a delete marker). It returns the current objects as the move must keep them.
func seedLegacy(t *testing.T, bucket string) map[string]object {
	t.Helper()
	withHeaders := func(in *s3.PutObjectInput) {
		in.ContentType, in.Metadata, in.Tagging = aws.String("application/json"), map[string]string{"owner": "crm"}, aws.String("class=personal")
	}
	acctest.PutObject(t, bucket, "customers/1/profile.json", `{"v":1}`, withHeaders)
	acctest.PutObject(t, bucket, "customers/1/profile.json", `{"v":2}`, withHeaders)
	acctest.PutObject(t, bucket, "customers/2/notes.txt", "notes", func(in *s3.PutObjectInput) { in.ContentType = aws.String("text/plain") })
	acctest.PutObject(t, bucket, "customers/2/naïve name+1 %.txt", "odd", func(in *s3.PutObjectInput) { in.ContentType = aws.String("text/plain") })
	acctest.PutObject(t, bucket, "other/keep.txt", "kept", func(in *s3.PutObjectInput) { in.ContentType = aws.String("text/plain") })
	acctest.PutObject(t, bucket, "customers/3/gone.txt", "deleted", nil)
	if _, err := acctest.S3(t, acctest.Region).DeleteObject(t.Context(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("customers/3/gone.txt")}); err != nil {
		t.Fatal(err)
	}
	return map[string]object{
		"customers/1/profile.json":       {body: `{"v":2}`, contentType: "application/json", metadata: map[string]string{"owner": "crm"}, tags: map[string]string{"class": "personal"}},
		"customers/2/notes.txt":          {body: "notes", contentType: "text/plain", metadata: map[string]string{}, tags: map[string]string{}},
		"customers/2/naïve name+1 %.txt": {body: "odd", contentType: "text/plain", metadata: map[string]string{}, tags: map[string]string{}},
		"other/keep.txt":                 {body: "kept", contentType: "text/plain", metadata: map[string]string{}, tags: map[string]string{}},
	}
}

// checkMoved fails the test unless every object of want is in bucket to, identical and encrypted under its
// key, and no other key is there.
func checkMoved(t *testing.T, to string, want map[string]object) {
	t.Helper()
	key := bucketKey(t, to)
	for k, w := range want {
		got, found := getObject(t, to, k)
		switch {
		case !found:
			t.Errorf("%s is not in the target bucket", k)
		case got.body != w.body || got.contentType != w.contentType || !maps.Equal(got.metadata, w.metadata) || !maps.Equal(got.tags, w.tags):
			t.Errorf("%s in the target differs from its source:\n got %+v\nwant %+v", k, got, w)
		case !sameKey(got.kmsKey, key):
			t.Errorf("%s in the target is encrypted under %q, not the gdpr_bucket's key %q", k, got.kmsKey, key)
		}
	}
	versions, _ := acctest.AllVersions(t, to)
	if len(versions) != len(want) {
		t.Errorf("the target holds %d versions, want %d: one per moved object", len(versions), len(want))
	}
}

// TestAccMoveObjects_legacyBucketIntoGdprBucket copies customers/ of a bucket made with the SDK into a
// gdpr_bucket with erase_source = false, which leaves the source as it was, then moves everything: every
// current object arrives with its content, content type, metadata and tags, under the gdpr_bucket's key,
// and the source keeps no version and no delete marker. Each invocation adds one move event naming both
// buckets, the count, the bytes and the manifest digest.
func TestAccMoveObjects_legacyBucketIntoGdprBucket(t *testing.T) {
	acctest.RequireActions(t)
	from, to := legacyBucket(t, nil), acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	// The target keeps noncurrent versions as long as current ones, a restore window of 30 days, which is
	// one of the provider's guarantees as much as the default day.
	thirtyDayWindow := strings.Replace(target(to, ""), "expiration_days = 30\n", "expiration_days = 30\n  noncurrent_version_days = 30\n", 1)
	if !strings.Contains(thirtyDayWindow, "noncurrent_version_days") {
		t.Fatal("the target's configuration has no expiration_days = 30 to add the window to")
	}
	w := newWorkdir(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+thirtyDayWindow+
		moveAction("copy", from, `    prefix       = "customers/"
    erase_source = false`)+moveAction("all", from, ""))
	want := seedLegacy(t, from)
	beforeVersions, beforeMarkers := versionCount(t, from)

	out, err := invoke(w, "copy")
	if err != nil {
		t.Fatalf("invoking the copy: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`copied 3 objects \(\d+ bytes\) under the prefix "customers/" from bucket ` + from).MatchString(out) {
		t.Errorf("the copy showed no progress with its count:\n%s", out)
	}
	copied := maps.Clone(want)
	delete(copied, "other/keep.txt")
	checkMoved(t, to, copied)
	if v, m := versionCount(t, from); v != beforeVersions || m != beforeMarkers {
		t.Errorf("erase_source = false left the source with %d versions and %d delete markers, want %d and %d", v, m, beforeVersions, beforeMarkers)
	}

	out, err = invoke(w, "all")
	if err != nil {
		t.Fatalf("invoking the move: %v\n%s", err, out)
	}
	checkMoved(t, to, want)
	if v, m := versionCount(t, from); v != 0 || m != 0 {
		t.Errorf("after the move the source holds %d versions and %d delete markers, want none", v, m)
	}

	// The gdpr_bucket's moved_from records a replacement's move; the action's is in the audit trail alone.
	tags, err := acctest.S3(t, acctest.Region).GetBucketTagging(t.Context(), &s3.GetBucketTaggingInput{Bucket: aws.String(to)})
	var apiErr smithy.APIError
	if err != nil && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchTagSet") {
		t.Fatalf("tags of the target: %v", err)
	}
	for _, tag := range tagSet(tags) {
		if aws.ToString(tag.Key) == awsapi.MovedFromTag {
			t.Errorf("the action tagged the target %s = %q, which its next refresh would report as moved_from", awsapi.MovedFromTag, aws.ToString(tag.Value))
		}
	}

	moves := moveEvents(t, trail)
	if len(moves) != 2 {
		t.Fatalf("%d move events, want one per invocation: %+v", len(moves), moves)
	}
	for i, wantObjects := range []string{"3", "4"} {
		e := moves[i]
		if e.ResourceType != "gdpr_move_objects" || e.CloudID != from || e.MovedTo != to || e.MovedObjects != wantObjects ||
			e.MovedBytes == "0" || len(e.ManifestSHA256) != 64 || e.Region != acctest.Region || e.Jurisdiction != "EU" || len(e.ArgumentsSHA256) != 64 {
			t.Errorf("move event %d: %+v, want %s objects from %s to %s with bytes, manifest and arguments hash", i, e, wantObjects, from, to)
		}
	}
}

// TestAccMoveObjects_refusesBeforeCopying invokes three moves that must not begin: one from a bucket holding
// objects under COMPLIANCE retention and a legal hold, which the refusal names with their dates, one into a
// bucket made with the SDK that lacks the provider's guarantees, and one into a gdpr_bucket without Object
// Lock, which would end the source's COMPLIANCE retention early. None copies anything.
func TestAccMoveObjects_refusesBeforeCopying(t *testing.T) {
	acctest.RequireActions(t)
	locked := legacyBucket(t, &s3types.ObjectLockRule{DefaultRetention: &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeCompliance, Days: aws.Int32(1)}})
	plain, to, unlocked := legacyBucket(t, nil), acctest.BucketName(), acctest.BucketName()
	// The target keeps objects as long as the source's lock, so only the retained versions stop the move.
	w := newWorkdir(t, acctest.ProviderConfig(acctest.Region, "")+target(to, `{ mode = "COMPLIANCE", days = 1 }`)+moveAction("locked", locked, "")+fmt.Sprintf(`
action "gdpr_move_objects" "not_compliant" {
  config {
    from = %[1]q
    to   = %[2]q
  }
}

resource "gdpr_bucket" "unlocked" {
  bucket          = %[3]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = true
}

action "gdpr_move_objects" "shorter" {
  config {
    from = %[1]q
    to   = gdpr_bucket.unlocked.bucket
  }
}
`, locked, plain, unlocked))
	// The emulator does not report a retention set on one object, so the bucket's default stands for it.
	acctest.PutObject(t, locked, "customers/1/contract.pdf", "signed", nil)
	until := lastModified(t, locked, "customers/1/contract.pdf").Add(24 * time.Hour).UTC()
	acctest.PutObject(t, locked, "customers/1/dispute.eml", "held", func(in *s3.PutObjectInput) {
		in.ObjectLockLegalHoldStatus = s3types.ObjectLockLegalHoldStatusOn
	})

	out, err := invoke(w, "locked")
	if err == nil || !regexp.MustCompile(`Objects under retention: nothing moved.*"customers/1/contract.pdf" \(version [^)]+\): COMPLIANCE retention until `+regexp.QuoteMeta(until.Format(time.RFC3339))+
		`.*"customers/1/dispute.eml" \(version [^)]+\): COMPLIANCE retention until \S+ and a legal hold`).MatchString(out) {
		t.Errorf("the move from a bucket with a COMPLIANCE-retained object was not refused, naming it and its date: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, to); v != 0 {
		t.Errorf("the refused move copied %d versions into the target", v)
	}
	if v, _ := versionCount(t, locked); v != 2 {
		t.Errorf("the refused move left %d versions in the source, want 2", v)
	}

	out, err = invoke(w, "not_compliant")
	if err == nil || !regexp.MustCompile(`Target is not a gdpr_bucket.*Bucket "`+plain+`" does not carry the provider's guarantees \(it lacks .*encryption`).MatchString(out) {
		t.Errorf("the move into a bucket without the provider's guarantees was not refused: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, plain); v != 0 {
		t.Errorf("the refused move copied %d versions into the bucket that is not a gdpr_bucket", v)
	}

	out, err = invoke(w, "shorter")
	if err == nil || !regexp.MustCompile(`Target would shorten the retention.*keeps every object version for 1 days under COMPLIANCE Object Lock, and the new bucket has no Object Lock`).MatchString(out) {
		t.Errorf("the move into a gdpr_bucket without Object Lock was not refused: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, unlocked); v != 0 {
		t.Errorf("the refused move copied %d versions into the gdpr_bucket without Object Lock", v)
	}
}

// tagSet is a GetBucketTagging answer's tags, none when there was no answer (a bucket without tags).
func tagSet(out *s3.GetBucketTaggingOutput) []s3types.Tag {
	if out == nil {
		return nil
	}
	return out.TagSet
}
