package bucket_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccEmulator_tlsOnlyPolicyDeniesPlainHTTP proves that the emulator enforces a gdpr_bucket's TLS-only
// policy as AWS does: the same PutObject is denied with AccessDenied over plain HTTP and succeeds over TLS,
// so no test needs to lift the policy for its own object calls, and none can pass by accident because the
// policy is missing.
func TestAccEmulator_tlsOnlyPolicyDeniesPlainHTTP(t *testing.T) {
	name := acctest.BucketName()
	put := func(c *s3.Client, body string) error {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &name, Key: aws.String("records/ada.json"),
			Body: strings.NewReader(body), ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256})
		return err
	}
	check := func(*terraform.State) error {
		if err := put(acctest.S3(t, acctest.Region), `{"over":"tls"}`); err != nil {
			return fmt.Errorf("PutObject over TLS to bucket %s was refused: %w", name, err)
		}
		err := put(acctest.S3OverPlainHTTP(t, acctest.Region), `{"over":"http"}`)
		if err == nil {
			return fmt.Errorf("PutObject over plain HTTP to bucket %s was stored, want AccessDenied", name)
		}
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDenied" {
			return fmt.Errorf("PutObject over plain HTTP to bucket %s: want AccessDenied, got: %w", name, err)
		}
		out, err := acctest.S3(t, acctest.Region).GetObject(context.Background(), &s3.GetObjectInput{Bucket: &name, Key: aws.String("records/ada.json")})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		got, err := io.ReadAll(out.Body)
		if err != nil {
			return err
		}
		if string(got) != `{"over":"tls"}` {
			return fmt.Errorf("the object holds %s after the denied plain-HTTP PutObject, want what TLS wrote", got)
		}
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  force_destroy   = true
`, name)),
			Check: check,
		}},
	})
}
