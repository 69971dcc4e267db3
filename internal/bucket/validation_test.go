package bucket_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func bucketBadInputs() []acctest.BadInput {
	names := map[string]string{
		"ab":                    `must be 3 to 63\s+characters long, not 2`,
		strings.Repeat("a", 64): `not 64`,
		"Customer-Records":      `may contain only lower-case letters,\s+digits, periods and hyphens, not 'C', 'R'`,
		"customer_records":      `not '_'`,
		"-customer":             `must begin and end with a lower-case letter or a digit`,
		"customer-":             `must begin and end`,
		"customer..records":     `must not contain two adjacent periods`,
		"192.168.5.4":           `must not be formatted as an IP address`,
		"xn--customer":          `must not start with "xn--"`,
		"sthree-customer":       `must not start with "sthree-"`,
		"amzn-s3-demo-customer": `must not start with "amzn-s3-demo-"`,
		"customer-s3alias":      `must not end with "-s3alias"`,
		"customer--ol-s3":       `must not end with "--ol-s3"`,
		"customer.mrap":         `must not end with ".mrap"`,
		"customer--x-s3":        `must not end with "--x-s3"`,
		"customer--table-s3":    `must not end with "--table-s3"`,
		"customer records":      `not ' '`,
		"customér":              `not 'é'`,
	}
	tests := map[string]struct{ provider, body, want string }{}
	for name, want := range names {
		tests["bucket "+name] = struct{ provider, body, want string }{body: fmt.Sprintf("bucket = %q\n  expiration_days = 1", name), want: `(?s)Invalid bucket name.*bucket.*` + want}
	}
	for name, tc := range map[string]struct{ provider, body, want string }{
		"several rules broken, each reported": {body: `bucket = "-Bad..Name"
  expiration_days = 1`, want: `(?s)Invalid bucket name.*not 'B', 'N'.*Invalid bucket name.*begin and end.*Invalid bucket name.*adjacent periods`},
		"prefix too long": {body: fmt.Sprintf("bucket_prefix = %q\n  expiration_days = 1", strings.Repeat("a", 44)), want: `(?s)Invalid bucket prefix.*bucket_prefix.*must be 1 to 43 characters`},
		"prefix upper case": {body: `bucket_prefix = "Records-"
  expiration_days = 1`, want: `(?s)Invalid bucket prefix.*not 'R'`},
		"both name and prefix": {body: `bucket = "records"
  bucket_prefix = "records-"
  expiration_days = 1`, want: `(?s)Invalid Attribute Combination.*Exactly one of these attributes must be configured:\s+\[bucket,bucket_prefix\]`},
		"neither name nor prefix": {body: `expiration_days = 1`, want: `(?s)Missing Attribute Configuration.*Exactly one of these attributes must be configured: \[bucket,bucket_prefix\]`},
		"the creation marker as a tag": {body: `bucket = "records-tags"
  expiration_days = 1
  tags = { "gdpr:creating" = "x" }`, want: `(?s)Reserved tag key.*"gdpr:creating".*provider's own`},
		"expiration 0": {body: `bucket = "records-zero"
  expiration_days = 0`, want: `(?s)expiration_days.*value must be at least 1, got: 0`},
		"expiration above max_retention_days": {provider: "  max_retention_days = 365", body: `bucket = "records-long"
  expiration_days = 366`, want: `(?s)Retention too long.*expiration_days = 366.*A retention of 366 days exceeds the policy's maximum of 365 days \(max_retention_days, GDPR Art\. 5\(1\)\(e\).*Set expiration_days to 1 to 365 days`},
		"expiration above the default maximum": {body: `bucket = "records-long"
  expiration_days = 3651`, want: `(?s)Retention too long.*exceeds the policy's maximum of 3650 days`},
		"lock outlasts expiration": {body: `bucket = "records-lock"
  expiration_days = 30
  object_lock = { mode = "GOVERNANCE", days = 31 }`, want: `(?s)Object Lock outlasts expiration.*Object Lock keeps each version for 31 days, longer than the 30 days.*Art\. 5\(1\)\(e\).*set object_lock\.days to at most 30`},
		"noncurrent days 0": {body: `bucket = "records-noncurrent"
  expiration_days = 30
  noncurrent_version_days = 0`, want: `(?s)noncurrent_version_days.*value must be between 1 and 365, got: 0`},
		"noncurrent days above a year": {body: `bucket = "records-noncurrent"
  expiration_days = 3650
  noncurrent_version_days = 366`, want: `(?s)noncurrent_version_days.*value must be between 1 and 365, got: 366`},
		"noncurrent days outlast expiration": {body: `bucket = "records-noncurrent"
  expiration_days = 7
  noncurrent_version_days = 30`, want: `(?s)Noncurrent versions outlast expiration.*noncurrent_version_days = 30.*Overwritten and deleted versions are kept for 30 days, longer than the 7 days.*Art\. 5\(1\)\(e\).*set noncurrent_version_days to 1 to 7`},
		"versions outlive max_retention_days": {provider: "  max_retention_days = 365", body: `bucket = "records-noncurrent"
  expiration_days = 337
  noncurrent_version_days = 30`, want: `(?s)Retention too long.*noncurrent_version_days = 30.*A version expired after 337 days is kept 30 days more as a noncurrent version, 367 days in all, which exceeds the policy's maximum of 365 days.*Set noncurrent_version_days to 1 to 29 days`},
		"unknown lock mode": {body: `bucket = "records-lock"
  expiration_days = 30
  object_lock = { mode = "LEGAL", days = 1 }`, want: `(?s)object_lock\.mode.*value must be one of: \["GOVERNANCE" "COMPLIANCE"\], got: "LEGAL"`},
		"lock days 0": {body: `bucket = "records-lock"
  expiration_days = 30
  object_lock = { mode = "COMPLIANCE", days = 0 }`, want: `(?s)object_lock\.days.*at least 1`},
		"key alias instead of a key ARN": {body: `bucket = "records-alias"
  expiration_days = 30
  kms_key_arn = "arn:aws:kms:eu-central-1:123456789012:alias/records"`, want: `(?s)kms_key_arn.*must be the ARN of a KMS key`},
		"reserved tag key": {body: `bucket = "records-tags"
  expiration_days = 30
  tags = { "aws:owner" = "x" }`, want: `(?s)Reserved tag key.*tags.*"aws:owner".*starts with "aws:"`},
	} {
		tests[name] = tc
	}
	for name, tc := range acctest.TagBadInputs() {
		tests[name] = struct{ provider, body, want string }{body: "bucket = \"records-tags\"\n  expiration_days = 30\n  tags = " + tc.Tags, want: tc.Want}
	}
	var out []acctest.BadInput
	for name, tc := range tests {
		body := tc.body
		if !strings.Contains(body, "kms_key_arn") {
			body += fmt.Sprintf("\n  kms_key_arn = %q", acctest.DummyKeyARN)
		}
		out = append(out, acctest.BadInput{Kind: "gdpr_bucket", Name: name, Want: acctest.Wrapped(tc.want),
			Config: acctest.ProviderConfig(acctest.Region, tc.provider) + "resource \"gdpr_bucket\" \"test\" {\n  " + body + "\n}\n"})
	}
	return out
}

// TestAccBucket_badInputs plans every bad input of a bucket; each must fail before anything is created.
func TestAccBucket_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, bucketBadInputs(), 43)
}

// A bucket outside the allowed jurisdictions fails at plan, and nothing is created.
func TestAccBucket_residency(t *testing.T) {
	name := acctest.BucketName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("ap-southeast-1", "") + fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = %q
  expiration_days = 30
}`, name, acctest.DummyKeyARN),
			ExpectError: regexp.MustCompile(`(?s)Region not allowed for personal data.*gdpr_bucket.*ap-southeast-1.*Singapore.*THIRD_COUNTRY`),
		}},
		CheckDestroy: func(*terraform.State) error {
			_, err := acctest.S3(t, "ap-southeast-1").HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &name})
			if err == nil {
				return fmt.Errorf("bucket %s was created although its region is not allowed", name)
			}
			return nil
		},
	})
}
