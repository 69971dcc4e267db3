package bucket_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"golang.org/x/sync/errgroup"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// storedObject is what a test put into a bucket, to compare with what the bucket holds after a move.
type storedObject struct {
	sha256      string
	size        int64
	contentType string
	metadata    map[string]string
	tags        map[string]string
}

// moveConfig is a key and a bucket with on_replace = "move_data"; key and days vary between steps.
func moveConfig(extra, prefix, keyDescription string, days int, cbd bool) string {
	lifecycle := ""
	if cbd {
		lifecycle = "\n  lifecycle {\n    create_before_destroy = true\n  }"
	}
	return acctest.ProviderConfig(acctest.Region, extra) + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = %q
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = %q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = %d
  on_replace      = "move_data"%s
}
`, keyDescription, prefix, days, lifecycle)
}

// movePrefix is a bucket_prefix of the test's own, so no other bucket shares it.
func movePrefix() string {
	return fmt.Sprintf("mv%08x-", rand.Uint32())
}

// seedObjects puts n current objects into bucket, of every kind a move must keep: JSON under one prefix with
// user metadata, documents under another with object tags, and two objects large enough to be copied in
// parts (TestMain lowers the threshold). It also leaves a noncurrent version and a delete marker, which a move
// does not carry over. It returns what each current object must be after a move.
func seedObjects(t *testing.T, bucket string, n int) map[string]storedObject {
	t.Helper()
	want := map[string]storedObject{}
	var mu sync.Mutex
	put := func(ctx context.Context, key string, body []byte, contentType string, meta, tags map[string]string) error {
		in := &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body),
			ContentType: aws.String(contentType), Metadata: meta, ChecksumAlgorithm: s3types.ChecksumAlgorithmSha256}
		if len(tags) > 0 {
			in.Tagging = aws.String(encodeTags(tags))
		}
		if _, err := acctest.S3(t, acctest.Region).PutObject(ctx, in); err != nil {
			return fmt.Errorf("putting %s: %w", key, err)
		}
		sum := sha256.Sum256(body)
		mu.Lock()
		want[key] = storedObject{hex.EncodeToString(sum[:]), int64(len(body)), contentType, meta, tags}
		mu.Unlock()
		return nil
	}
	g, ctx := errgroup.WithContext(context.Background())
	g.SetLimit(16)
	for i := range n - 2 {
		g.Go(func() error {
			if i%4 == 3 {
				return put(ctx, fmt.Sprintf("invoices/2026/%03d.pdf", i), []byte(strings.Repeat("%PDF ", 40+i)),
					"application/pdf", nil, map[string]string{"class": "finance", "year": "2026"})
			}
			return put(ctx, fmt.Sprintf("customers/%03d/record.json", i), fmt.Appendf(nil, `{"customer":%d}`, i),
				"application/json", map[string]string{"subject": strconv.Itoa(i % 7)}, nil)
		})
	}
	for i := range 2 {
		g.Go(func() error {
			big := make([]byte, 11<<20)
			for j := range big {
				big[j] = byte(j*(i+3) + j>>12)
			}
			return put(ctx, fmt.Sprintf("exports/big-%d.bin", i), big, "application/octet-stream",
				map[string]string{"export": "monthly"}, map[string]string{"class": "export"})
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	// A noncurrent version under a current object, and a delete marker over an object that is gone.
	if err := put(context.Background(), "customers/000/record.json", []byte(`{"customer":0,"v":2}`), "application/json",
		map[string]string{"subject": "0"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := put(context.Background(), "deleted/gone.txt", []byte("gone"), "text/plain", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := acctest.S3(t, acctest.Region).DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("deleted/gone.txt")}); err != nil {
		t.Fatal(err)
	}
	delete(want, "deleted/gone.txt")
	return want
}

func encodeTags(tags map[string]string) string {
	var parts []string
	for k, v := range tags {
		parts = append(parts, k+"="+v)
	}
	return strings.Join(parts, "&")
}

// checkObjects asks the emulator whether bucket holds exactly the objects of want, as current versions with
// the same content, content type, user metadata and object tags, encrypted under a key whose ARN ends with
// keySuffix, and nothing else: no noncurrent version, no delete marker.
func checkObjects(t *testing.T, bucket string, want map[string]storedObject, keyARN func() string) error {
	return checkObjectsAnd(t, bucket, want, 0, keyARN)
}

// checkObjectsAnd is checkObjects for a bucket that may also hold noncurrent versions: the earlier copies of
// objects rewritten in the old bucket while the move ran.
func checkObjectsAnd(t *testing.T, bucket string, want map[string]storedObject, noncurrent int, keyARN func() string) error {
	ctx := context.Background()
	c := acctest.S3(t, acctest.Region)
	versions, err := c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		return err
	}
	if len(versions.DeleteMarkers) > 0 || len(versions.Versions) != len(want)+noncurrent {
		return fmt.Errorf("bucket %s holds %d versions and %d delete markers, want %d current objects and %d noncurrent versions",
			bucket, len(versions.Versions), len(versions.DeleteMarkers), len(want), noncurrent)
	}
	key := keyARN()
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for name, w := range want {
		g.Go(func() error {
			// Objects copied in parts have a checksum of their parts, which the SDK says it cannot validate.
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(name)},
				func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
			if err != nil {
				return fmt.Errorf("getting %s: %w", name, err)
			}
			defer out.Body.Close()
			h := sha256.New()
			n, err := io.Copy(h, out.Body)
			if err != nil {
				return err
			}
			if got := hex.EncodeToString(h.Sum(nil)); got != w.sha256 || n != w.size {
				return fmt.Errorf("%s: content differs (%d bytes, sha256 %s; want %d bytes, %s)", name, n, got, w.size, w.sha256)
			}
			if aws.ToString(out.ContentType) != w.contentType || !maps.Equal(out.Metadata, orEmpty(w.metadata)) {
				return fmt.Errorf("%s: content type %q and metadata %v, want %q and %v", name, aws.ToString(out.ContentType), out.Metadata, w.contentType, w.metadata)
			}
			if out.ServerSideEncryption != s3types.ServerSideEncryptionAwsKms || aws.ToString(out.SSEKMSKeyId) != key {
				return fmt.Errorf("%s: encrypted with %s under %q, want aws:kms under %s", name, out.ServerSideEncryption, aws.ToString(out.SSEKMSKeyId), key)
			}
			tags, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(name)})
			if err != nil {
				return err
			}
			got := map[string]string{}
			for _, tag := range tags.TagSet {
				got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
			}
			if !maps.Equal(got, orEmpty(w.tags)) {
				return fmt.Errorf("%s: tags %v, want %v", name, got, w.tags)
			}
			return nil
		})
	}
	return g.Wait()
}

func orEmpty(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

// totalBytes adds up the sizes of the objects.
func totalBytes(objects map[string]storedObject) int64 {
	var n int64
	for _, o := range objects {
		n += o.size
	}
	return n
}

// auditEvents reads the audit trail's events of the given action.
func auditEvents(t *testing.T, path, action string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []map[string]string
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		var e map[string]string
		if err := json.Unmarshal(lines.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", lines.Text(), err)
		}
		if e["action"] == action {
			events = append(events, e)
		}
	}
	return events
}

// TestAccBucket_replacementMovesTheData changes a bucket holding data twice, each a single apply: first
// its expiration, then its key (the key is replaced, and the bucket with it). Each time every current object
// must arrive in the new bucket identical, encrypted under the new bucket's key, and the old bucket must be
// gone; the state and the audit trail must say what moved.
func TestAccBucket_replacementMovesTheData(t *testing.T) {
	prefix := movePrefix()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	extra := fmt.Sprintf("  audit = {\n    path = %q\n  }\n", trail)
	var names []string
	var want map[string]storedObject
	keyARN := func(s *terraform.State) func() string {
		return func() string { return s.RootModule().Resources["gdpr_key.test"].Primary.Attributes["arn"] }
	}
	movedInto := func(s *terraform.State) error {
		old, current := names[len(names)-2], names[len(names)-1]
		if old == current {
			return fmt.Errorf("bucket %s was not replaced", old)
		}
		if err := acctest.CheckBucketGone(t, old)(s); err != nil {
			return err
		}
		return checkObjects(t, current, want, keyARN(s))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: moveConfig(extra, prefix, "move tests", 30, true),
				Check:  captureBucket(&names),
			},
			{
				PreConfig: func() { want = seedObjects(t, names[0], 200) },
				Config:    moveConfig(extra, prefix, "move tests", 31, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), movedInto, func(*terraform.State) error {
					moves := auditEvents(t, trail, "move")
					if len(moves) != 1 {
						return fmt.Errorf("the audit trail holds %d move events, want 1", len(moves))
					}
					m := moves[0]
					if m["cloud_id"] != names[0] || m["moved_to"] != names[1] || m["moved_objects"] != "200" ||
						m["moved_bytes"] != strconv.FormatInt(totalBytes(want), 10) || len(m["manifest_sha256"]) != 64 {
						return fmt.Errorf("move event %v does not record %s -> %s, 200 objects, %d bytes and a manifest digest", m, names[0], names[1], totalBytes(want))
					}
					return nil
				}),
			},
			{
				// The next refresh reads the record of the move from the new bucket.
				Config: moveConfig(extra, prefix, "move tests", 31, true),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("moved_objects"), knownvalue.Int64Exact(200)),
					statecheck.ExpectKnownValue(bucketAddr, tfjsonpath.New("moved_from"), knownvalue.StringRegexp(regexp.MustCompile("^"+prefix))),
				},
				Check: func(s *terraform.State) error {
					attrs := s.RootModule().Resources[bucketAddr].Primary.Attributes
					if attrs["moved_from"] != names[0] || attrs["moved_bytes"] != strconv.FormatInt(totalBytes(want), 10) {
						return fmt.Errorf("state says moved_from %s and moved_bytes %s, want %s and %d", attrs["moved_from"], attrs["moved_bytes"], names[0], totalBytes(want))
					}
					return nil
				},
			},
			{
				// A new key replaces the bucket too: the objects are re-encrypted under the new key.
				Config: moveConfig(extra, prefix, "move tests, new key", 31, true),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), movedInto),
			},
			forceDestroyStep(moveConfig(extra, prefix, "move tests, new key", 31, true)),
		},
	})
}

// forceDestroyStep sets force_destroy = true on the bucket of config, a change of the state alone, so the
// test's destroy may erase the objects it moved.
func forceDestroyStep(config string) resource.TestStep {
	return resource.TestStep{
		Config: strings.Replace(config, `on_replace      = "move_data"`, "on_replace      = \"move_data\"\n  force_destroy   = true", 1),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(bucketAddr, plancheck.ResourceActionUpdate)},
		},
	}
}

// TestAccBucket_moveNeedsCreateBeforeDestroy: without create_before_destroy Terraform deletes the old bucket
// first, when there is no bucket to move the objects to; the delete must refuse and touch nothing.
func TestAccBucket_moveNeedsCreateBeforeDestroy(t *testing.T) {
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: moveConfig("", prefix, "move tests", 30, false),
				Check:  captureBucket(&names),
			},
			{
				PreConfig:   func() { acctest.PutObject(t, names[0], "customers/1.json", `{"customer":1}`, nil) },
				Config:      moveConfig("", prefix, "move tests", 31, false),
				ExpectError: regexp.MustCompile(`(?s)Bucket data has nowhere to move.*create_before_destroy = true`),
			},
			{
				Config: moveConfig("", prefix, "move tests", 30, false),
				Check: func(*terraform.State) error {
					if v, _ := acctest.Versions(t, names[0]); v != 1 {
						return fmt.Errorf("bucket %s holds %d versions after the refused delete, want its 1", names[0], v)
					}
					acctest.EmptyBucket(t, names[0])
					return nil
				},
			},
		},
	})
}

// TestAccBucket_moveThatCannotSucceedFailsAtPlan: each replacement below would have to stop halfway, or
// would end a retention early, so the plan must refuse it with the reason, and leave the data where it is.
func TestAccBucket_moveThatCannotSucceedFailsAtPlan(t *testing.T) {
	cases := map[string]struct {
		before, after string // the bucket's arguments besides the key, on_replace and lifecycle
		fixedName     bool
		want          string
	}{
		"fixed name": {
			before: `bucket = %[1]q` + "\n  expiration_days = 30", after: `bucket = %[1]q` + "\n  expiration_days = 31",
			fixedName: true,
			want:      `(?s)Bucket with a fixed name cannot move its data.*Use\s+bucket_prefix`,
		},
		"another prefix": {
			before: `bucket_prefix = %[1]q` + "\n  expiration_days = 30", after: `bucket_prefix = "%[1]sx-"` + "\n  expiration_days = 30",
			want: `(?s)Bucket cannot move its data to a bucket with another prefix.*keeps\s+the\s+prefix`,
		},
		// The way an imported bucket, found by terraform query, would be given a prefix.
		"fixed name to a prefix": {
			before: `bucket = %[1]q` + "\n  expiration_days = 30", after: `bucket_prefix = "%[1]s-"` + "\n  expiration_days = 30",
			fixedName: true,
			want: `(?s)Bucket cannot move its data to a bucket with another prefix.*a\s+fixed\s+name.*move\s+the\s+objects\s+into\s+it\s+with\s+the\s+` +
				`gdpr_move_objects\s+action\s+\(from\s+=\s+"gdpr-test-`,
		},
		"force_destroy in the state": {
			before: `bucket_prefix = %[1]q` + "\n  expiration_days = 30\n  force_destroy = true", after: `bucket_prefix = %[1]q` + "\n  expiration_days = 31\n  force_destroy = true",
			want: `(?s)Bucket would be erased, not moved.*force_destroy\s+=\s+false`,
		},
		"Object Lock dropped": {
			before: `bucket_prefix = %[1]q` + "\n  expiration_days = 30\n  object_lock = { mode = \"GOVERNANCE\", days = 10 }",
			after:  `bucket_prefix = %[1]q` + "\n  expiration_days = 30",
			want:   `(?s)Moving the data would shorten its retention.*new\s+bucket\s+has\s+no\s+Object\s+Lock`,
		},
		"Object Lock shortened": {
			before: `bucket_prefix = %[1]q` + "\n  expiration_days = 30\n  object_lock = { mode = \"GOVERNANCE\", days = 10 }",
			after:  `bucket_prefix = %[1]q` + "\n  expiration_days = 30\n  object_lock = { mode = \"GOVERNANCE\", days = 5 }",
			want:   `(?s)Moving the data would shorten its retention.*only\s+for\s+5`,
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			label := movePrefix()
			if tc.fixedName {
				label = acctest.BucketName()
			}
			config := func(args string) string {
				return acctest.BucketConfig(fmt.Sprintf(args, label) + "\n  on_replace = \"move_data\"\n  lifecycle {\n    create_before_destroy = true\n  }")
			}
			var names []string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config(tc.before), Check: captureBucket(&names)},
					{
						PreConfig:   func() { acctest.PutObject(t, names[0], "customers/1.json", `{"customer":1}`, nil) },
						Config:      config(tc.after),
						ExpectError: regexp.MustCompile(tc.want),
					},
					{
						// Nothing was touched; the data is erased deliberately so the test can clean up.
						PreConfig: func() {
							if v, _ := acctest.Versions(t, names[0]); v != 1 {
								t.Fatalf("bucket %s holds %d versions after the refused plan, want its 1", names[0], v)
							}
							removeLockedBucketObjects(t, names[0])
						},
						Config: config(tc.before),
					},
				},
			})
		})
	}
}

// TestAccBucket_moveFromCOMPLIANCEFailsAtPlanWithTheDate: versions under COMPLIANCE retention cannot be
// deleted by anyone, so the old bucket could never be emptied after the move; the plan must say until when.
func TestAccBucket_moveFromCOMPLIANCEFailsAtPlanWithTheDate(t *testing.T) {
	prefix := movePrefix()
	config := func(days int) string {
		return acctest.BucketConfig(fmt.Sprintf(`
  bucket_prefix   = %q
  expiration_days = %d
  object_lock     = { mode = "COMPLIANCE", days = 2 }
  on_replace      = "move_data"
  lifecycle {
    create_before_destroy = true
  }`, prefix, days))
	}
	var names []string
	expect := regexp.MustCompile(`not yet known`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(30), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					before := time.Now().Add(48 * time.Hour).UTC()
					acctest.PutObject(t, names[0], "records.csv", "x", nil)
					after := time.Now().Add(48 * time.Hour).UTC()
					*expect = *regexp.MustCompile(`(?s)Bucket cannot be destroyed.*"records.csv".*COMPLIANCE\s+mode\s+until\s+(` +
						before.Format("2006-01-02T15:04") + `|` + after.Format("2006-01-02T15:04") + `)`)
				},
				Config:      config(31),
				ExpectError: expect,
			},
			{
				PreConfig: func() {
					if v, _ := acctest.Versions(t, names[0]); v != 1 {
						t.Fatalf("bucket holds %d versions after the refused plan, want 1", v)
					}
					removeLockedBucketObjects(t, names[0])
				},
				Config: config(30),
			},
		},
	})
}

// writeBetweenPlanAndApply is a plan check that writes objects into a bucket: it runs after the plan and
// before the apply, as a user's application would go on writing.
type writeBetweenPlanAndApply func()

func (w writeBetweenPlanAndApply) CheckPlan(context.Context, plancheck.CheckPlanRequest, *plancheck.CheckPlanResponse) {
	w()
}

// TestAccBucket_moveTakesWhatArrivesDuringIt: objects written to the old bucket after the plan, and while
// the copy runs (a new object and a new version of a copied one), must arrive in the new bucket too, each
// in its latest content, before the old bucket is erased. The copy of the rewritten object's earlier version
// stays in the new bucket as a noncurrent version (the lifecycle rule deletes it noncurrent_version_days
// later): the move does not delete versions in the new bucket, which may be someone's newer data.
func TestAccBucket_moveTakesWhatArrivesDuringIt(t *testing.T) {
	prefix := movePrefix()
	var names []string
	var want map[string]storedObject
	var mu sync.Mutex
	put := func(key, body string) {
		acctest.PutObject(t, names[0], key, body, func(in *s3.PutObjectInput) { in.ContentType = aws.String("text/plain") })
		sum := sha256.Sum256([]byte(body))
		mu.Lock()
		want[key] = storedObject{sha256: hex.EncodeToString(sum[:]), size: int64(len(body)), contentType: "text/plain"}
		mu.Unlock()
	}
	var once sync.Once
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Delay, Match: func(_ *http.Request, op string) bool {
		if op == "s3:PUT/object" && names != nil && len(want) > 0 {
			once.Do(func() {
				put("zz-late/during-the-copy.txt", "written while the copy ran")
				put("customers/1.txt", "a newer version, written while the copy ran")
			})
		}
		return false
	}})
	config := func(days int) string {
		return acctest.ProviderConfigWithS3(acctest.Region, proxy.URL, "") + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description = "move tests"
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = %q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = %d
  on_replace      = "move_data"
  lifecycle {
    create_before_destroy = true
  }
}
`, prefix, days)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config(30), Check: captureBucket(&names)},
			{
				PreConfig: func() {
					want = map[string]storedObject{}
					for i := range 20 {
						put(fmt.Sprintf("customers/%d.txt", i), fmt.Sprintf("customer %d", i))
					}
				},
				Config: config(31),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{writeBetweenPlanAndApply(func() { put("after-the-plan.txt", "written after the plan") })},
				},
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if len(want) != 22 {
						return fmt.Errorf("the test wrote %d objects, want 20, one after the plan and one during the copy", len(want))
					}
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					// The copy of customers/1.txt made before it was rewritten stays as a noncurrent version.
					return checkObjectsAnd(t, names[1], want, 1, func() string {
						return s.RootModule().Resources["gdpr_key.test"].Primary.Attributes["arn"]
					})
				}),
			},
			forceDestroyStep(config(31)),
		},
	})
}

// TestAccBucket_moveOfMoreThanOnePage moves more objects than S3 lists in one page (1,000), so the old
// bucket is emptied in several rounds, each after its objects are verified.
func TestAccBucket_moveOfMoreThanOnePage(t *testing.T) {
	const n = 1050
	prefix := movePrefix()
	var names []string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: moveConfig("", prefix, "move tests", 30, true), Check: captureBucket(&names)},
			{
				PreConfig: func() { putNumbered(t, names[0], n, strconv.Itoa) },
				Config:    moveConfig("", prefix, "move tests", 31, true),
				Check: resource.ComposeTestCheckFunc(captureBucket(&names), func(s *terraform.State) error {
					if err := acctest.CheckBucketGone(t, names[0])(s); err != nil {
						return err
					}
					var count int
					pages := s3.NewListObjectVersionsPaginator(acctest.S3(t, acctest.Region), &s3.ListObjectVersionsInput{Bucket: aws.String(names[1])})
					for pages.HasMorePages() {
						page, err := pages.NextPage(context.Background())
						if err != nil {
							return err
						}
						count += len(page.Versions)
					}
					if count != n {
						return fmt.Errorf("bucket %s holds %d object versions, want the %d moved", names[1], count, n)
					}
					return nil
				}),
			},
			forceDestroyStep(moveConfig("", prefix, "move tests", 31, true)),
		},
	})
}
