package provider_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

const bucketAddr = "gdpr_bucket.test"

// bucketConfig is a key and a bucket encrypted under it; body goes inside the bucket block.
func bucketConfig(body string) string {
	return acctest.ProviderConfig(acctest.Region, "") + bucketResources(body)
}

func bucketResources(body string) string {
	return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "bucket tests"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  kms_key_arn = gdpr_key.test.arn
%s
}
`, body)
}

// bucketExists tells whether the emulator holds the bucket.
func bucketExists(t *testing.T, name string) (bool, error) {
	_, err := acctest.S3(t, acctest.Region).HeadBucket(context.Background(), &s3.HeadBucketInput{Bucket: &name})
	if awsapi.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

func checkBucketGone(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		exists, err := bucketExists(t, name)
		if err != nil {
			return err
		}
		if exists {
			return fmt.Errorf("bucket %s still exists", name)
		}
		return nil
	}
}

// checkBucketInEmulator asks S3 directly whether the bucket has every enforced setting and the arguments.
func checkBucketInEmulator(t *testing.T, name string, expirationDays int32, lock *s3types.DefaultRetention, tags map[string]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		c := acctest.S3(t, acctest.Region)
		b := aws.String(name)
		keyARN := s.RootModule().Resources["gdpr_key.test"].Primary.Attributes["arn"]

		ver, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("versioning: %w", err)
		}
		if ver.Status != s3types.BucketVersioningStatusEnabled {
			return fmt.Errorf("versioning = %s, want Enabled", ver.Status)
		}
		enc, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("encryption: %w", err)
		}
		rule := enc.ServerSideEncryptionConfiguration.Rules[0]
		if rule.ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms ||
			aws.ToString(rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID) != keyARN || !aws.ToBool(rule.BucketKeyEnabled) {
			return fmt.Errorf("encryption = %+v, want aws:kms with %s and bucket keys", rule.ApplyServerSideEncryptionByDefault, keyARN)
		}
		lc, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("lifecycle: %w", err)
		}
		r := lc.Rules[0]
		if len(lc.Rules) != 1 || r.Status != s3types.ExpirationStatusEnabled || aws.ToInt32(r.Expiration.Days) != expirationDays ||
			aws.ToInt32(r.NoncurrentVersionExpiration.NoncurrentDays) != 1 || aws.ToInt32(r.AbortIncompleteMultipartUpload.DaysAfterInitiation) != 1 {
			return fmt.Errorf("lifecycle rules = %+v, want one expiring after %d days, noncurrent after 1, uploads after 1", lc.Rules, expirationDays)
		}
		pab, err := c.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("public access block: %w", err)
		}
		p := pab.PublicAccessBlockConfiguration
		if !aws.ToBool(p.BlockPublicAcls) || !aws.ToBool(p.BlockPublicPolicy) || !aws.ToBool(p.IgnorePublicAcls) || !aws.ToBool(p.RestrictPublicBuckets) {
			return fmt.Errorf("public access block = %+v, want all four on", p)
		}
		own, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("ownership: %w", err)
		}
		if got := own.OwnershipControls.Rules[0].ObjectOwnership; got != s3types.ObjectOwnershipBucketOwnerEnforced {
			return fmt.Errorf("ownership = %s, want BucketOwnerEnforced", got)
		}
		pol, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b})
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		if !strings.Contains(aws.ToString(pol.Policy), `"aws:SecureTransport":"false"`) {
			return fmt.Errorf("policy = %s, want one denying requests without TLS", aws.ToString(pol.Policy))
		}
		lockCfg, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
		switch {
		case lock == nil && err == nil && lockCfg.ObjectLockConfiguration != nil && lockCfg.ObjectLockConfiguration.ObjectLockEnabled == s3types.ObjectLockEnabledEnabled:
			return errors.New("object lock is enabled, want none")
		case lock != nil && err != nil:
			return fmt.Errorf("object lock: %w", err)
		case lock != nil:
			got := lockCfg.ObjectLockConfiguration.Rule.DefaultRetention
			if got.Mode != lock.Mode || aws.ToInt32(got.Days) != aws.ToInt32(lock.Days) {
				return fmt.Errorf("default retention = %s %d days, want %s %d days", got.Mode, aws.ToInt32(got.Days), lock.Mode, aws.ToInt32(lock.Days))
			}
		}
		tagOut, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		if len(tags) > 0 && err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		got := map[string]string{}
		if err == nil {
			for _, tag := range tagOut.TagSet {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(tags) {
			return fmt.Errorf("tags = %v, want %v", got, tags)
		}
		return nil
	}
}

func TestAccBucket_basic(t *testing.T) {
	name := acctest.BucketName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBucketGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: bucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  tags            = { purpose = "crm" }
`, name)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("id"), knownvalue.StringExact(name)),
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("arn"), knownvalue.StringExact("arn:aws:s3:::"+name)),
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("force_destroy"), knownvalue.Bool(false)),
				},
				Check: checkBucketInEmulator(t, name, 30, nil, map[string]string{"purpose": "crm"}),
			},
			{
				ResourceName:      bucketAddr,
				ImportState:       true,
				ImportStateVerify: true,
			},
		},
	})
}

func TestAccBucket_objectLock(t *testing.T) {
	name := acctest.BucketName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: bucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 45
  object_lock     = { mode = "GOVERNANCE", days = 10 }
`, name)),
			Check: checkBucketInEmulator(t, name, 45, &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeGovernance, Days: aws.Int32(10)}, map[string]string{}),
		}},
	})
}

func TestAccBucket_everyArgumentForcesReplacement(t *testing.T) {
	first, second := acctest.BucketName(), acctest.BucketName()
	steps := []struct{ body string }{
		{fmt.Sprintf(`bucket = %q
  expiration_days = 30`, first)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 30`, second)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 31`, second)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 31
  object_lock = { mode = "GOVERNANCE", days = 1 }`, second)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 31
  object_lock = { mode = "GOVERNANCE", days = 2 }`, second)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 31
  object_lock = { mode = "GOVERNANCE", days = 2 }
  force_destroy = true`, second)},
		{fmt.Sprintf(`bucket = %q
  expiration_days = 31
  object_lock = { mode = "GOVERNANCE", days = 2 }
  force_destroy = true
  tags = { a = "b" }`, second)},
	}
	var testSteps []resource.TestStep
	for i, s := range steps {
		step := resource.TestStep{Config: bucketConfig("  " + s.body)}
		if i > 0 {
			step.ConfigPlanChecks = resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
			}
		}
		testSteps = append(testSteps, step)
	}
	// A new key means new encryption: the bucket is replaced along with the key it is encrypted under.
	testSteps = append(testSteps, resource.TestStep{
		Config: acctest.ProviderConfig(acctest.Region, "") + strings.Replace(bucketResources("  "+steps[len(steps)-1].body),
			`description          = "bucket tests"`, `description          = "bucket tests, new key"`, 1),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
		},
		Check: checkBucketGone(t, first),
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    testSteps,
	})
}

func TestAccBucket_prefixCreatesBeforeDestroying(t *testing.T) {
	config := func(prefix string) string {
		return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description = "prefix tests"
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = %q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 7

  lifecycle {
    create_before_destroy = true
  }
}
`, prefix)
	}
	var names []string
	capture := func(s *terraform.State) error {
		names = append(names, s.RootModule().Resources[bucketAddr].Primary.ID)
		return nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config("gdpr-old-"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("bucket"), knownvalue.StringRegexp(regexp.MustCompile(`^gdpr-old-\d{14}[a-z0-9]{6}$`))),
				},
				Check: capture,
			},
			{
				Config: config("gdpr-new-"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: resource.ComposeTestCheckFunc(capture, func(s *terraform.State) error {
					if !strings.HasPrefix(names[1], "gdpr-new-") {
						return fmt.Errorf("new bucket %s does not have the new prefix", names[1])
					}
					return checkBucketGone(t, names[0])(s)
				}),
			},
		},
	})
}

// bucketRefreshRequests is what a refresh of one bucket costs: one GET per enforced setting, no HeadBucket.
var bucketRefreshRequests = []string{
	"s3:GET?versioning", "s3:GET?encryption", "s3:GET?lifecycle", "s3:GET?object-lock",
	"s3:GET?publicAccessBlock", "s3:GET?ownershipControls", "s3:GET?policy", "s3:GET?tagging",
}

// TestAccBucket_requests counts what a bucket costs. Apply: CreateBucket (which also disables ACLs) and one
// PUT per setting the configuration needs, nothing read back. Refresh: one GET per enforced setting.
func TestAccBucket_requests(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-3"
	key := "arn:aws:kms:" + region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	floor := []string{"s3:PUT", "s3:PUT?versioning", "s3:PUT?publicAccessBlock", "s3:PUT?encryption",
		"s3:PUT?lifecycle", "s3:PUT?policy"}
	for _, tc := range []struct {
		name, body string
		apply      []string
	}{
		{"minimal", "expiration_days = 30", floor},
		{"object_lock_and_tags", `expiration_days = 30
  object_lock     = { mode = "GOVERNANCE", days = 1 }
  tags            = { purpose = "requests" }`, append(slices.Clone(floor), "s3:PUT?object-lock", "s3:PUT?tagging")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apply, refresh := acctest.Requests(t, region, fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket_prefix   = "gdpr-requests-"
  kms_key_arn     = %q
  %s
}`, key, tc.body))
			acctest.CheckRequests(t, "apply", apply, tc.apply)
			acctest.CheckRequests(t, "refresh", refresh, bucketRefreshRequests)
		})
	}
}

// TestAccBucket_createdIsWhatS3Reports creates buckets through the provider, which saves the bucket its
// input implies instead of reading it back, and checks that ReadBucket then reports exactly that bucket,
// field by field (the policy by meaning), so the two cannot drift apart.
func TestAccBucket_createdIsWhatS3Reports(t *testing.T) {
	key := "arn:aws:kms:" + acctest.Region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for scenario, in := range map[string]awsapi.BucketInput{
		"minimal": {Name: acctest.BucketName(), KMSKeyARN: key, ExpirationDays: 30},
		"object_lock_and_tags": {Name: acctest.BucketName(), KMSKeyARN: key, ExpirationDays: 90,
			ObjectLock: &awsapi.ObjectLock{Mode: "COMPLIANCE", Days: 3}, Tags: map[string]string{"purpose": "crm", "team": "support"}},
	} {
		t.Run(scenario, func(t *testing.T) {
			body := fmt.Sprintf("bucket = %q\n  kms_key_arn = %q\n  expiration_days = %d\n  force_destroy = true\n", in.Name, key, in.ExpirationDays)
			if in.ObjectLock != nil {
				// The bucket never holds an object, so even COMPLIANCE retention lets it be destroyed.
				body += fmt.Sprintf("  object_lock = { mode = %q, days = %d }\n", in.ObjectLock.Mode, in.ObjectLock.Days)
			}
			if len(in.Tags) > 0 {
				body += "  tags = { purpose = \"crm\", team = \"support\" }\n"
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             checkBucketGone(t, in.Name),
				Steps: []resource.TestStep{{
					Config: acctest.ProviderConfig(acctest.Region, "") + "resource \"gdpr_bucket\" \"test\" {\n  " + body + "}\n",
					Check: func(*terraform.State) error {
						c := acctest.EmulatorClients(t, acctest.Region)
						got, err := c.ReadBucket(context.Background(), in.Name)
						if err != nil {
							return err
						}
						got.Region = c.Region
						return sameBucket(got, in.Created(c.Region))
					},
				}},
			})
		})
	}
}

// sameBucket compares two buckets field by field, the policy by meaning.
func sameBucket(got, want *awsapi.Bucket) error {
	var gotPolicy, wantPolicy any
	if err := json.Unmarshal([]byte(got.Policy), &gotPolicy); err != nil {
		return fmt.Errorf("policy %q: %w", got.Policy, err)
	}
	if err := json.Unmarshal([]byte(want.Policy), &wantPolicy); err != nil {
		return fmt.Errorf("policy %q: %w", want.Policy, err)
	}
	if !reflect.DeepEqual(gotPolicy, wantPolicy) {
		return fmt.Errorf("S3 reports the policy %s, the create implies %s", got.Policy, want.Policy)
	}
	g, w := *got, *want
	g.Policy, w.Policy = "", ""
	if !reflect.DeepEqual(g, w) {
		return fmt.Errorf("S3 reports\n%s\nthe create implies\n%s", dump(g), dump(w))
	}
	return nil
}

func dump(b awsapi.Bucket) string {
	out, _ := json.Marshal(b)
	return string(out)
}

// TestAccBucket_deletedOutsideTerraform deletes a bucket behind Terraform's back: the refresh, whose reads
// all run at once, must see it gone (not fail), and the plan must create it again.
func TestAccBucket_deletedOutsideTerraform(t *testing.T) {
	name := acctest.BucketName()
	key := "arn:aws:kms:" + acctest.Region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	config := acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket          = %q
  kms_key_arn     = %q
  expiration_days = 30
  tags            = { purpose = "crm" }
}`, name, key)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkBucketGone(t, name),
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() {
					c := acctest.EmulatorClients(t, acctest.Region)
					if _, err := acctest.S3(t, acctest.Region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name}); err != nil {
						t.Fatal(err)
					}
					// Every read of a missing bucket is a not-found error, whichever GET answers first.
					for range 20 {
						if _, err := c.ReadBucket(context.Background(), name); !awsapi.IsNotFound(err) {
							t.Fatalf("ReadBucket of a deleted bucket: %v, want a not-found error", err)
						}
						if _, err := c.BucketRetention(context.Background(), name); !awsapi.IsNotFound(err) {
							t.Fatalf("BucketRetention of a deleted bucket: %v, want a not-found error", err)
						}
					}
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionCreate)},
				},
			},
		},
	})
}
