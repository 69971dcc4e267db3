package awsapi

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

const testRegion = "eu-central-1"

// testBucketInput asks for everything a bucket can have, so that every guarantee has something to write.
func testBucketInput() BucketInput {
	return BucketInput{
		Name:           "gdpr-guarantees",
		KMSKeyARN:      "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		ExpirationDays: 30,
		// Neither the default nor the expiration, so a write or a prediction that takes either is caught.
		NoncurrentVersionDays: 7,
		ObjectLock:            &ObjectLock{Mode: string(s3types.ObjectLockRetentionModeGovernance), Days: 1},
		Tags:                  map[string]string{"team": "crm"},
	}
}

// TestBucketViolations_namesAndOrder pins the names users see and private state records, and their order.
func TestBucketViolations_namesAndOrder(t *testing.T) {
	nothing := &Bucket{Name: "gdpr-guarantees", Region: testRegion, ObjectLock: &ObjectLock{Mode: "GOVERNANCE", Days: 1}}
	want := []string{"versioning", "encryption", "lifecycle", "object_lock", "public_access_block", "ownership", "policy"}
	if got := nothing.Violations(); !slices.Equal(got, want) {
		t.Errorf("a bucket with no setting violates %v, want %v", got, want)
	}
}

func TestBucketCreated_hasNoViolations(t *testing.T) {
	withLock, withoutLock := testBucketInput(), testBucketInput()
	withoutLock.ObjectLock, withoutLock.Tags = nil, nil
	for name, in := range map[string]BucketInput{"with Object Lock": withLock, "without Object Lock": withoutLock} {
		t.Run(name, func(t *testing.T) {
			if v := in.Created(testRegion).Violations(); len(v) > 0 {
				t.Errorf("the bucket Created predicts violates %v", v)
			}
		})
	}
}

// TestBucketCreated_eachGuaranteeLeftOutIsReported predicts a new bucket from every guarantee but one: the
// check must name exactly the one left out, so no guarantee is predicted without being checked.
func TestBucketCreated_eachGuaranteeLeftOutIsReported(t *testing.T) {
	for _, g := range bucketGuarantees {
		t.Run(g.name, func(t *testing.T) {
			b := testBucketInput().created(testRegion, without(bucketGuarantees, g))
			if got := b.Violations(); !slices.Equal(got, []string{g.name}) {
				t.Errorf("violations = %v, want [%s]", got, g.name)
			}
		})
	}
}

func TestBucketViolations(t *testing.T) {
	tests := map[string]struct {
		change func(*Bucket)
		want   []string
	}{
		"encryption removed":                          {func(b *Bucket) { b.EncryptionAlgorithm, b.KMSKeyID = "", "" }, []string{"encryption"}},
		"encryption with S3-managed keys":             {func(b *Bucket) { b.EncryptionAlgorithm, b.KMSKeyID = "AES256", "" }, []string{"encryption"}},
		"bucket keys off":                             {func(b *Bucket) { b.BucketKeyEnabled = false }, []string{"encryption"}},
		"noncurrent versions kept longer":             {func(b *Bucket) { b.NoncurrentExpireDays = aws.Int32(90) }, []string{"lifecycle"}},
		"noncurrent versions as long as current ones": {func(b *Bucket) { b.NoncurrentExpireDays = aws.Int32(30) }, nil},
		"noncurrent versions for a day":               {func(b *Bucket) { b.NoncurrentExpireDays = aws.Int32(1) }, nil},
		"noncurrent versions a day longer":            {func(b *Bucket) { b.NoncurrentExpireDays = aws.Int32(31) }, []string{"lifecycle"}},
		"noncurrent versions never expire":            {func(b *Bucket) { b.NoncurrentExpireDays = nil }, []string{"lifecycle"}},
		"multipart uploads kept longer":               {func(b *Bucket) { b.AbortMultipartAfterDays = aws.Int32(7) }, []string{"lifecycle"}},
		"no expiration":                               {func(b *Bucket) { b.ExpirationDays = nil }, []string{"lifecycle"}},
		"versioning suspended":                        {func(b *Bucket) { b.Versioning = "Suspended" }, []string{"versioning"}},
		"ACLs enabled":                                {func(b *Bucket) { b.Ownership = "ObjectWriter" }, []string{"ownership"}},
		"retention without Object Lock":               {func(b *Bucket) { b.ObjectLockEnabled = false }, []string{"object_lock"}},
		"no retention and no Object Lock":             {func(b *Bucket) { b.ObjectLock, b.ObjectLockEnabled = nil, false }, nil},
		"policy widened":                              {func(b *Bucket) { b.Policy = `{"Version":"2012-10-17","Statement":[]}` }, []string{"policy"}},
		"policy deleted":                              {func(b *Bucket) { b.Policy = "" }, []string{"policy"}},
		"policy reformatted by S3":                    {func(b *Bucket) { b.Policy = reformatted(t, b.Policy) }, nil},
		"policy of another bucket's name":             {func(b *Bucket) { b.Policy = TLSOnlyPolicy("other", b.Region) }, []string{"policy"}},
		"policy for another partition ARN":            {func(b *Bucket) { b.Region = "cn-north-1" }, []string{"policy"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			b := testBucketInput().Created(testRegion)
			tc.change(b)
			if got := b.Violations(); !slices.Equal(got, tc.want) {
				t.Errorf("violations = %v, want %v", got, tc.want)
			}
		})
	}
}

// reformatted is a policy as S3 returns it: the same document with other whitespace and key order.
func reformatted(t *testing.T, policy string) string {
	t.Helper()
	var doc any
	if err := json.Unmarshal([]byte(policy), &doc); err != nil {
		t.Fatal(err)
	}
	// MarshalIndent sorts the keys, which puts Statement before Version.
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if string(out) == policy {
		t.Fatal("reformatting left the policy as it was; the test proves nothing")
	}
	return string(out)
}

func TestSameJSON(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2]}`, "{\n  \"b\": [ 1, 2 ],\n  \"a\": 1\n}", true},
		{`{"a":1,"b":[1,2]}`, `{"a":1,"b":[2,1]}`, false},
		{`{"a":"x"}`, `{"a":"y"}`, false},
		{`{"a":"x"}`, `{"a":"x","b":null}`, false},
		// Numbers are compared as written, as jsontypes.Normalized does.
		{`{"a":1}`, `{"a":1.0}`, false},
		{`{"a":1}`, ``, false},
		{``, ``, false},
		{`{"a":1}`, `{"a":`, false},
	}
	for _, tc := range tests {
		if got := sameJSON(tc.a, tc.b); got != tc.want {
			t.Errorf("sameJSON(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

// TestBucketSetup_writesWhatCreatedPredicts creates a bucket and runs its setup against a fake S3, then reads
// it back: the bucket must be the one Created predicts, so a create may save the prediction.
func TestBucketSetup_writesWhatCreatedPredicts(t *testing.T) {
	ctx := context.Background()
	c := fakeS3(t, testRegion)
	in := testBucketInput()
	if _, err := c.CreateBucket(ctx, in.Name, in.ObjectLock != nil, "test"); err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, step := range c.BucketSetup(in) {
		actions = append(actions, step.Action)
		if err := step.Run(ctx); err != nil {
			t.Fatalf("%s: %v", step.Action, err)
		}
	}
	wantActions := []string{"s3:PutBucketVersioning", "s3:PutBucketPublicAccessBlock", "s3:PutEncryptionConfiguration",
		"s3:PutLifecycleConfiguration", "s3:PutBucketObjectLockConfiguration", "s3:PutBucketPolicy", "s3:PutBucketTagging"}
	if !slices.Equal(actions, wantActions) {
		t.Errorf("setup calls %v, want %v", actions, wantActions)
	}
	got, err := c.ReadBucket(ctx, in.Name)
	if err != nil {
		t.Fatal(err)
	}
	got.Region = testRegion
	if want := in.Created(testRegion); !reflect.DeepEqual(got, want) {
		t.Errorf("read back %+v\nCreated predicts %+v", got, want)
	}
	if n := aws.ToInt32(got.NoncurrentExpireDays); n != in.NoncurrentVersionDays {
		t.Errorf("the lifecycle rule written keeps noncurrent versions %d days, want the %d asked for", n, in.NoncurrentVersionDays)
	}
	if v := got.Violations(); len(v) > 0 {
		t.Errorf("the bucket as written violates %v", v)
	}
}

// TestBucketSetup_eachGuaranteeIsWritten creates and sets up a bucket with every guarantee but one, against
// a fake S3 that reports what was written and nothing else: the bucket read back must lack the one left out.
func TestBucketSetup_eachGuaranteeIsWritten(t *testing.T) {
	ctx := context.Background()
	for _, g := range bucketGuarantees {
		t.Run(g.name, func(t *testing.T) {
			c := fakeS3(t, testRegion)
			in, gs := testBucketInput(), without(bucketGuarantees, g)
			if _, err := c.createBucket(ctx, in.Name, in.ObjectLock != nil, "test", gs); err != nil {
				t.Fatal(err)
			}
			for _, step := range c.bucketSetup(in, gs) {
				if err := step.Run(ctx); err != nil {
					t.Fatalf("%s: %v", step.Action, err)
				}
			}
			got, err := c.ReadBucket(ctx, in.Name)
			if err != nil {
				t.Fatal(err)
			}
			got.Region = testRegion
			if g == bucketObjectLock {
				// The check sees a default retention without Object Lock; left unwritten, the retention is
				// missing altogether, which the provider reports as a change of the object_lock argument.
				if got.ObjectLock != nil {
					t.Errorf("the default retention %+v was written without its setup call", *got.ObjectLock)
				}
				return
			}
			if v := got.Violations(); !slices.Equal(v, []string{g.name}) {
				t.Errorf("violations = %v, want [%s]", v, g.name)
			}
		})
	}
}

// S3 names us-east-1 by no constraint and old eu-west-1 buckets by EU; every other region by its name.
func TestLocationRegion(t *testing.T) {
	for constraint, want := range map[s3types.BucketLocationConstraint]string{
		"": "us-east-1", "EU": "eu-west-1", "eu-central-1": "eu-central-1", "ap-south-1": "ap-south-1",
	} {
		if got := locationRegion(constraint); got != want {
			t.Errorf("locationRegion(%q) = %q, want %q", constraint, got, want)
		}
	}
}

// TestReadLifecycle_soonestExpirations reads several rules of the whole bucket: S3 applies the soonest
// expiration of each kind, so that is what the read reports; a rule limited to a prefix, or disabled, counts
// for nothing.
func TestReadLifecycle_soonestExpirations(t *testing.T) {
	whole := &s3types.LifecycleRuleFilter{Prefix: aws.String("")}
	rule := func(status s3types.ExpirationStatus, filter *s3types.LifecycleRuleFilter, expiration, noncurrent int32) s3types.LifecycleRule {
		return s3types.LifecycleRule{Status: status, Filter: filter,
			Expiration:                  &s3types.LifecycleExpiration{Days: aws.Int32(expiration)},
			NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(noncurrent)}}
	}
	var b Bucket
	b.readLifecycle([]s3types.LifecycleRule{
		rule(s3types.ExpirationStatusEnabled, whole, 90, 7),
		rule(s3types.ExpirationStatusEnabled, whole, 30, 30),
		rule(s3types.ExpirationStatusEnabled, &s3types.LifecycleRuleFilter{Prefix: aws.String("tmp/")}, 1, 1),
		rule(s3types.ExpirationStatusDisabled, whole, 2, 2),
	})
	if aws.ToInt32(b.ExpirationDays) != 30 || aws.ToInt32(b.NoncurrentExpireDays) != 7 {
		t.Errorf("read expiration %v and noncurrent days %v, want 30 and 7", aws.ToInt32(b.ExpirationDays), aws.ToInt32(b.NoncurrentExpireDays))
	}
}
