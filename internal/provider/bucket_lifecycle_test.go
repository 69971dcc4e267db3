package provider_test

import (
	"bytes"
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
	config := bucketConfig(fmt.Sprintf(`
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
		CheckDestroy:             checkBucketGone(t, name),
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
	config := bucketConfig(`
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
					return checkBucketGone(t, names[0])(s)
				}),
			},
		},
	})
}

func captureBucket(names *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		*names = append(*names, s.RootModule().Resources[bucketAddr].Primary.ID)
		return nil
	}
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
		CheckDestroy:             checkBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: bucketConfig(fmt.Sprintf(`
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
				Config: acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + bucketResources(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name)),
				ExpectError: regexp.MustCompile(`(?s)Cannot create bucket ` + name + `.*s3:PutBucketLifecycleConfiguration\s+failed.*deleted the\s+half-made bucket.*AccessDenied`),
			}},
			CheckDestroy: func(s *terraform.State) error {
				if proxy.Failed() == 0 {
					return fmt.Errorf("no request was failed; the test proves nothing")
				}
				return checkBucketGone(t, name)(s)
			},
		})
	})
	t.Run("tainted when the rollback fails", func(t *testing.T) {
		name := acctest.BucketName()
		failLifecycle, failDelete := acctest.S3Call("PUT", "lifecycle"), acctest.S3Call("DELETE", "")
		proxy := acctest.NewFaultProxy(t, func(r *http.Request) bool { return failLifecycle(r) || failDelete(r) })
		config := acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + bucketResources(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             checkBucketGone(t, name),
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

// The emulator does not evaluate policy conditions: it applies the bucket's TLS-only deny to every object
// request, over TLS or not. Tests that touch objects therefore lift the policy around their own object
// calls and restore it, so the provider still sees a compliant bucket.
func withoutPolicy(t *testing.T, bucket string, fn func()) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("reading the policy of %s: %v", bucket, err)
	}
	liftPolicy(t, bucket)
	fn()
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: pol.Policy}); err != nil {
		t.Fatalf("restoring the policy of %s: %v", bucket, err)
	}
}

// liftPolicy removes the bucket policy for the rest of a test, before a destroy whose per-object calls the
// emulator would otherwise refuse (see withoutPolicy). A destroy is not affected by the drift this causes.
func liftPolicy(t *testing.T, bucket string) {
	t.Helper()
	if _, err := acctest.S3(t, acctest.Region).DeleteBucketPolicy(context.Background(), &s3.DeleteBucketPolicyInput{Bucket: &bucket}); err != nil {
		t.Fatalf("lifting the policy of %s: %v", bucket, err)
	}
}

func putObject(t *testing.T, bucket, key, body string, mutate func(*s3.PutObjectInput)) {
	t.Helper()
	// S3 wants a checksum on uploads to a bucket with Object Lock.
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte(body)),
		ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256}
	if mutate != nil {
		mutate(in)
	}
	if _, err := acctest.S3(t, acctest.Region).PutObject(context.Background(), in); err != nil {
		t.Fatalf("putting %s/%s: %v", bucket, key, err)
	}
}

func versions(t *testing.T, bucket string) (versions, deleteMarkers int) {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{Bucket: &bucket})
	if err != nil {
		t.Fatalf("listing %s: %v", bucket, err)
	}
	return len(out.Versions), len(out.DeleteMarkers)
}

func TestAccBucket_destroyWithObjects(t *testing.T) {
	t.Run("refused without force_destroy", func(t *testing.T) {
		name := acctest.BucketName()
		config := bucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             checkBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						withoutPolicy(t, name, func() {
							putObject(t, name, "customers.csv", "v1", nil)
							putObject(t, name, "customers.csv", "v2", nil)
						})
					},
					Config:  config,
					Destroy: true,
					// The plan stops before anything is touched.
					ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Destroying the bucket would erase personal data.*Bucket "` + name + `" holds 2 object versions and force_destroy is false.*bucket_prefix with lifecycle \{ create_before_destroy = true \}`)),
				},
				{
					// Nothing was lost. Empty the bucket deliberately; then destroy works.
					PreConfig: func() {
						withoutPolicy(t, name, func() {
							if v, _ := versions(t, name); v != 2 {
								t.Fatalf("bucket holds %d versions after the refused destroy, want 2: data was lost", v)
							}
							emptyBucket(t, name)
						})
					},
					Config: config,
				},
			},
		})
	})
	t.Run("force_destroy removes versions and delete markers", func(t *testing.T) {
		name := acctest.BucketName()
		config := bucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  force_destroy   = true
  object_lock     = { mode = "GOVERNANCE", days = 1 }
`, name))
		resource.ParallelTest(t, resource.TestCase{
			ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
			CheckDestroy:             checkBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						withoutPolicy(t, name, func() {
							for i := range 3 {
								putObject(t, name, fmt.Sprintf("records/%d.json", i), "{}", func(in *s3.PutObjectInput) {
									in.ObjectLockMode = s3types.ObjectLockModeGovernance
									in.ObjectLockRetainUntilDate = aws.Time(time.Now().Add(24 * time.Hour))
								})
							}
							if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &name, Key: aws.String("records/0.json")}); err != nil {
								t.Fatal(err)
							}
						})
						if v, m := versions(t, name); v != 3 || m != 1 {
							t.Fatalf("bucket holds %d versions and %d delete markers, want 3 and 1", v, m)
						}
						liftPolicy(t, name)
					},
					Config:  config,
					Destroy: true,
				},
			},
		})
	})
	t.Run("COMPLIANCE retention stops destroy and names the date", func(t *testing.T) {
		name := acctest.BucketName()
		config := bucketConfig(fmt.Sprintf(`
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
			CheckDestroy:             checkBucketGone(t, name),
			Steps: []resource.TestStep{
				{Config: config},
				{
					PreConfig: func() {
						liftPolicy(t, name)
						before := time.Now().Add(48 * time.Hour).UTC()
						putObject(t, name, "records.csv", "x", nil)
						putObject(t, name, "records.csv", "y", nil)
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
						if v, _ := versions(t, name); v != 2 {
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

// removeLockedBucket ends the retention of every version, which only the emulator allows in COMPLIANCE
// mode, and deletes the versions and the bucket.
func removeLockedBucket(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Versions {
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
	if _, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
}

// emptyBucket deletes every version in the bucket.
func emptyBucket(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	out, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: &name})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out.Versions {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &name, Key: v.Key, VersionId: v.VersionId}); err != nil {
			t.Fatal(err)
		}
	}
}
