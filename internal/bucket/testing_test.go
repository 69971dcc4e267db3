package bucket_test

// Helpers that only the bucket's own tests use; those the tests of other packages need are in
// acctest/bucket.go.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/sync/errgroup"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

const bucketAddr = "gdpr_bucket.test"

// checkBucketInEmulator asks S3 directly whether the bucket has every enforced setting and the arguments.
func checkBucketInEmulator(t *testing.T, name string, expirationDays int32, lock *s3types.DefaultRetention, tags map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.S3(t, acctest.Region)
		b := aws.String(name)
		keyARN := s.RootModule().Resources["gdpr_key.test"].Primary.Attributes["arn"]

		ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("versioning: %w", err)
		}
		if ver.Status != s3types.BucketVersioningStatusEnabled {
			return fmt.Errorf("versioning = %s, want Enabled", ver.Status)
		}
		enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("encryption: %w", err)
		}
		rule := enc.ServerSideEncryptionConfiguration.Rules[0]
		if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms ||
			aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != keyARN || !aws.ToBool(rule.BucketKeyEnabled) {
			return fmt.Errorf("encryption = %+v, want aws:kms with %s and bucket keys", rule.ApplyServerSideEncryptionByDefault, keyARN)
		}
		lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("lifecycle: %w", err)
		}
		r := lc.Rules[0]
		if len(lc.Rules) != 1 || r.Status != s3types.ExpirationStatusEnabled || aws.ToInt32(r.Expiration.Days) != expirationDays ||
			aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != 1 || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 1 {
			return fmt.Errorf("lifecycle rules = %+v, want one expiring after %d days, noncurrent after 1, uploads after 1", lc.Rules, expirationDays)
		}
		pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("public access block: %w", err)
		}
		p := pab.PublicAccessBlockConfiguration
		if !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.RestrictPublicBuckets) {
			return fmt.Errorf("public access block = %+v, want all four on", p)
		}
		own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("ownership: %w", err)
		}
		if got := own.OwnershipControls.Rules[0].ObjectOwnership; got != s3types.ObjectOwnershipBucketOwnerEnforced {
			return fmt.Errorf("ownership = %s, want BucketOwnerEnforced", got)
		}
		pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		if err := checkTLSOnlyPolicy(aws.ToString(pol.Policy), name, acctest.Region); err != nil {
			return err
		}
		lockCfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		switch {
		case lock == nil && err == nil && lockCfg.ObjectLockConfiguration != nil && lockCfg.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled:
			return errors.New("object lock is enabled, want none")
		case lock != nil && err != nil:
			return fmt.Errorf("object lock: %w", err)
		case lock != nil:
			got := lockCfg.ObjectLockConfiguration.Rule.DefaultRetention
			if got.Mode != lock.Mode || aws.ToInt32(got.Days) != aws.ToInt32(lock.Days) {
				return fmt.Errorf("default retention = %s %d days, want %s %d days", got.Mode, aws.ToInt32(got.Days), lock.Mode, aws.ToInt32(lock.Days))
			}
		}
		tagOut, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		if len(tags) > 0 && err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		got := map[string]string{}
		if err == nil {
			for _, tag := range tagOut.TagSet {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tags) {
			return fmt.Errorf("tags = %v, want %v", got, tags)
		}
		return nil
	}
}

// tlsOnlyPolicy is the bucket policy the provider must attach, written out here rather than taken from
// awsapi: every request over plain HTTP to the bucket or its objects is denied.
func tlsOnlyPolicy(name, region string) string {
	arn := awsapi.BucketARN(name, region)
	return `{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*",` +
		`"Action":"s3:*","Resource":["` + arn + `","` + arn + `/*"],` +
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`
}

// checkTLSOnlyPolicy compares the whole policy S3 reports, by meaning, with the one written out above and
// with the one awsapi attaches: a statement that allows instead of denying, a narrower resource or action,
// or an extra statement all fail it, where a search for the condition would not.
func checkTLSOnlyPolicy(got, name, region string) error {
	if !sameJSON(got, tlsOnlyPolicy(name, region)) {
		return fmt.Errorf("policy = %s, want %s", got, tlsOnlyPolicy(name, region))
	}
	if want := awsapi.TLSOnlyPolicy(name, region); !sameJSON(got, want) {
		return fmt.Errorf("policy = %s, but awsapi.TLSOnlyPolicy is %s", got, want)
	}
	return nil
}

// sameJSON reports whether two JSON documents mean the same, whatever their whitespace and key order; a
// document that is not JSON is never the same.
func sameJSON(a, b string) bool {
	var va, vb any
	if json.Unmarshal([]byte(a), &va) != nil || json.Unmarshal([]byte(b), &vb) != nil {
		return false
	}
	return reflect.DeepEqual(va, vb)
}

// bucketRefreshRequests is what a refresh of one bucket costs: where it is, and one GET per enforced setting,
// no HeadBucket; and once per provider process the account of the credentials, which the bucket's identity
// names (S3 does not say which account owns a bucket). Configure's credential check asks the same, so
// outside tests, which skip that check, the refresh costs nothing more.
var bucketRefreshRequests = []string{
	"s3:GET?location", "s3:GET?versioning", "s3:GET?encryption", "s3:GET?lifecycle", "s3:GET?object-lock",
	"s3:GET?publicAccessBlock", "s3:GET?ownershipControls", "s3:GET?policy", "s3:GET?tagging", "sts:GetCallerIdentity",
}

// putNumbered writes n small objects, o/00000 onwards, each holding body(i), into bucket, 32 at a time: a bucket
// that needs more than one page of S3's listing.
func putNumbered(t *testing.T, bucket string, n int, body func(i int) string) {
	t.Helper()
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(32)
	c := acctest.S3(t, acctest.Region)
	for i := range n {
		g.Go(func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fmt.Sprintf("o/%05d", i)),
				Body: strings.NewReader(body(i))})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
}

// sameBucket compares two buckets field by field, the policy by meaning.
func sameBucket(got, want *awsapi.Bucket) error {
	var gotPolicy, wantPolicy any
	if err := json.Unmarshal([]byte(got.Policy), &gotPolicy); err != nil {
		return fmt.Errorf("policy %q: %w", got.Policy, err)
	}
	if err := json.Unmarshal([]byte(want.Policy), &wantPolicy); err != nil {
		return fmt.Errorf("policy %q: %w", want.Policy, err)
	}
	if !reflect.DeepEqual(gotPolicy, wantPolicy) {
		return fmt.Errorf("S3 reports the policy %s, the create implies %s", got.Policy, want.Policy)
	}
	g, w := *got, *want
	g.Policy, w.Policy = "", ""
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("S3 reports\n%s\nthe create implies\n%s", dump(g), dump(w))
	}
	return nil
}

func dump(b awsapi.Bucket) string {
	out, _ := json.Marshal(b)
	return string(out)
}

func captureBucket(names *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*names = append(*names, s.RootModule().Resources[bucketAddr].Primary.ID)
		return nil
	}
}

// removeLockedBucket ends the retention of every version, which only the emulator allows in COMPLIANCE
// mode, and deletes the versions and the bucket.
func removeLockedBucket(t *testing.T, name string) {
	t.Helper()
	removeLockedBucketObjects(t, name)
	if _, err := acctest.S3(t, acctest.Region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
}

// removeLockedBucketObjects deletes every version in the bucket, ending any retention first (which only the
// emulator allows for COMPLIANCE), so a test can clean up a bucket it made hold data.
func removeLockedBucketObjects(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	_, noLock := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: &name})
	for _, v := range out.Versions {
		if noLock != nil {
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &name, Key: v.Key, VersionId: v.VersionId}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := c.PutObjectRetention(ctx, &s3.PutObjectRetentionInput{Bucket: &name, Key: v.Key, VersionId: v.VersionId,
			ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256,
			Retention:         &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(-time.Hour))},
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &name, Key: v.Key, VersionId: v.VersionId, BypassGovernanceRetention: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkLifecycleRule asks S3 for the bucket's lifecycle configuration: it must be the provider's one rule,
// expiring current objects after expiration days, noncurrent versions after noncurrent days, and incomplete
// multipart uploads after one day.
func checkLifecycleRule(t *testing.T, name string, expiration, noncurrent int32) error {
	t.Helper()
	lc, err := acctest.S3(t, acctest.Region).GetBucketLifecycleConfiguration(context.Background(),
		&s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String(name)})
	if err != nil {
		return fmt.Errorf("lifecycle of %s: %w", name, err)
	}
	if len(lc.Rules) != 1 {
		return fmt.Errorf("lifecycle of %s has %d rules, want 1", name, len(lc.Rules))
	}
	r := lc.Rules[0]
	if aws.ToString(r.ID) != awsapi.LifecycleRuleID || r.Status != s3types.ExpirationStatusEnabled ||
		r.Expiration == nil || aws.ToInt32(r.Expiration.Days) != expiration ||
		r.NoncurrentVersionExpiration == nil || aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != noncurrent ||
		r.AbortIncompleteMultipartUpload == nil || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 1 {
		return fmt.Errorf("lifecycle rule of %s = %+v, want %s expiring after %d days, noncurrent versions after %d, "+
			"uploads after 1", name, r, awsapi.LifecycleRuleID, expiration, noncurrent)
	}
	return nil
}

// writeStateAsV0 rewrites the local state of the working directory dir so that the bucket at address is as
// a provider without noncurrent_version_days wrote it: schema version 0, and no such attribute.
func writeStateAsV0(t *testing.T, dir, address string) {
	t.Helper()
	file := filepath.Join(dir, "terraform.tfstate")
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]any
	if err := json.Unmarshal(raw, &state); err != nil {
		t.Fatal(err)
	}
	found := false
	resources, _ := state["resources"].([]any)
	for _, r := range resources {
		res, _ := r.(map[string]any)
		if fmt.Sprint(res["type"], ".", res["name"]) != address {
			continue
		}
		instances, _ := res["instances"].([]any)
		for _, i := range instances {
			instance, _ := i.(map[string]any)
			attrs, _ := instance["attributes"].(map[string]any)
			if _, ok := attrs["noncurrent_version_days"]; !ok || instance["schema_version"] != float64(1) {
				t.Fatalf("the state of %s is not of schema version 1 with noncurrent_version_days: %v", address, instance)
			}
			delete(attrs, "noncurrent_version_days")
			instance["schema_version"] = 0
			found = true
		}
	}
	if !found {
		t.Fatalf("the state holds no resource %s", address)
	}
	serial, _ := state["serial"].(float64)
	state["serial"] = serial + 1
	if raw, err = json.MarshalIndent(state, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
