package bucket_test

import (
	"context"
	"fmt"
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

func TestAccBucket_basic(t *testing.T) {
	name := acctest.BucketName()
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{
				Config: acctest.BucketConfig(fmt.Sprintf(`
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
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{{
			Config: acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 45
  object_lock     = { mode = "GOVERNANCE", days = 10 }
`, name)),
			Check: checkBucketInEmulator(t, name, 45, &s3types.DefaultRetention{Mode: s3types.ObjectLockRetentionModeGovernance, Days: aws.Int32(10)}, map[string]string{}),
		}},
	})
}

// TestAccBucket_everyArgumentForcesReplacement changes each argument in turn: each plans a replacement,
// except force_destroy, which is an update of the state alone.
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
  noncurrent_version_days = 7`, second)},
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
		step := resource.TestStep{Config: acctest.BucketConfig("  " + s.body)}
		if i > 0 {
			action := plancheck.ResourceActionReplace
			if strings.HasSuffix(s.body, "force_destroy = true") {
				// force_destroy governs only the destroy: it is updated in the state alone.
				action = plancheck.ResourceActionUpdate
			}
			step.ConfigPlanChecks = resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, action)},
			}
		}
		testSteps = append(testSteps, step)
	}
	// A new key means new encryption: the bucket is replaced along with the key it is encrypted under.
	testSteps = append(testSteps, resource.TestStep{
		Config: acctest.ProviderConfig(acctest.Region, "") + strings.Replace(acctest.BucketResources("  "+steps[len(steps)-1].body),
			`description          = "bucket tests"`, `description          = "bucket tests, new key"`, 1),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionReplace)},
		},
		Check: acctest.CheckBucketGone(t, first),
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
					return acctest.CheckBucketGone(t, names[0])(s)
				}),
			},
		},
	})
}

// TestAccBucket_requests counts what a bucket costs. Apply: ListBuckets twice, looking for buckets with the
// prefix that an interrupted apply left half-made, once by the plan and once by the create (each subtest has
// a prefix of its own, so there are none whose tags to read), CreateBucket (which also disables ACLs and writes the creation marker), one PUT per
// setting the configuration needs, and the tags last, which replace the marker (a DELETE without tags);
// nothing read back; and the account for the bucket's identity (see bucketRefreshRequests). Refresh: one GET
// per enforced setting.
func TestAccBucket_requests(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-3"
	key := "arn:aws:kms:" + region + ":123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	floor := []string{"s3:GET?prefix", "s3:GET?prefix", "s3:PUT", "s3:PUT?versioning", "s3:PUT?publicAccessBlock", "s3:PUT?encryption",
		"s3:PUT?lifecycle", "s3:PUT?policy", "sts:GetCallerIdentity"}
	for _, tc := range []struct {
		name, body string
		apply      []string
	}{
		{"minimal", "expiration_days = 30", append(slices.Clone(floor), "s3:DELETE?tagging")},
		{"object_lock_and_tags", `expiration_days = 30
  object_lock     = { mode = "GOVERNANCE", days = 1 }
  tags            = { purpose = "requests" }`, append(slices.Clone(floor), "s3:PUT?object-lock", "s3:PUT?tagging")},
		// A bucket made to receive data lists the prefix once more, to name the bucket it replaces (there is
		// none here), and is tagged as awaiting data.
		{"move_data", `expiration_days = 30
  on_replace      = "move_data"`, append(slices.Clone(floor), "s3:GET?prefix", "s3:PUT?tagging")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apply, refresh := acctest.Requests(t, region, fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket_prefix   = "gdpr-requests-%s-"
  kms_key_arn     = %q
  %s
}`, strings.ReplaceAll(tc.name, "_", "-"), key, tc.body))
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
		"minimal": {Name: acctest.BucketName(), KMSKeyARN: key, ExpirationDays: 30, NoncurrentVersionDays: 1},
		"object_lock_tags_and_noncurrent_days": {Name: acctest.BucketName(), KMSKeyARN: key, ExpirationDays: 90, NoncurrentVersionDays: 30,
			ObjectLock: &awsapi.ObjectLock{Mode: "COMPLIANCE", Days: 3}, Tags: map[string]string{"purpose": "crm", "team": "support"}},
	} {
		t.Run(scenario, func(t *testing.T) {
			body := fmt.Sprintf("bucket = %q\n  kms_key_arn = %q\n  expiration_days = %d\n  force_destroy = true\n", in.Name, key, in.ExpirationDays)
			if in.NoncurrentVersionDays != 1 {
				body += fmt.Sprintf("  noncurrent_version_days = %d\n", in.NoncurrentVersionDays)
			}
			if in.ObjectLock != nil {
				// The bucket never holds an object, so even COMPLIANCE retention lets it be destroyed.
				body += fmt.Sprintf("  object_lock = { mode = %q, days = %d }\n", in.ObjectLock.Mode, in.ObjectLock.Days)
			}
			if len(in.Tags) > 0 {
				body += "  tags = { purpose = \"crm\", team = \"support\" }\n"
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				CheckDestroy:             acctest.CheckBucketGone(t, in.Name),
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
		CheckDestroy:             acctest.CheckBucketGone(t, name),
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

// TestCheckTLSOnlyPolicy proves the acceptance tests' policy check compares the whole policy by meaning:
// the same document reformatted passes, and one that allows, or grants a little less, fails.
func TestCheckTLSOnlyPolicy(t *testing.T) {
	const name = "records"
	arn := awsapi.BucketARN(name, acctest.Region)
	reformatted := `{"Statement":[{"Condition":{"Bool":{"aws:SecureTransport":"false"}},"Resource":["` + arn + `","` + arn + `/*"],
		"Action":"s3:*","Principal":"*","Effect":"Deny","Sid":"DenyInsecureTransport"}],"Version":"2012-10-17"}`
	if err := checkTLSOnlyPolicy(reformatted, name, acctest.Region); err != nil {
		t.Fatalf("the policy reformatted: %v", err)
	}
	for what, edit := range map[string][2]string{
		"allows":            {`"Effect":"Deny"`, `"Effect":"Allow"`},
		"objects only":      {`"` + arn + `",`, ``},
		"reads only":        {`"s3:*"`, `"s3:GetObject"`},
		"TLS requests only": {`"aws:SecureTransport":"false"`, `"aws:SecureTransport":"true"`},
	} {
		if err := checkTLSOnlyPolicy(strings.Replace(reformatted, edit[0], edit[1], 1), name, acctest.Region); err == nil {
			t.Errorf("a policy that %s passed", what)
		}
	}
}
