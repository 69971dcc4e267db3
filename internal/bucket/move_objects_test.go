package bucket_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
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

// Tests of the objects a move must carry as they are, or refuse at plan: keys with characters XML cannot
// carry, archived objects, objects encrypted with the customer's key, and what a copy would otherwise change.

// hostileKeys are keys an S3 listing cannot carry in XML as they are: control characters (U+0001, U+001F), a
// carriage return (which XML reads as a line feed), next to keys whose URL encoding must not be decoded twice
// (a '+', a space, a '%41').
var hostileKeys = []string{
	"ctl/\x01start",
	"ctl/unit\x1fseparator",
	"ctl/carriage\rreturn",
	"ctl/plus+and space",
	"ctl/percent%41",
	"plain.txt",
}

// objectBodies reads every key of keys from bucket and returns its content; a key that cannot be read fails
// the test's check.
func objectBodies(t *testing.T, bucket string, keys []string) (map[string]string, error) {
	bodies := map[string]string{}
	for _, k := range keys {
		out, err := acctest.S3(t, acctest.Region).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
		if err != nil {
			return nil, fmt.Errorf("getting %q from %s: %w", k, bucket, err)
		}
		b, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil {
			return nil, err
		}
		bodies[k] = string(b)
	}
	return bodies, nil
}

// TestAccBucket_moveCarriesKeysWithControlCharacters: keys with control characters must move byte-exact,
// each with its content, and the old bucket must be emptied and deleted; the plan must read the bucket too.
func TestAccBucket_moveCarriesKeysWithControlCharacters(t *testing.T) {
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					for _, k := range hostileKeys {
						acctest.PutObject(t, names[0], k, "body of "+k, nil)
					}
				},
				Config: moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					versions, markers := acctest.AllVersions(t, names[1])
					var got []string
					for _, v := range versions {
						got = append(got, aws.ToString(v.Key))
					}
					slices.Sort(got)
					want := slices.Sorted(slices.Values(hostileKeys))
					if !slices.Equal(got, want) || len(markers) != 0 {
						return fmt.Errorf("bucket %s lists keys %q and %d delete markers, want exactly %q", names[1], got, len(markers), want)
					}
					bodies, err := objectBodies(t, names[1], hostileKeys)
					if err != nil {
						return err
					}
					for _, k := range hostileKeys {
						if bodies[k] != "body of "+k {
							return fmt.Errorf("object %q holds %q, want %q", k, bodies[k], "body of "+k)
						}
					}
					return nil
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}

// putArchived writes an object in storage class class; restored, it also restores it, as a user would
// before a move (the emulator restores at once).
func putArchived(t *testing.T, bucket, key string, class s3types.StorageClass, restored bool) {
	t.Helper()
	acctest.PutObject(t, bucket, key, "archived "+key, func(in *s3.PutObjectInput) { in.StorageClass = class })
	if !restored {
		return
	}
	if _, err := acctest.S3(t, acctest.Region).RestoreObject(context.Background(), &s3.RestoreObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), RestoreRequest: &s3types.RestoreRequest{Days: aws.Int32(1)},
	}); err != nil {
		t.Fatalf("restoring %s: %v", key, err)
	}
}

// TestAccBucket_moveKeepsStorageClassAndRedirect: a copy made without saying so lands in STANDARD and
// loses its website redirect; the move must keep both, for objects copied whole and in parts, and must carry
// a restored GLACIER object, which S3 can copy, into GLACIER. The other headers a copy in parts must be given
// (Cache-Control, Content-Disposition, Expires) arrive too.
func TestAccBucket_moveKeepsStorageClassAndRedirect(t *testing.T) {
	prefix := movePrefix()
	var names []string
	classes := map[string]s3types.StorageClass{
		"ia.txt":          s3types.StorageClassStandardIa,
		"onezone.txt":     s3types.StorageClassOnezoneIa,
		"glacier-ir.txt":  s3types.StorageClassGlacierIr,
		"tiering.txt":     s3types.StorageClassIntelligentTiering,
		"restored.txt":    s3types.StorageClassGlacier,
		"standard.txt":    "",
		"redirect.html":   "",
		"big/ia-part.bin": s3types.StorageClassStandardIa,
	}
	expires := time.Date(2031, 1, 2, 3, 4, 5, 0, time.UTC)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					for k, class := range classes {
						switch k {
						case "restored.txt":
							putArchived(t, names[0], k, class, true)
						case "redirect.html":
							acctest.PutObject(t, names[0], k, "<p>moved</p>", func(in *s3.PutObjectInput) {
								in.WebsiteRedirectLocation, in.CacheControl, in.ContentDisposition = aws.String("/elsewhere.html"), aws.String("max-age=60"), aws.String("inline")
							})
						case "big/ia-part.bin":
							// Above the multipart threshold TestMain sets, so it is copied in parts.
							acctest.PutObject(t, names[0], k, strings.Repeat("p", 7<<20), func(in *s3.PutObjectInput) {
								in.StorageClass, in.WebsiteRedirectLocation, in.Expires = class, aws.String("/big.html"), &expires //nolint:staticcheck // the field PutObject takes
								in.CacheControl, in.ContentDisposition = aws.String("max-age=60"), aws.String("inline")
							})
						default:
							acctest.PutObject(t, names[0], k, "body of "+k, func(in *s3.PutObjectInput) { in.StorageClass = class })
						}
					}
				},
				Config: moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					for k, class := range classes {
						out, err := acctest.S3(t, acctest.Region).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(names[1]), Key: aws.String(k)})
						if err != nil {
							return fmt.Errorf("object %s in %s: %w", k, names[1], err)
						}
						if out.StorageClass != class {
							return fmt.Errorf("object %s arrived in storage class %q, want %q, the class it had", k, out.StorageClass, class)
						}
						want := map[string]string{"redirect.html": "/elsewhere.html", "big/ia-part.bin": "/big.html"}[k]
						if got := aws.ToString(out.WebsiteRedirectLocation); got != want {
							return fmt.Errorf("object %s arrived with website redirect %q, want %q", k, got, want)
						}
						if want != "" && (aws.ToString(out.CacheControl) != "max-age=60" || aws.ToString(out.ContentDisposition) != "inline") {
							return fmt.Errorf("object %s arrived with Cache-Control %q and Content-Disposition %q, want max-age=60 and inline",
								k, aws.ToString(out.CacheControl), aws.ToString(out.ContentDisposition))
						}
						if k == "big/ia-part.bin" && (out.Expires == nil || !out.Expires.Equal(expires)) { //nolint:staticcheck // the field HeadObject parses
							return fmt.Errorf("object %s copied in parts arrived with Expires %v, want %v", k, out.Expires, expires) //nolint:staticcheck // as above
						}
					}
					return nil
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}

// TestAccBucket_moveOfArchivedObjectsFailsAtPlan: objects in GLACIER or DEEP_ARCHIVE that are not restored
// cannot be copied, so the plan must refuse the move, naming the first ten and counting the rest, and say
// how to restore them; a restored one and a GLACIER_IR one, which S3 copies, are not named. Nothing is touched.
func TestAccBucket_moveOfArchivedObjectsFailsAtPlan(t *testing.T) {
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					for i := range 11 {
						putArchived(t, names[0], fmt.Sprintf("cold/%02d.csv", i), s3types.StorageClassGlacier, false)
					}
					putArchived(t, names[0], "cold/deep.csv", s3types.StorageClassDeepArchive, false)
					putArchived(t, names[0], "a-restored.csv", s3types.StorageClassGlacier, true)
					putArchived(t, names[0], "a-instant.csv", s3types.StorageClassGlacierIr, false)
					acctest.PutObject(t, names[0], "a-standard.csv", "warm", nil)
				},
				Config:   moveConfig("", prefix, "move tests", 31, true),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Bucket holds archived objects that cannot move.*12 object\(s\) are archived.*` +
					`"cold/00.csv" \(GLACIER\).*"cold/09.csv" \(GLACIER\) and 2 more.*restore-object.*ongoing-request="false"`),
			},
			{
				PreConfig: func() {
					if v, _ := acctest.Versions(t, names[0]); v != 15 {
						t.Fatalf("bucket %s holds %d versions after the refused plan, want its 15", names[0], v)
					}
					if got := bucketNames(t, prefix); len(got) != 1 {
						t.Fatalf("buckets with the prefix after the refused plan: %v, want the old one alone", got)
					}
					acctest.EmptyBucket(t, names[0])
				},
				Config: moveConfig("", prefix, "move tests", 30, true),
			},
		},
	})
}

// TestAccBucket_moveRefusesObjectsArchivedAfterThePlan: an object archived after the plan, listed after a
// full page of others, must stop the apply before anything is copied or erased, naming it; once it is gone,
// the next apply moves the rest.
func TestAccBucket_moveRefusesObjectsArchivedAfterThePlan(t *testing.T) {
	const n = 1000 // one full listing page before the archived object, so a move would erase that page first
	prefix := movePrefix()
	var names []string
	archive := writeBetweenPlanAndApply(func() {
		putArchived(t, names[0], "z/archived-after-the-plan.csv", s3types.StorageClassDeepArchive, false)
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig:        func() { putNumbered(t, names[0], n, func(int) string { return "x" }) },
				Config:           moveConfig("", prefix, "move tests", 31, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{archive}},
				ExpectError:      regexp.MustCompile(`(?s)Bucket holds archived objects that cannot move.*"z/archived-after-the-plan.csv"\s+\(DEEP_ARCHIVE\).*0 object\(s\) were\s+verified`),
			},
			{
				PreConfig: func() {
					if v, _ := acctest.Versions(t, names[0]); v != 1000 {
						t.Fatalf("bucket %s lists %d versions on its first page after the refused move, want a full page (nothing erased)", names[0], v)
					}
					versions, _ := acctest.AllVersions(t, names[0])
					if len(versions) != n+1 {
						t.Fatalf("bucket %s holds %d versions after the refused move, want its %d", names[0], len(versions), n+1)
					}
					buckets := bucketNames(t, prefix)
					if len(buckets) != 2 {
						t.Fatalf("buckets with the prefix: %v, want the old one and the new one", buckets)
					}
					if v, _ := acctest.Versions(t, buckets[1]); v != 0 {
						t.Fatalf("the new bucket %s holds %d versions, want none: nothing is copied before the check", buckets[1], v)
					}
					if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{
						Bucket: aws.String(names[0]), Key: aws.String("z/archived-after-the-plan.csv"), VersionId: versions[n].VersionId,
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					versions, _ := acctest.AllVersions(t, names[len(names)-1])
					if len(versions) != n {
						return fmt.Errorf("bucket %s holds %d versions, want the %d moved", names[len(names)-1], len(versions), n)
					}
					return nil
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}

// putWithCustomerKey writes an object encrypted with a customer-provided key (SSE-C).
func putWithCustomerKey(t *testing.T, bucket, key string) {
	t.Helper()
	secret := bytes.Repeat([]byte{7}, 32)
	sum := md5.Sum(secret) //nolint:gosec // S3 names a customer key by its MD5
	acctest.PutObject(t, bucket, key, "sealed "+key, func(in *s3.PutObjectInput) {
		in.SSECustomerAlgorithm = aws.String("AES256")
		in.SSECustomerKey = aws.String(base64.StdEncoding.EncodeToString(secret))
		in.SSECustomerKeyMD5 = aws.String(base64.StdEncoding.EncodeToString(sum[:]))
	})
}

// TestAccBucket_moveOfCustomerKeyObjectsFailsAtPlan: S3 copies an object encrypted with a customer-provided
// key only for a request carrying that key, which the provider does not have, so the plan must refuse the
// move, naming those objects and only those, and touch nothing.
func TestAccBucket_moveOfCustomerKeyObjectsFailsAtPlan(t *testing.T) {
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					acctest.PutObject(t, names[0], "a-plain.json", "{}", nil)
					putWithCustomerKey(t, names[0], "sealed/1.json")
					putWithCustomerKey(t, names[0], "sealed/2.json")
					acctest.PutObject(t, names[0], "z-plain.json", "{}", nil)
				},
				Config:   moveConfig("", prefix, "move tests", 31, true),
				PlanOnly: true,
				ExpectError: regexp.MustCompile(`(?s)Bucket holds objects encrypted with a customer-provided key.*2 object\(s\) are\s+encrypted.*` +
					`"sealed/1.json",\s+"sealed/2.json"\..*--sse-c-copy-source`),
			},
			{
				PreConfig: func() {
					if v, _ := acctest.Versions(t, names[0]); v != 4 {
						t.Fatalf("bucket %s holds %d versions after the refused plan, want its 4", names[0], v)
					}
					acctest.EmptyBucket(t, names[0])
				},
				Config: moveConfig("", prefix, "move tests", 30, true),
			},
		},
	})
}

// TestAccBucket_moveRefusesCustomerKeyObjectsWrittenAfterThePlan: an object written with a customer-provided
// key after the plan must stop the apply before the round it is in erases anything, naming it; once it is
// gone, the next apply finishes the move.
func TestAccBucket_moveRefusesCustomerKeyObjectsWrittenAfterThePlan(t *testing.T) {
	prefix := movePrefix()
	var names []string
	var want map[string]storedObject
	seal := writeBetweenPlanAndApply(func() { putWithCustomerKey(t, names[0], "sealed-after-the-plan.json") })
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig:        func() { want = seedSmall(t, names[0], 5) },
				Config:           moveConfig("", prefix, "move tests", 31, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{seal}},
				ExpectError:      regexp.MustCompile(`(?s)Bucket holds objects encrypted with a customer-provided key.*"sealed-after-the-plan.json"`),
			},
			{
				PreConfig: func() {
					if v, _ := acctest.Versions(t, names[0]); v != 6 {
						t.Fatalf("bucket %s holds %d versions after the refused move, want its 6", names[0], v)
					}
					if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{
						Bucket: aws.String(names[0]), Key: aws.String("sealed-after-the-plan.json"),
					}); err != nil {
						t.Fatal(err)
					}
				},
				Config: moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					return checkObjects(t, names[len(names)-1], want, func() string {
						return s.RootModule().Resources["gdpr_key.test"].Primary.Attributes["arn"]
					})
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}

// TestAccBucket_moveKeepsAnObjectsOwnLongerRetention: S3 gives a copy the new bucket's default retention,
// which would end an object's own, longer GOVERNANCE retention early; the move must carry it to the copy, and
// leave an object whose retention the default outlasts to the default.
func TestAccBucket_moveKeepsAnObjectsOwnLongerRetention(t *testing.T) {
	prefix := movePrefix()
	config := func(days int, force bool) string {
		return acctest.BucketConfig(fmt.Sprintf(`
  bucket_prefix   = %q
  expiration_days = %d
  object_lock     = { mode = "GOVERNANCE", days = 1 }
  on_replace      = "move_data"
  force_destroy   = %t
  lifecycle {
    create_before_destroy = true
  }`, prefix, days, force))
	}
	var names []string
	held := time.Now().Add(10 * 24 * time.Hour).UTC().Truncate(time.Second)
	// The emulator answers GetObjectRetention with the object itself; a HEAD gives the retention, as at AWS.
	retention := func(bucket, key string) (*s3types.ObjectLockRetention, error) {
		out, err := acctest.S3(t, acctest.Region).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return nil, fmt.Errorf("retention of %s in %s: %w", key, bucket, err)
		}
		if out.ObjectLockRetainUntilDate == nil {
			return nil, nil
		}
		return &s3types.ObjectLockRetention{Mode: s3types.ObjectLockRetentionMode(out.ObjectLockMode), RetainUntilDate: out.ObjectLockRetainUntilDate}, nil
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(30, false), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					acctest.PutObject(t, names[0], "held.txt", "held for ten days", func(in *s3.PutObjectInput) {
						in.ObjectLockMode, in.ObjectLockRetainUntilDate = s3types.ObjectLockModeGovernance, &held
					})
					acctest.PutObject(t, names[0], "default.txt", "held by the default", nil)
				},
				Config: config(31, false),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					got, err := retention(names[1], "held.txt")
					if err != nil {
						return err
					}
					if got == nil || got.Mode != s3types.ObjectLockRetentionModeGovernance || got.RetainUntilDate == nil || !got.RetainUntilDate.Equal(held) {
						return fmt.Errorf("held.txt arrived with retention %+v, want GOVERNANCE until %s, its own", got, held)
					}
					got, err = retention(names[1], "default.txt")
					if err != nil {
						return err
					}
					if got == nil || got.RetainUntilDate == nil || got.RetainUntilDate.After(time.Now().Add(25*time.Hour)) {
						return fmt.Errorf("default.txt arrived with retention %+v, want the new bucket's default of a day", got)
					}
					return nil
				}),
			},
			{Config: config(31, true)},
		},
	})
}
