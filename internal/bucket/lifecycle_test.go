package bucket_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccBucket_driftPlansReplacement changes enforced settings behind Terraform's back; each must plan a
// replacement, after which the new bucket has every setting again.
func TestAccBucket_driftPlansReplacement(t *testing.T) {
	name := acctest.BucketName()
	config := acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name))
	tamper := func(change func(ctx context.Context, c *s3.Client) error) resource.TestStep {
		return resource.TestStep{
			PreConfig: func() {
				if err := change(context.Background(), acctest.S3(t, acctest.Region)); err != nil {
					t.Fatalf("changing bucket %s out of band: %v", name, err)
				}
			},
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
			},
			Check: checkBucketInEmulator(t, name, 30, nil, map[string]string{}),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{Config: config},
			tamper(func(ctx context.Context, c *s3.Client) error {
				_, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: &name})
				return err
			}),
			tamper(func(ctx context.Context, c *s3.Client) error {
				_, err := c.DeleteBucketLifecycle(ctx, &s3.DeleteBucketLifecycleInput{Bucket: &name})
				return err
			}),
			tamper(func(ctx context.Context, c *s3.Client) error {
				_, err := c.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: &name,
					PublicAccessBlockConfiguration: &s3types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(false)}})
				return err
			}),
			tamper(func(ctx context.Context, c *s3.Client) error {
				_, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: &name})
				return err
			}),
			tamper(func(ctx context.Context, c *s3.Client) error {
				_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &name,
					VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
				return err
			}),
			{Config: config, ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}}},
		},
	})
}

// TestAccBucket_tagDriftPlansReplacement uses a generated name: the emulator keeps a deleted bucket's tags
// for a new bucket of the same name, which S3 does not.
func TestAccBucket_tagDriftPlansReplacement(t *testing.T) {
	config := acctest.BucketConfig(`
  bucket_prefix   = "gdpr-tags-"
  expiration_days = 30
`)
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, Check: captureBucket(&names)},
			{
				PreConfig: func() {
					if _, err := acctest.S3(t, acctest.Region).PutBucketTagging(context.Background(), &s3.PutBucketTaggingInput{Bucket: &names[0],
						Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("mallory")}}}}); err != nil {
						t.Fatal(err)
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
				},
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if names[0] == names[1] {
						return fmt.Errorf("bucket %s was kept after its tags were changed", names[0])
					}
					return acctest.CheckBucketGone(t, names[0])(s)
				}),
			},
		},
	})
}

// TestAccBucket_importOfNonCompliantBucketPlansReplacement adopts a bucket made without the guarantees:
// the import succeeds and the plan that follows replaces it.
func TestAccBucket_importOfNonCompliantBucketPlansReplacement(t *testing.T) {
	name := acctest.BucketName()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name)) + fmt.Sprintf(`
import {
  to = gdpr_bucket.test
  id = %q
}
`, name),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
			},
			Check: checkBucketInEmulator(t, name, 30, nil, map[string]string{}),
		}},
	})
}

// TestAccBucket_createFailureLeavesNothingBehind fails one setup call after CreateBucket. The provider
// must delete the half-made bucket; when it cannot, the bucket is tainted and replaced on the next apply.
func TestAccBucket_createFailureLeavesNothingBehind(t *testing.T) {
	t.Run("rolled back", func(t *testing.T) {
		name := acctest.BucketName()
		proxy := acctest.NewFaultProxy(t, acctest.S3Call("PUT", "lifecycle"))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			Steps: []resource.TestStep{{
				Config: acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + acctest.BucketResources(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name)),
				ExpectError: regexp.MustCompile(`(?s)Cannot create bucket ` + name + `.*s3:PutBucketLifecycleConfiguration\s+failed.*deleted the\s+half-made bucket.*AccessDenied`),
			}},
			CheckDestroy: func(s *terraform.State) error {
				if proxy.Failed() == 0 {
					return fmt.Errorf("no request was failed; the test proves nothing")
				}
				return acctest.CheckBucketGone(t, name)(s)
			},
		})
	})
	t.Run("tainted when the rollback fails", func(t *testing.T) {
		name := acctest.BucketName()
		failLifecycle, failDelete := acctest.S3Call("PUT", "lifecycle"), acctest.S3Call("DELETE", "")
		proxy := acctest.NewFaultProxy(t, func(r *http.Request) bool { return failLifecycle(r) || failDelete(r) })
		config := acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + acctest.BucketResources(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{
				{
					Config:      config,
					ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot create bucket.*deleting the half-made bucket failed too.*saved in the state as tainted`)),
				},
				{
					// The faults are over: the tainted bucket is known to Terraform and replaced.
					PreConfig: proxy.Disable,
					Config:    config,
					ConfigPlanChecks: resource.ConfigPlanChecks{
						PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
					},
					Check: checkBucketInEmulator(t, name, 30, nil, map[string]string{}),
				},
			},
		})
	})
}

func TestAccBucket_destroyWithObjects(t *testing.T) {
	t.Run("refused without force_destroy", func(t *testing.T) {
		name := acctest.BucketName()
		config := acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						acctest.PutObject(t, name, "customers.csv", "v1", nil)
						acctest.PutObject(t, name, "customers.csv", "v2", nil)
					},
					Config:  config,
					Destroy: true,
					// The plan stops before anything is touched.
					ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Destroying the bucket would erase personal data.*Bucket "` + name + `" holds 2 object versions and force_destroy is false.*set on_replace = "move_data" with bucket_prefix and lifecycle \{ create_before_destroy = true \}`)),
				},
				{
					// Nothing was lost. Empty the bucket deliberately; then destroy works.
					PreConfig: func() {
						if v, _ := acctest.Versions(t, name); v != 2 {
							t.Fatalf("bucket holds %d versions after the refused destroy, want 2: data was lost", v)
						}
						acctest.EmptyBucket(t, name)
					},
					Config: config,
				},
			},
		})
	})
	t.Run("force_destroy removes versions and delete markers", func(t *testing.T) {
		name := acctest.BucketName()
		config := acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  force_destroy   = true
  object_lock     = { mode = "GOVERNANCE", days = 1 }
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						for i := range 3 {
							acctest.PutObject(t, name, fmt.Sprintf("records/%d.json", i), "{}", func(in *s3.PutObjectInput) {
								in.ObjectLockMode = s3types.ObjectLockModeGovernance
								in.ObjectLockRetainUntilDate = aws.Time(time.Now().Add(24 * time.Hour))
							})
						}
						if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &name, Key: aws.String("records/0.json")}); err != nil {
							t.Fatal(err)
						}
						if v, m := acctest.Versions(t, name); v != 3 || m != 1 {
							t.Fatalf("bucket holds %d versions and %d delete markers, want 3 and 1", v, m)
						}
					},
					Config:  config,
					Destroy: true,
				},
			},
		})
	})
	t.Run("COMPLIANCE retention stops destroy and names the date", func(t *testing.T) {
		name := acctest.BucketName()
		config := acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  force_destroy   = true
  object_lock     = { mode = "COMPLIANCE", days = 2 }
`, name))
		// The bucket's default retention holds each version for two days from when it is written; the
		// expected date is known only once the objects are, so the step's pattern is filled in then.
		expect := regexp.MustCompile(`not yet known`)
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             acctest.CheckBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						before := time.Now().Add(48 * time.Hour).UTC()
						acctest.PutObject(t, name, "records.csv", "x", nil)
						acctest.PutObject(t, name, "records.csv", "y", nil)
						after := time.Now().Add(48 * time.Hour).UTC()
						*expect = *regexp.MustCompile(`(?s)Bucket cannot be destroyed.*whatever\s+force_destroy\s+says:\s+2\s+object\s+version\(s\),\s+such\s+as\s+"records.csv".*COMPLIANCE\s+mode\s+until\s+(` +
							before.Format("2006-01-02T15:04") + `|` + after.Format("2006-01-02T15:04") + `)`)
					},
					Config:      config,
					Destroy:     true,
					ExpectError: expect,
				},
				{
					PreConfig: func() {
						if v, _ := acctest.Versions(t, name); v != 2 {
							t.Fatalf("bucket holds %d versions after the refused destroy, want 2: data was lost", v)
						}
						// Real S3 never shortens COMPLIANCE retention; the emulator lets the test end it so the
						// bucket can be cleaned up.
						removeLockedBucket(t, name)
					},
					Config:  config,
					Destroy: true,
				},
			},
		})
	})
}
