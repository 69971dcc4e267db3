package erase_test

import (
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccEraseObjects_complianceRetentionErasesNothing erases from a bucket whose default retention is
// COMPLIANCE, where one of the subject's versions also carries a legal hold: the invocation fails naming
// the first ten held versions with their retain-until dates and counting the rest, says crypto-shredding is
// the way out, and deletes nothing. (The emulator does not report a retention set on one object, so the
// bucket's default, which every version carries, stands for it.)
func TestAccEraseObjects_complianceRetentionErasesNothing(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, `{ mode = "COMPLIANCE", days = 1 }`)+
		eraseAction("held", `    prefix = "customers/4711/"
    bypass_governance_retention = true`), func() { removeAllVersions(t, name) })
	acctest.PutObject(t, name, "customers/4711/contract.pdf", "signed", nil)
	until := lastModified(t, name, "customers/4711/contract.pdf").Add(24 * time.Hour).UTC()
	acctest.PutObject(t, name, "customers/4711/dispute.eml", "held", func(in *s3.PutObjectInput) {
		in.ObjectLockLegalHoldStatus = s3types.ObjectLockLegalHoldStatusOn
	})
	seedMany(t, name, "customers/4711/letters/", 12)
	before := listVersions(t, name)

	out, err := invoke(w, "held")
	if err == nil {
		t.Fatalf("the invocation succeeded:\n%s", out)
	}
	for _, want := range []string{
		`Objects under retention: nothing erased`,
		`Nothing was erased from bucket "` + name + `": 14 object version\(s\) of the erasure are under retention or a legal hold`,
		`"customers/4711/contract.pdf" \(version [^)]+\): COMPLIANCE retention until ` + regexp.QuoteMeta(until.Format(time.RFC3339)),
		`"customers/4711/dispute.eml" \(version [^)]+\): COMPLIANCE retention until \S+ and a legal hold`,
		`- and 4 more`,
		`crypto-shred it: destroy the gdpr_key that encrypts the bucket`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("the error does not match %q:\n%s", want, out)
		}
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("versions changed though the erasure was refused:\n got %+v\nwant %+v", got, before)
	}
}

// TestAccEraseObjects_legalHoldErasesNothingEvenWithBypass puts one of the subject's versions under a legal
// hold in a bucket whose default retention is GOVERNANCE: bypass_governance_retention lifts the retention
// but not the hold, so the invocation fails naming that object, and deletes nothing.
func TestAccEraseObjects_legalHoldErasesNothingEvenWithBypass(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, `{ mode = "GOVERNANCE", days = 1 }`)+
		eraseAction("held", `    prefix = "customers/4711/"
    bypass_governance_retention = true`), func() { removeAllVersions(t, name) })
	acctest.PutObject(t, name, "customers/4711/dispute.eml", "held", func(in *s3.PutObjectInput) {
		in.ObjectLockLegalHoldStatus = s3types.ObjectLockLegalHoldStatusOn
	})
	seed(t, name, map[string][]string{"customers/4711/profile.json": {"a", "b"}})
	before := listVersions(t, name)

	out, err := invoke(w, "held")
	if err == nil || !regexp.MustCompile(`Objects under retention: nothing erased.*1 object version\(s\) of the erasure.*"customers/4711/dispute.eml" \(version [^)]+\): GOVERNANCE retention until \S+ and a legal hold`).MatchString(out) {
		t.Errorf("the invocation did not fail naming the held object: %v\n%s", err, out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Errorf("versions changed though the erasure was refused:\n got %+v\nwant %+v", got, before)
	}
}

// TestAccEraseObjects_governanceRetentionNeedsBypass erases from a bucket whose default retention is
// GOVERNANCE: without bypass_governance_retention the invocation fails, says how to lift it and deletes
// nothing; with it, every version under the prefix is erased.
func TestAccEraseObjects_governanceRetentionNeedsBypass(t *testing.T) {
	acctest.RequireActions(t)
	name := acctest.BucketName()
	w := newBucket(t, acctest.ProviderConfig(acctest.Region, "")+bucketResources(name, `{ mode = "GOVERNANCE", days = 1 }`)+
		eraseAction("strict", `    prefix = "customers/4711/"`)+
		eraseAction("bypass", `    prefix = "customers/4711/"
    bypass_governance_retention = true`), func() { removeAllVersions(t, name) })
	seed(t, name, map[string][]string{"customers/4711/profile.json": {"a", "b"}, "customers/4712/profile.json": {"c"}})
	before := listVersions(t, name)

	out, err := invoke(w, "strict")
	if err == nil || !regexp.MustCompile(`Objects under retention: nothing erased.*"customers/4711/profile.json" \(version [^)]+\): GOVERNANCE retention until .*2 of them are under GOVERNANCE retention alone: set bypass_governance_retention = true`).MatchString(out) {
		t.Errorf("without bypass, the invocation did not fail as expected: %v\n%s", err, out)
	}
	if got := listVersions(t, name); !slices.Equal(got, before) {
		t.Fatalf("versions changed though the erasure was refused:\n got %+v\nwant %+v", got, before)
	}

	if out, err := invoke(w, "bypass"); err != nil {
		t.Fatalf("invoke with bypass: %v\n%s", err, out)
	}
	left, kept := split(listVersions(t, name), func(k string) bool { return k == "customers/4711/profile.json" })
	if len(left) != 0 || len(kept) != 1 {
		t.Errorf("after the bypass, %d versions left under the prefix and %d outside, want 0 and 1", len(left), len(kept))
	}
}
