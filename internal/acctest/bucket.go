package acctest

// Helpers for tests that need a gdpr_bucket, or objects in one: the bucket's own tests and the
// provider-level tests of data safety, unknown values and faults.

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// BucketConfig is a key and a bucket encrypted under it; body goes inside the bucket block.
func BucketConfig(body string) string {
	return ProviderConfig(Region, "") + BucketResources(body)
}

// BucketResources is the key and the bucket of BucketConfig without the provider block, for tests that
// configure the provider themselves.
func BucketResources(body string) string {
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "bucket tests"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  kms_key_arn = gdpr_key.test.arn
%s
}
`, body)
}

// BucketExists tells whether the emulator holds the bucket.
func BucketExists(t *testing.T, name string) (bool, error) {
	_, err := S3(t, Region).HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &name})
	if awsapi.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// CheckBucketGone fails when the emulator still holds the bucket: a CheckDestroy that asks S3, not the state.
func CheckBucketGone(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		exists, err := BucketExists(t, name)
		if err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("bucket %s still exists", name)
		}
		return nil
	}
}

// PutObject writes an object version into the bucket; mutate, when given, adjusts the request first.
func PutObject(t *testing.T, bucket, key, body string, mutate func(*s3.PutObjectInput)) {
	t.Helper()
	// S3 wants a checksum on uploads to a bucket with Object Lock.
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte(body)),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256}
	if mutate != nil {
		mutate(in)
	}
	if _, err := S3(t, Region).PutObject(context.Background(), in); err != nil {
		t.Fatalf("putting %s/%s: %v", bucket, key, err)
	}
}

// Versions counts the object versions and delete markers in the bucket.
func Versions(t *testing.T, bucket string) (versions, deleteMarkers int) {
	t.Helper()
	out, err := S3(t, Region).ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("listing %s: %v", bucket, err)
	}
	return len(out.Versions), len(out.DeleteMarkers)
}

// EmptyBucket deletes every version in the bucket.
func EmptyBucket(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	c := S3(t, Region)
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Versions {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &name, Key: v.Key, VersionId: v.VersionId}); err != nil {
			t.Fatal(err)
		}
	}
}

// AllVersions lists every object version and delete marker in the bucket, page by page, asking S3 for
// URL-encoded keys and decoding them, so keys with characters XML cannot carry (U+0001, a carriage return)
// come back as they are.
func AllVersions(t *testing.T, bucket string) (versions []s3types.ObjectVersion, markers []s3types.DeleteMarkerEntry) {
	t.Helper()
	unescape := func(s *string) *string {
		v, err := url.QueryUnescape(*s)
		if err != nil {
			t.Fatalf("listing %s: key %q: %v", bucket, *s, err)
		}
		return &v
	}
	in := &s3.ListObjectVersionsInput{Bucket: &bucket, EncodingType: s3types.EncodingTypeUrl}
	for {
		p, err := S3(t, Region).ListObjectVersions(context.Background(), in)
		if err != nil {
			t.Fatalf("listing %s: %v", bucket, err)
		}
		if p.EncodingType != s3types.EncodingTypeUrl {
			t.Fatalf("listing %s: the emulator did not URL-encode the keys (EncodingType %q)", bucket, p.EncodingType)
		}
		for _, v := range p.Versions {
			v.Key = unescape(v.Key)
			versions = append(versions, v)
		}
		for _, m := range p.DeleteMarkers {
			m.Key = unescape(m.Key)
			markers = append(markers, m)
		}
		if !aws.ToBool(p.IsTruncated) {
			return versions, markers
		}
		// The marker comes encoded; S3 takes it back decoded, as any key.
		in.KeyMarker, in.VersionIdMarker = unescape(p.NextKeyMarker), p.NextVersionIdMarker
	}
}
