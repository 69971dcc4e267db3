package bucket_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccBucket_nameTakenFailsTheCreate applies a bucket whose name the account already holds: once for a
// bucket made outside Terraform, once for one an interrupted create with other arguments left behind (it
// carries the creation marker). Each create fails naming the bucket and the import that brings it under the
// resource, rather than S3's BucketAlreadyOwnedByYou, and leaves the bucket as it was: it is not taken over.
func TestAccBucket_nameTakenFailsTheCreate(t *testing.T) {
	acctest.RequireEmulator(t)
	for name, tc := range map[string]struct {
		tags []s3types.Tag
		want string
	}{
		"made outside Terraform": {want: `It is not in this configuration's state`},
		"left by an interrupted create with other arguments": {
			tags: []s3types.Tag{{Key: aws.String(awsapi.CreatingTag), Value: aws.String("another-create")}},
			want: `An interrupted apply began creating it with other arguments`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			bucket := acctest.BucketName()
			c := acctest.S3(t, acctest.Region)
			ctx := context.Background()
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket,
				CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region), Tags: tc.tags}}); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &bucket}) })
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy: func(*terraform.State) error {
					got, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: &bucket})
					if len(tc.tags) == 0 && err == nil || len(tc.tags) > 0 && (err != nil || len(got.TagSet) != 1 || aws.ToString(got.TagSet[0].Value) != "another-create") {
						return fmt.Errorf("the existing bucket's tags changed: %v: %w", got, err)
					}
					return nil
				},
				Steps: []resource.TestStep{{
					// A known key ARN makes every argument known at plan, so a marker can be compared with the
					// fingerprint of this create.
					Config: acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = "arn:aws:kms:%s:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  expiration_days = 30
}`, bucket, acctest.Region),
					ExpectError: regexp.MustCompile(`(?s)Bucket already exists in this account.*` + regexp.QuoteMeta(bucket) +
						`.*` + acctest.Wrapped(tc.want) + `.*terraform import <address> ` + regexp.QuoteMeta(bucket)),
				}},
			})
		})
	}
}

// TestAccBucket_createWithoutTagPermission denies CreateBucket whenever it carries tags, as AWS does for a
// caller without s3:TagResource (and as some S3-compatible services do): the create falls back to a
// CreateBucket without tags, marks the bucket at once, and finishes it like any other.
func TestAccBucket_createWithoutTagPermission(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(r *http.Request, op string) bool {
			if op != "s3:PUT" || r.Body == nil {
				return false
			}
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			return bytes.Contains(body, []byte("<Tags>"))
		},
		Fault: acctest.AccessDenied,
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = "arn:aws:kms:%s:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  expiration_days = 30
}`, name, acctest.Region),
			Check: func(*terraform.State) error {
				if proxy.Failed() == 0 {
					return fmt.Errorf("no CreateBucket with tags was denied: the test proves nothing")
				}
				b, err := acctest.EmulatorClients(t, acctest.Region).ReadBucket(context.Background(), name)
				if err != nil {
					return err
				}
				if b.Unfinished != "" || len(b.Violations()) > 0 {
					return fmt.Errorf("bucket %s: creation marker %q, guarantees broken %v", name, b.Unfinished, b.Violations())
				}
				return nil
			},
		}},
	})
}
