package bucket_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// A bucket with noncurrent_version_days = 30 keeps noncurrent versions 30 days, as S3 itself reports; a rule
// changed outside Terraform to 7 days is reported by the argument's name and plans a replacement, which
// writes the 30 days again.
func TestAccBucket_noncurrentVersionDays(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	name := acctest.BucketName()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.BucketConfig(fmt.Sprintf(
		"  bucket = %q\n  expiration_days = 90\n  noncurrent_version_days = 30\n  force_destroy = true\n", name)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer func() {
		w.MustTerraform("destroy", "-input=false", "-auto-approve")
		if err := acctest.CheckBucketGone(t, name)(nil); err != nil {
			t.Error(err)
		}
	}()
	if err := checkLifecycleRule(t, name, 90, 30); err != nil {
		t.Fatal(err)
	}

	if _, err := acctest.S3(t, acctest.Region).PutBucketLifecycleConfiguration(context.Background(), &s3.PutBucketLifecycleConfigurationInput{
		Bucket: aws.String(name),
		LifecycleConfiguration: &s3types.BucketLifecycleConfiguration{Rules: []s3types.LifecycleRule{{
			ID: aws.String(awsapi.LifecycleRuleID), Status: s3types.ExpirationStatusEnabled,
			Filter:                         &s3types.LifecycleRuleFilter{Prefix: aws.String("")},
			Expiration:                     &s3types.LifecycleExpiration{Days: aws.Int32(90)},
			NoncurrentVersionExpiration:    &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(7)},
			AbortIncompleteMultipartUpload: &s3types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)},
		}}},
	}); err != nil {
		t.Fatalf("changing the lifecycle of %s out of band: %v", name, err)
	}
	out, err := w.Terraform("plan", "-input=false", "-no-color", "-detailed-exitcode")
	for _, want := range []string{
		fmt.Sprintf("The noncurrent_version_days of gdpr_bucket %q changed outside Terraform", name),
		"gdpr_bucket.test must be replaced",
		"~ noncurrent_version_days = 7 -> 30 # forces replacement",
	} {
		if err == nil || !regexp.MustCompile(acctest.Wrapped(regexp.QuoteMeta(want))).MatchString(out) {
			t.Fatalf("plan after the noncurrent days were changed to 7: want %q, got (%v):\n%s", want, err, out)
		}
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	if err := checkLifecycleRule(t, name, 90, 30); err != nil {
		t.Fatalf("after the replacement: %v", err)
	}
}

// A state written before noncurrent_version_days existed (schema version 0, no such attribute) plans no
// change after the provider's upgrade, with -refresh=false as with a refresh: the upgrade gives it the one
// day its bucket keeps noncurrent versions, which is the default.
func TestAccBucket_stateWithoutNoncurrentDaysIsNotReplaced(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	name := acctest.BucketName()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.BucketConfig(fmt.Sprintf(
		"  bucket = %q\n  expiration_days = 30\n", name)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer func() {
		w.MustTerraform("destroy", "-input=false", "-auto-approve")
		if err := acctest.CheckBucketGone(t, name)(nil); err != nil {
			t.Error(err)
		}
	}()
	if err := checkLifecycleRule(t, name, 30, 1); err != nil {
		t.Fatal(err)
	}

	// A plan writes no state, so both plans start from the state of version 0.
	writeStateAsV0(t, w.Dir, bucketAddr)
	for _, refresh := range []string{"-refresh=false", "-refresh=true"} {
		out, err := w.Terraform("plan", "-input=false", "-no-color", "-detailed-exitcode", refresh)
		if err != nil || !strings.Contains(out, "No changes") {
			t.Fatalf("plan %s of a state without noncurrent_version_days: want no changes, got (%v):\n%s", refresh, err, out)
		}
	}
	// The state the upgrade writes records the day.
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-refresh-only")
	if out := w.MustTerraform("state", "show", "-no-color", bucketAddr); !regexp.MustCompile(`noncurrent_version_days\s+= 1\n`).MatchString(out) {
		t.Errorf("state after the upgrade: want noncurrent_version_days = 1, got:\n%s", out)
	}
}

// A bucket made outside Terraform with every guarantee and a restore window of 30 days, within its
// expiration, is adopted by an import as compliant: a configuration with the same arguments plans nothing.
func TestAccBucket_importOfA30DayWindowIsCompliant(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	name, key := acctest.BucketName(), keyARNInEmulator(t)
	makeBucket(t, acctest.Region, awsapi.BucketInput{Name: name, KMSKeyARN: key, ExpirationDays: 30, NoncurrentVersionDays: 30}, true)

	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, "")+fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket                  = %q
  kms_key_arn             = %q
  expiration_days         = 30
  noncurrent_version_days = 30
}
`, name, key))
	w.MustTerraform("import", "-input=false", bucketAddr, name)
	out := w.MustTerraform("state", "show", "-no-color", bucketAddr)
	for _, want := range []string{`noncurrent_version_days\s+= 30\n`, `guarantees_broken\s+= \[\]`} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("state after the import: want %q, got:\n%s", want, out)
		}
	}
	plan, err := acctest.Plan(t, w)
	if err != nil || !strings.Contains(plan, "No changes.") {
		t.Errorf("the plan after the import is not empty (err %v):\n%s", err, plan)
	}
}
