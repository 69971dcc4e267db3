package move_test

import (
	"bytes"
	"crypto/md5" //nolint:gosec // S3 names a customer key by its MD5
	"encoding/base64"
	"fmt"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccMoveObjects_acrossRegionsInsideTheAllowedJurisdictions moves a bucket's objects from eu-west-1 into
// a gdpr_bucket in eu-central-1, asking S3 where the source is and reading it there, and refuses a source in
// us-east-1, outside the provider's allowed jurisdictions, before copying anything.
func TestAccMoveObjects_acrossRegionsInsideTheAllowedJurisdictions(t *testing.T) {
	acctest.RequireActions(t)
	eu, us, to := legacyBucketIn(t, "eu-west-1", nil), legacyBucketIn(t, "us-east-1", nil), acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	w := newWorkdir(t, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+target(to, "")+
		moveAction("ireland", eu, "")+moveAction("abroad", us, ""))
	acctest.PutObject(t, eu, "customers/1/profile.json", "from Ireland", nil)
	acctest.PutObject(t, us, "customers/2/profile.json", "from Virginia", nil)

	out, err := invoke(w, "abroad")
	if err == nil || !regexp.MustCompile(`Bucket outside the allowed jurisdictions.*Bucket "`+us+`" is in region us-east-1, outside the jurisdictions`).MatchString(out) {
		t.Errorf("the move from us-east-1 was not refused: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, to); v != 0 {
		t.Errorf("the refused move copied %d versions", v)
	}
	if v, _ := versionCount(t, us); v != 1 {
		t.Errorf("the refused move left %d versions in its source, want 1", v)
	}

	out, err = invoke(w, "ireland")
	if err != nil {
		t.Fatalf("the move from eu-west-1: %v\n%s", err, out)
	}
	if got, found := getObject(t, to, "customers/1/profile.json"); !found || got.body != "from Ireland" {
		t.Errorf("the object from eu-west-1 is not in the target: %+v", got)
	}
	if v, m := versionCount(t, eu); v != 0 || m != 0 {
		t.Errorf("the source in eu-west-1 holds %d versions and %d delete markers after the move, want none", v, m)
	}
	moves := moveEvents(t, trail)
	if len(moves) != 1 || moves[0].Region != "eu-west-1" || moves[0].Jurisdiction != "EU" || moves[0].CloudID != eu {
		t.Errorf("move events %+v, want one from %s in eu-west-1", moves, eu)
	}
}

// TestAccMoveObjects_customerKeyObjectsRefusedBeforeCopying puts an object encrypted with a customer-provided
// key (SSE-C) between two plain ones: S3 copies it only with its key, which the provider does not have, so
// the action refuses before the first copy, naming that object, and the plain ones are not copied either.
func TestAccMoveObjects_customerKeyObjectsRefusedBeforeCopying(t *testing.T) {
	acctest.RequireActions(t)
	from, to := legacyBucket(t, nil), acctest.BucketName()
	w := newWorkdir(t, acctest.ProviderConfig(acctest.Region, "")+target(to, "")+moveAction("all", from, ""))
	acctest.PutObject(t, from, "a-plain.json", "{}", nil)
	secret := bytes.Repeat([]byte{7}, 32)
	sum := md5.Sum(secret) //nolint:gosec // S3 names a customer key by its MD5
	acctest.PutObject(t, from, "sealed/1.json", "sealed", func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm = aws.String("AES256")
		in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(secret))
		in.SSECustomerKeyMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	})
	acctest.PutObject(t, from, "z-plain.json", "{}", nil)

	out, err := invoke(w, "all")
	if err == nil || !regexp.MustCompile(`Objects S3 cannot copy: nothing moved.*1 object\(s\) are encrypted with a customer-provided key \(SSE-C\).*"sealed/1.json"`).MatchString(out) {
		t.Errorf("the move of an SSE-C object was not refused naming it: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, to); v != 0 {
		t.Errorf("the refused move copied %d versions", v)
	}
	if v, _ := versionCount(t, from); v != 3 {
		t.Errorf("the refused move left %d versions in its source, want 3", v)
	}
}

// TestAccMoveObjects_auditTrailThatCannotTakeEventsMovesNothing configures an audit file in a directory that
// does not exist: the invocation fails with "Audit trail cannot take events" and copies nothing.
func TestAccMoveObjects_auditTrailThatCannotTakeEventsMovesNothing(t *testing.T) {
	acctest.RequireActions(t)
	from, to := legacyBucket(t, nil), acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "missing", "audit.jsonl")
	w := newWorkdir(t, acctest.ProviderConfig(acctest.Region, "")+target(to, "")+moveAction("audited", from, ""))
	acctest.PutObject(t, from, "customers/1/profile.json", "{}", nil)
	// The audit block comes only for the invocation, so the bucket's create and destroy are not stopped.
	rewrite(t, w, acctest.ProviderConfig(acctest.Region, fmt.Sprintf("  audit = { path = %q }", trail))+target(to, "")+moveAction("audited", from, ""))
	out, err := invoke(w, "audited")
	rewrite(t, w, acctest.ProviderConfig(acctest.Region, "")+target(to, "")+moveAction("audited", from, ""))
	if err == nil || !regexp.MustCompile(`Audit trail cannot take events.*The gdpr_move_objects action`).MatchString(out) {
		t.Errorf("the invocation did not stop for the audit trail: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, to); v != 0 {
		t.Errorf("the refused move copied %d versions", v)
	}
	if v, _ := versionCount(t, from); v != 1 {
		t.Errorf("the refused move left %d versions in its source, want 1", v)
	}
}
