package bucket_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccBucket_importOutsideAllowedRegionFails imports a bucket that S3 holds in ap-south-1 into a provider
// configured for eu-central-1: the import fails naming where the bucket really is and its jurisdiction.
func TestAccBucket_importOutsideAllowedRegionFails(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	c := acctest.S3(t, "ap-south-1")
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "ap-south-1"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name}) })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30\n", name)) + fmt.Sprintf(`
import {
  to = gdpr_bucket.test
  id = %q
}
`, name),
			ExpectError: regexp.MustCompile(`(?s)Cannot import gdpr_bucket.*ap-south-1.*India.*THIRD_COUNTRY`),
		}},
	})
}

// TestAccBucket_recreatedInAnotherRegionPlansReplacement deletes a bucket Terraform made in eu-central-1 and
// makes one of the same name in us-east-1, as someone outside Terraform could: the refresh warns, naming
// both regions, and the plan replaces the bucket; the apply puts it back in eu-central-1.
func TestAccBucket_recreatedInAnotherRegionPlansReplacement(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30\n", name)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer w.MustTerraform("destroy", "-input=false", "-auto-approve")

	ctx := context.Background()
	if _, err := acctest.S3(t, acctest.Region).DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := acctest.S3(t, "us-east-1").CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	out, err := acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	for _, want := range []string{"Bucket found in another region", "created in " + acctest.Region,
		"now in us-east-1", "gdpr_bucket.test must be replaced"} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	loc, err := acctest.S3(t, acctest.Region).GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(loc.LocationConstraint); got != acctest.Region {
		t.Errorf("after the apply the bucket is in %q, want %s", got, acctest.Region)
	}
}
