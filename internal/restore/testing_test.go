package restore_test

// Helpers that only the restore action's tests use.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
)

// bucketResources is a key and a bucket named name with force_destroy, so the test's destroy removes every
// version the restore kept; lock, when set, is the bucket's object_lock value.
func bucketResources(name, lock string) string {
	lockLine := ""
	if lock != "" {
		lockLine = "  object_lock     = " + lock + "\n"
	}
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "restore tests"
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

// restoreAction is an action block restoring the test bucket; config is the body of its config block after
// the bucket.
func restoreAction(name, config string) string {
	return fmt.Sprintf(`
action "gdpr_restore_objects" %q {
  config {
    bucket = gdpr_bucket.test.bucket
%s
  }
}
`, name, config)
}

// newBucket applies config in a fresh working directory, and destroys it at the end of the test; cleanup
// runs first, to take away what would stop the destroy.
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

// invoke runs terraform apply -invoke for the action, with the extra arguments, and returns its output with
// line breaks folded.
func invoke(w *acctest.Workdir, name string, extra ...string) (string, error) {
	args := append([]string{"apply", "-input=false", "-auto-approve", "-no-color", "-invoke=action.gdpr_restore_objects." + name}, extra...)
	out, err := w.Terraform(args...)
	return strings.Join(strings.Fields(out), " "), err
}

// version is one object version or delete marker as the emulator lists it.
type version struct {
	key, id string
	marker  bool
}

// listVersions lists every version and delete marker in the bucket, sorted by key and id.
func listVersions(t *testing.T, bucket string) []version {
	t.Helper()
	var out []version
	versions, markers := acctest.AllVersions(t, bucket)
	for _, v := range versions {
		out = append(out, version{aws.ToString(v.Key), aws.ToString(v.VersionId), false})
	}
	for _, m := range markers {
		out = append(out, version{aws.ToString(m.Key), aws.ToString(m.VersionId), true})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key+"\x00"+out[i].id < out[j].key+"\x00"+out[j].id })
	return out
}

// missingFrom returns the entries of before that after no longer lists.
func missingFrom(before, after []version) []version {
	var gone []version
	for _, v := range before {
		if !slices.Contains(after, v) {
			gone = append(gone, v)
		}
	}
	return gone
}

// added returns the entries of after that before did not list.
func added(before, after []version) []version { return missingFrom(after, before) }

// put writes bodies as the key's versions, in order.
func put(t *testing.T, bucket, key string, bodies ...string) {
	t.Helper()
	for _, b := range bodies {
		acctest.PutObject(t, bucket, key, b, nil)
	}
}

// remove adds a delete marker to each key.
func remove(t *testing.T, bucket string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Fatalf("deleting %s: %v", k, err)
		}
	}
}

// moment returns a moment between the writes before it and those after it, as S3 dates versions: to the
// second, so it waits past a second boundary on either side.
func moment() time.Time {
	time.Sleep(1100 * time.Millisecond)
	m := time.Now().UTC().Truncate(time.Second)
	time.Sleep(1100 * time.Millisecond)
	return m
}

// content returns the current content of key, found false when S3 answers 404 (no object, or a delete
// marker).
func content(t *testing.T, bucket, key string) (body string, found bool) {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	var api smithy.APIError
	if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound") {
		return "", false
	}
	if err != nil {
		t.Fatalf("getting %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatalf("reading %s: %v", key, err)
	}
	return string(b), true
}

// checkContents fails the test for each key whose current content is not want's: a key mapped to "" must
// answer 404.
func checkContents(t *testing.T, bucket string, want map[string]string) {
	t.Helper()
	for key, body := range want {
		got, found := content(t, bucket, key)
		switch {
		case body == "" && found:
			t.Errorf("%s holds %q, want it hidden (404)", key, got)
		case body != "" && !found:
			t.Errorf("%s is not found, want %q", key, body)
		case got != body:
			t.Errorf("%s holds %q, want %q", key, got, body)
		}
	}
}

// head returns what S3 says of the current version of key.
func head(t *testing.T, bucket, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HEAD %s: %v", key, err)
	}
	return out
}

// objectTags returns the tags of the current version of key.
func objectTags(t *testing.T, bucket, key string) map[string]string {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("getting the tags of %s: %v", key, err)
	}
	tags := map[string]string{}
	for _, tag := range out.TagSet {
		tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return tags
}

// keysDigest is keys_sha256 as the audit guide defines it, computed here independently: the SHA-256 of the
// distinct keys, sorted, joined with newlines.
func keysDigest(keys ...string) string {
	k := slices.Clone(keys)
	slices.Sort(k)
	sum := sha256.Sum256([]byte(strings.Join(slices.Compact(k), "\n")))
	return hex.EncodeToString(sum[:])
}

// restoreEvents reads the restore events of an audit file.
func restoreEvents(t *testing.T, trail string) []audit.Event {
	t.Helper()
	var out []audit.Event
	for _, e := range acctest.AuditEvents(t, trail) {
		if e.Action == audit.Restore {
			out = append(out, e)
		}
	}
	return out
}

// checkEvent fails the test unless e is a restore event of bucket to the moment with these counts and the
// digest of these keys.
func checkEvent(t *testing.T, e audit.Event, bucket string, to time.Time, restored, hidden, unchanged int, keys ...string) {
	t.Helper()
	if e.ResourceType != "gdpr_restore_objects" || e.CloudID != bucket || e.Region != acctest.Region || e.Jurisdiction != "EU" ||
		len(e.ArgumentsSHA256) != 64 || e.RestoredToTime != to.UTC().Format(time.RFC3339) {
		t.Errorf("unexpected restore event: %+v", e)
	}
	if got, want := [3]string{e.RestoredKeys, e.HiddenKeys, e.UnchangedKeys}, [3]string{fmt.Sprint(restored), fmt.Sprint(hidden), fmt.Sprint(unchanged)}; got != want {
		t.Errorf("the event counts restored, hidden, unchanged %v, want %v", got, want)
	}
	if want := keysDigest(keys...); e.KeysSHA256 != want {
		t.Errorf("keys_sha256 is %s, want %s: the SHA-256 of %q, sorted", e.KeysSHA256, want, keys)
	}
}

// removeAllVersions ends the GOVERNANCE retention of every version in the bucket and deletes every version and
// delete marker, so the test's destroy finds the bucket empty.
func removeAllVersions(t *testing.T, bucket string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	for _, v := range listVersions(t, bucket) {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(v.key), VersionId: aws.String(v.id),
			BypassGovernanceRetention: aws.Bool(true)}); err != nil {
			t.Errorf("deleting %s: %v", v.key, err)
		}
	}
}

// bucketKey returns the KMS key the bucket encrypts new objects under by default.
func bucketKey(t *testing.T, bucket string) string {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(bucket)})
	if err != nil || out.ServerSideEncryptionConfiguration == nil || len(out.ServerSideEncryptionConfiguration.Rules) == 0 {
		t.Fatalf("reading the encryption of %s: %v", bucket, err)
	}
	d := out.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
	if d == nil || aws.ToString(d.KMSMasterKeyID) == "" {
		t.Fatalf("bucket %s names no default KMS key", bucket)
	}
	return aws.ToString(d.KMSMasterKeyID)
}

// toTimeVariable declares the variable the actions take their to_time from, so each invocation gives the
// moment its test recorded.
const toTimeVariable = `
variable "to_time" {
  type    = string
  default = "2026-01-01T00:00:00Z"
}
`

// faultWorkdir applies the test bucket through proxy, with an audit trail, the action "all" restoring the
// whole bucket to var.to_time, and extra, and destroys it at the end of the test.
func faultWorkdir(t *testing.T, proxy *acctest.FaultProxy, name, trail, extra string) *acctest.Workdir {
	t.Helper()
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "1", bucketResources(name, "")+restoreAction("all", `    to_time = var.to_time`)+toTimeVariable+extra)
	cfg = strings.Replace(cfg, "  s3_use_path_style           = true\n", fmt.Sprintf("  s3_use_path_style           = true\n  audit = { path = %q }\n", trail), 1)
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	return w
}

// overwritten are the keys, after a prefix, that seedAfter overwrites after the moment, and addedKeys those
// it adds.
var overwritten, addedKeys = []string{"k1", "k2", "k3", "k4", "k5"}, []string{"n1", "n2", "n3"}

// overwriteAndAdd writes the overwritten keys, records a moment, overwrites them and adds the addedKeys. It
// returns the moment, and what each key must hold after a restore to it ("" for hidden).
func overwriteAndAdd(t *testing.T, name string) (time.Time, map[string]string) {
	t.Helper()
	want := seedBefore(t, name, "")
	to := moment()
	seedAfter(t, name, "")
	return to, want
}

// seedBefore writes the overwritten keys under prefix, before the moment, and returns what each key under
// prefix must hold after a restore to the moment ("" for hidden).
func seedBefore(t *testing.T, name, prefix string) map[string]string {
	t.Helper()
	want := map[string]string{}
	for _, k := range overwritten {
		put(t, name, prefix+k, "before "+prefix+k)
		want[prefix+k] = "before " + prefix + k
	}
	for _, k := range addedKeys {
		want[prefix+k] = ""
	}
	return want
}

// seedAfter overwrites the overwritten keys under prefix and adds the addedKeys, after the moment.
func seedAfter(t *testing.T, name, prefix string) {
	t.Helper()
	for _, k := range overwritten {
		put(t, name, prefix+k, "after "+prefix+k)
	}
	for _, k := range addedKeys {
		put(t, name, prefix+k, "added "+prefix+k)
	}
}

// checkRestoredOnce fails the test unless every key holds what want says, every version and delete marker
// listed before is still there, and the restore added, under prefix, exactly one version to each overwritten
// key and one delete marker to each added key, however many invocations it took.
func checkRestoredOnce(t *testing.T, name, prefix string, want map[string]string, before []version) {
	t.Helper()
	checkContents(t, name, want)
	after := listVersions(t, name)
	if gone := missingFrom(before, after); len(gone) != 0 {
		t.Errorf("the restore removed versions: %+v", gone)
	}
	var newEntries, wantEntries []string
	for _, v := range added(before, after) {
		if strings.HasPrefix(v.key, prefix) {
			newEntries = append(newEntries, fmt.Sprintf("%s marker=%v", v.key, v.marker))
		}
	}
	for _, k := range overwritten {
		wantEntries = append(wantEntries, prefix+k+" marker=false")
	}
	for _, k := range addedKeys {
		wantEntries = append(wantEntries, prefix+k+" marker=true")
	}
	slices.Sort(newEntries)
	if !slices.Equal(newEntries, wantEntries) {
		t.Errorf("the invocations added %q, want exactly one version or delete marker per changed key: %q", newEntries, wantEntries)
	}
}
