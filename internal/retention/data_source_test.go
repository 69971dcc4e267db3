package retention_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccRetentionDataSource_days(t *testing.T) {
	var checks []statecheck.StateCheck
	checks = append(checks, expect("data.gdpr_retention.ok", map[string]knownvalue.Check{
		"expiration_days":  knownvalue.Int64Exact(365),
		"max_days":         knownvalue.Int64Exact(730),
		"compliant":        knownvalue.Bool(true),
		"object_lock_mode": knownvalue.Null(),
		"reason":           reasonLike(`^A retention of 365 days is within the policy's maximum of 730 days`),
	})...)
	checks = append(checks, expect("data.gdpr_retention.too_long", map[string]knownvalue.Check{
		"compliant": knownvalue.Bool(false),
		"reason":    reasonLike(`exceeds the policy's maximum of 730 days`),
	})...)
	checks = append(checks, expect("data.gdpr_retention.too_short", map[string]knownvalue.Check{
		"compliant": knownvalue.Bool(false),
		"reason":    reasonLike(`shorter than the statutory minimum of 400 days`),
	})...)
	checks = append(checks, expect("data.gdpr_retention.between", map[string]knownvalue.Check{
		"compliant": knownvalue.Bool(true),
		"reason":    reasonLike(`between the statutory minimum of 400 days and the policy's maximum of 730 days`),
	})...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(acctest.Region, "  max_retention_days = 730") + `
data "gdpr_retention" "ok" {
  days = 365
}
data "gdpr_retention" "too_long" {
  days = 731
}
data "gdpr_retention" "too_short" {
  days         = 365
  minimum_days = 400
}
data "gdpr_retention" "between" {
  days         = 500
  minimum_days = 400
}`,
			ConfigStateChecks: checks,
		}},
	})
}

func TestAccRetentionDataSource_bucket(t *testing.T) {
	unbounded := acctest.BucketName()
	ctx := context.Background()
	if _, err := acctest.S3(t, acctest.Region).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &unbounded,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = acctest.S3(t, acctest.Region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &unbounded})
	})
	longWindow := acctest.BucketName()
	if _, err := acctest.S3(t, acctest.Region).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &longWindow,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = acctest.S3(t, acctest.Region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &longWindow})
	})
	if _, err := acctest.S3(t, acctest.Region).PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{
		Bucket: &longWindow,
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String("keep-versions"), Status: s3types.ExpirationStatusEnabled,
			Filter:                      &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration:                  &s3types.LifecycleExpiration{Days: aws.Int32(3640)},
			NoncurrentVersionExpiration: &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(30)},
		}}},
	}); err != nil {
		t.Fatal(err)
	}
	var checks []statecheck.StateCheck
	checks = append(checks, expect("data.gdpr_retention.managed", map[string]knownvalue.Check{
		"expiration_days":         knownvalue.Int64Exact(90),
		"object_lock_mode":        knownvalue.StringExact("COMPLIANCE"),
		"object_lock_days":        knownvalue.Int64Exact(30),
		"noncurrent_version_days": knownvalue.Int64Exact(14),
		"compliant":               knownvalue.Bool(true),
		"reason":                  reasonLike(`^A retention of 90 days, and 14 more for noncurrent versions, is within the policy's maximum`),
	})...)
	// A bucket made by another tool expires current objects within the maximum, but keeps their versions 30
	// days after that: the words are the ones gdpr_bucket's plan prints for the same settings.
	checks = append(checks, expect("data.gdpr_retention.long_window", map[string]knownvalue.Check{
		"expiration_days":         knownvalue.Int64Exact(3640),
		"noncurrent_version_days": knownvalue.Int64Exact(30),
		"compliant":               knownvalue.Bool(false),
		"reason":                  reasonLike(`^A version expired after 3640 days is kept 30 days more as a noncurrent version, 3670 days in all, which exceeds the policy's maximum of 3650 days`),
	})...)
	checks = append(checks, expect("data.gdpr_retention.unbounded", map[string]knownvalue.Check{
		"expiration_days":         knownvalue.Null(),
		"noncurrent_version_days": knownvalue.Null(),
		"compliant":               knownvalue.Bool(false),
		"reason":                  reasonLike(`^Nothing expires the data, so it would be kept without limit`),
	})...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(`
  bucket_prefix           = "gdpr-retention-"
  expiration_days         = 90
  noncurrent_version_days = 14
  object_lock             = { mode = "COMPLIANCE", days = 30 }
`) + fmt.Sprintf(`
data "gdpr_retention" "managed" {
  bucket = gdpr_bucket.test.bucket
}

data "gdpr_retention" "long_window" {
  bucket = %q
}

data "gdpr_retention" "unbounded" {
  bucket = %q
}`, longWindow, unbounded),
			ConfigStateChecks: checks,
		}},
	})
}

// retentionBadInputs are the configurations of gdpr_retention that must fail at validate or plan time.
func retentionBadInputs() []acctest.BadInput {
	var out []acctest.BadInput
	for name, tc := range map[string]struct{ body, want string }{
		"missing bucket": {`bucket = "gdpr-no-such-bucket-anywhere"`, `(?s)Bucket not found.*"gdpr-no-such-bucket-anywhere" does not exist in eu-central-1`},
		"both days and bucket": {`days = 1
  bucket = "records"`, `(?s)Invalid Attribute Combination.*\[days,bucket\]`},
		"neither":         {`minimum_days = 1`, `(?s)Missing Attribute Configuration.*\[days,bucket\]`},
		"negative days":   {`days = -1`, `(?s)days.*at least 0`},
		"bad bucket name": {`bucket = "Records"`, `(?s)Invalid bucket name`},
	} {
		out = append(out, acctest.BadInput{Kind: "gdpr_retention", Name: name, Want: acctest.Wrapped(tc.want),
			Config: acctest.ProviderConfig(acctest.Region, "") + "data \"gdpr_retention\" \"x\" {\n  " + tc.body + "\n}\n"})
	}
	return out
}

func TestAccRetentionDataSource_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, retentionBadInputs(), 5)
}

func TestAccRetentionDataSource_unreadableBucket(t *testing.T) {
	name := acctest.BucketName()
	if _, err := acctest.S3(t, acctest.Region).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = acctest.S3(t, acctest.Region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name})
	})
	proxy := acctest.NewFaultProxy(t, acctest.S3Call("GET", "lifecycle"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + fmt.Sprintf(`
data "gdpr_retention" "x" {
  bucket = %q
}`, name),
			ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot read bucket.*The credentials may not read the lifecycle and Object Lock configuration of "` + name + `"`)),
		}},
	})
}
