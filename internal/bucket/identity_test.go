package bucket_test

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// A bucket the provider creates records its account, region and name as its identity, and an import block
// naming that identity adopts it.
func TestAccBucket_identityIsRecordedAndImports(t *testing.T) {
	name := acctest.BucketName()
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30\n", name)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(bucketAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact("123456789012"),
						"region":     knownvalue.StringExact(acctest.Region),
						"bucket":     knownvalue.StringExact(name),
					}),
					statecheck.ExpectIdentityValueMatchesStateAtPath(bucketAddr, tfjsonpath.New("bucket"), tfjsonpath.New("id")),
				},
			},
			{ResourceName: bucketAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// An identity naming another region than the one the bucket is in is refused, naming both.
func TestAccBucket_importByIdentityInAnotherRegionFails(t *testing.T) {
	name := acctest.BucketName()
	c := acctest.S3(t, acctest.Region)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name}) })
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ResourceIdentity},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30\n", name)) + fmt.Sprintf(`
import {
  to       = gdpr_bucket.test
  identity = { bucket = %q, region = "eu-west-1" }
}
`, name),
			ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot import gdpr_bucket.*identity names region "eu-west-1", and the ` +
				`gdpr_bucket would be managed in region "` + acctest.Region + `"`)),
		}},
	})
}
