package erase_test

// Helpers that only the erasure action's tests use.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// bucketResources is a key and a bucket named name with force_destroy, so the test's destroy removes what
// the erasure kept; lock, when set, is the bucket's object_lock value.
func bucketResources(name, lock string) string {
	lockLine := ""
	if lock != "" {
		lockLine = "  object_lock     = " + lock + "\n"
	}
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "erase tests"
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

// eraseAction is an action block erasing from the test bucket; config is the body of its config block
// after the bucket.
func eraseAction(name, config string) string {
	return fmt.Sprintf(`
action "gdpr_erase_objects" %q {
  config {
    bucket = gdpr_bucket.test.bucket
%s
  }
}
`, name, config)
}

// newBucket applies config (a provider block and bucketResources, with actions) in a fresh working
// directory, and destroys it at the end of the test; cleanup runs first, to take away what would stop the
// destroy.
func newBucket(t *testing.T, config string, cleanup func()) *acctest.Workdir {
	t.Helper()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+config)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		if cleanup != nil {
			cleanup()
		}
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	return w
}

// rewrite replaces the working directory's configuration.
func rewrite(t *testing.T, w *acctest.Workdir, config string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(acctest.CLIProviderHeader()+config), 0o600); err != nil {
		t.Fatal(err)
	}
}

// invoke runs terraform apply -invoke for the action and returns its output with line breaks folded.
func invoke(w *acctest.Workdir, name string) (string, error) {
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_erase_objects."+name)
	return strings.Join(strings.Fields(out), " "), err
}

// version is one object version or delete marker as the emulator lists it.
type version struct {
	key, id string
	size    int64
	marker  bool
}

// listVersions lists every version and delete marker in the bucket, sorted by key and id; keys come back as
// they are, whatever characters they hold.
func listVersions(t *testing.T, bucket string) []version {
	t.Helper()
	var out []version
	versions, markers := acctest.AllVersions(t, bucket)
	for _, v := range versions {
		out = append(out, version{aws.ToString(v.Key), aws.ToString(v.VersionId), aws.ToInt64(v.Size), false})
	}
	for _, m := range markers {
		out = append(out, version{aws.ToString(m.Key), aws.ToString(m.VersionId), 0, true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key+"\x00"+out[i].id < out[j].key+"\x00"+out[j].id })
	return out
}

// seed writes each key's bodies as its versions, in order, and a delete marker on each key in deleted.
func seed(t *testing.T, bucket string, bodies map[string][]string, deleted ...string) {
	t.Helper()
	for key, versions := range bodies {
		for _, body := range versions {
			acctest.PutObject(t, bucket, key, body, nil)
		}
	}
	for _, key := range deleted {
		if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}); err != nil {
			t.Fatalf("deleting %s: %v", key, err)
		}
	}
}

// seedMany writes n one-version objects under prefix, sixteen at a time.
func seedMany(t *testing.T, bucket, prefix string, n int) {
	t.Helper()
	c := acctest.S3(t, acctest.Region)
	var g errgroup.Group
	g.SetLimit(16)
	for i := range n {
		g.Go(func() error {
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
				Key: aws.String(fmt.Sprintf("%s%05d.json", prefix, i)), Body: strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)),
				ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatalf("seeding %s: %v", bucket, err)
	}
}

// keysOf returns the versions' distinct keys, sorted.
func keysOf(vs []version) []string {
	var keys []string
	for _, v := range vs {
		keys = append(keys, v.key)
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// split parts versions into those whose key match keeps and the others.
func split(vs []version, match func(string) bool) (in, out []version) {
	for _, v := range vs {
		if match(v.key) {
			in = append(in, v)
		} else {
			out = append(out, v)
		}
	}
	return in, out
}

// keysDigest is keys_sha256 as the audit guide defines it, computed here independently: the SHA-256 of the
// distinct keys, sorted, joined with newlines.
func keysDigest(keys []string) string {
	k := slices.Clone(keys)
	slices.Sort(k)
	sum := sha256.Sum256([]byte(strings.Join(slices.Compact(k), "\n")))
	return hex.EncodeToString(sum[:])
}

// removeAllVersions ends the retention of every version in the bucket, which only the emulator allows for
// COMPLIANCE, lifts the legal holds, and deletes every version and delete marker, so the test's destroy finds
// the bucket empty.
func removeAllVersions(t *testing.T, bucket string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	for _, v := range listVersions(t, bucket) {
		in := &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(v.key), VersionId: aws.String(v.id), BypassGovernanceRetention: aws.Bool(true)}
		if !v.marker {
			if _, err := c.PutObjectLegalHold(ctx, &s3.PutObjectLegalHoldInput{Bucket: aws.String(bucket), Key: aws.String(v.key), VersionId: aws.String(v.id),
				ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
				LegalHold:         &s3types.ObjectLockLegalHold{Status: s3types.ObjectLockLegalHoldStatusOff}}); err != nil {
				t.Errorf("lifting the legal hold of %s: %v", v.key, err)
			}
			if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: aws.String(bucket), Key: aws.String(v.key), VersionId: aws.String(v.id),
				ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256, BypassGovernanceRetention: aws.Bool(true),
				Retention: &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(-time.Hour))},
			}); err != nil {
				t.Errorf("ending the retention of %s: %v", v.key, err)
			}
		}
		if _, err := c.DeleteObject(ctx, in); err != nil {
			t.Errorf("deleting %s: %v", v.key, err)
		}
	}
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
