package provider_test

import (
	"context"
	"fmt"
	"testing"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRegionChange_replacesInTheOldRegion applies a key, a bucket and a server in eu-central-1, then changes the
// provider's region to eu-west-1: the plan replaces all three (nothing is dropped from the state as gone), and the
// apply destroys them where they are: the old key's deletion is scheduled in eu-central-1, the old server is
// terminated there, the old bucket is deleted, and the new ones are in eu-west-1.
func TestAccRegionChange_replacesInTheOldRegion(t *testing.T) {
	name := acctest.BucketName()
	config := func(region string) string {
		return acctest.ProviderConfig(region, "") + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "region change"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
}

resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.test.arn
}
`, name, acctest.LinuxImage)
	}
	var oldKey, newKey, oldServer string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: config("eu-central-1"),
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureID("gdpr_key.test", &oldKey),
					acctest.CaptureID("gdpr_server.test", &oldServer),
				),
			},
			{
				Config: config("eu-west-1"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("gdpr_key.test", plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction("gdpr_bucket.test", plancheck.ResourceActionReplace),
						plancheck.ExpectResourceAction("gdpr_server.test", plancheck.ResourceActionReplace),
					},
				},
				Check: resource.ComposeTestCheckFunc(
					acctest.CaptureID("gdpr_key.test", &newKey),
					resource.TestCheckResourceAttr("gdpr_key.test", "region", "eu-west-1"),
					resource.TestCheckResourceAttr("gdpr_bucket.test", "region", "eu-west-1"),
					func(*terraform.State) error {
						ctx := context.Background()
						old, err := acctest.KMS(t, "eu-central-1").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &oldKey})
						if err != nil {
							return fmt.Errorf("the old key in eu-central-1: %w", err)
						}
						if old.KeyMetadata.KeyState != kmstypes.KeyStatePendingDeletion {
							return fmt.Errorf("the old key in eu-central-1 is %s, want PendingDeletion", old.KeyMetadata.KeyState)
						}
						inst, err := acctest.EC2(t, "eu-central-1").DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{oldServer}})
						if err != nil {
							return fmt.Errorf("the old server in eu-central-1: %w", err)
						}
						if st := inst.Reservations[0].Instances[0].State.Name; st != ec2types.InstanceStateNameTerminated {
							return fmt.Errorf("the old server in eu-central-1 is %s, want terminated", st)
						}
						if _, err := acctest.KMS(t, "eu-west-1").DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &newKey}); err != nil {
							return fmt.Errorf("the new key is not in eu-west-1: %w", err)
						}
						loc, err := acctest.S3(t, "eu-west-1").GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: &name})
						if err != nil {
							return err
						}
						if string(loc.LocationConstraint) != "eu-west-1" {
							return fmt.Errorf("the bucket is in %q, want eu-west-1", loc.LocationConstraint)
						}
						return nil
					},
				),
			},
		},
	})
}
