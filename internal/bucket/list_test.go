package bucket_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccBucketList_findsUnmanagedAndNonCompliant lists a mix of buckets sharing a name prefix: one the
// provider made, one made by the SDK with every guarantee, one whose versioning was suspended, one made
// bare, one an interrupted apply left half-made, two keeping noncurrent versions 30 and 60 days against an
// expiration of 30, and one in another region, which must not appear. Each
// filter must narrow the results to exactly the buckets it names, with their display names, identities and
// guarantees_broken.
func TestAccBucketList_findsUnmanagedAndNonCompliant(t *testing.T) {
	prefix := acctest.BucketName()
	name := func(s string) string { return prefix + "-" + s }
	personal := map[string]string{"gdpr-personal-data": "true"}
	arn := keyARNInEmulator(t)
	makeCompliantBucket(t, acctest.Region, name("sdk-ok"), arn, personal, true)
	makeCompliantBucket(t, acctest.Region, name("unversioned"), arn, personal, true)
	suspendVersioning(t, name("unversioned"))
	makeBareBucket(t, acctest.Region, name("bare"))
	makeCompliantBucket(t, acctest.Region, name("halfmade"), arn, nil, false)
	makeCompliantBucket(t, "eu-west-1", name("elsewhere"), arn, personal, true)
	// A restore window of 30 days is as compliant as the default day, within the 30 days of expiration; one
	// of 60 keeps overwritten data longer than current data, which breaks the lifecycle guarantee.
	makeBucket(t, acctest.Region, awsapi.BucketInput{Name: name("window-30"), KMSKeyARN: arn, ExpirationDays: 30, NoncurrentVersionDays: 30}, true)
	makeBucket(t, acctest.Region, awsapi.BucketInput{Name: name("window-60"), KMSKeyARN: arn, ExpirationDays: 30, NoncurrentVersionDays: 60}, true)

	where := " (EU, eu-central-1): "
	display := func(list, bucket, want string) querycheck.QueryResultCheck {
		return querycheck.ExpectResourceDisplayName(list, byBucket(bucket), knownvalue.StringExact(bucket+where+want))
	}
	broken := func(list, bucket string, want ...string) querycheck.QueryResultCheck {
		checks := make([]knownvalue.Check, 0, len(want))
		for _, w := range want {
			checks = append(checks, knownvalue.StringExact(w))
		}
		return querycheck.ExpectResourceKnownValues(list, byBucket(bucket), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("guarantees_broken"), KnownValue: knownvalue.ListExact(checks)},
			{Path: tfjsonpath.New("bucket"), KnownValue: knownvalue.StringExact(bucket)},
			{Path: tfjsonpath.New("region"), KnownValue: knownvalue.StringExact(acctest.Region)},
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: acctest.BucketConfig(fmt.Sprintf(`
  bucket          = %q
  expiration_days = 30
  tags            = { "gdpr-personal-data" = "true" }
`, name("managed"))),
			},
			{
				Query: true,
				// The query runs beside the configuration of the first step, whose provider block it uses.
				Config: fmt.Sprintf(`
list "gdpr_bucket" "all" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}

list "gdpr_bucket" "non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    non_compliant_only = true
  }
}

list "gdpr_bucket" "personal" {
  provider = gdpr
  config {
    name_prefix = %[1]q
    tags        = { "gdpr-personal-data" = "true" }
  }
}

list "gdpr_bucket" "personal_non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    tags               = { "gdpr-personal-data" = "true" }
    non_compliant_only = true
  }
}

list "gdpr_bucket" "sdk" {
  provider = gdpr
  config {
    name_prefix = %[2]q
  }
}
`, prefix+"-", name("sdk")),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("gdpr_bucket.all", 7),
					display("gdpr_bucket.all", name("managed"), "compliant"),
					display("gdpr_bucket.all", name("sdk-ok"), "compliant"),
					display("gdpr_bucket.all", name("unversioned"), "breaks: versioning"),
					querycheck.ExpectResourceDisplayName("gdpr_bucket.all", byBucket(name("bare")),
						knownvalue.StringRegexp(regexp.MustCompile(`^`+regexp.QuoteMeta(name("bare")+where)+`breaks: versioning, encryption, lifecycle`))),
					display("gdpr_bucket.all", name("halfmade"), "left half-made by an interrupted apply"),
					querycheck.ExpectIdentity("gdpr_bucket.all", map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact("123456789012"),
						"region":     knownvalue.StringExact(acctest.Region),
						"bucket":     knownvalue.StringExact(name("sdk-ok")),
					}),
					broken("gdpr_bucket.all", name("managed")),
					broken("gdpr_bucket.all", name("sdk-ok")),
					broken("gdpr_bucket.all", name("unversioned"), "versioning"),
					broken("gdpr_bucket.all", name("halfmade")),
					display("gdpr_bucket.all", name("window-30"), "compliant"),
					broken("gdpr_bucket.all", name("window-30")),
					display("gdpr_bucket.all", name("window-60"), "breaks: lifecycle"),
					broken("gdpr_bucket.all", name("window-60"), "lifecycle"),

					querycheck.ExpectLength("gdpr_bucket.non_compliant", 4),
					querycheck.ExpectLength("gdpr_bucket.personal", 3),
					querycheck.ExpectLength("gdpr_bucket.personal_non_compliant", 1),
					display("gdpr_bucket.personal_non_compliant", name("unversioned"), "breaks: versioning"),
					querycheck.ExpectLength("gdpr_bucket.sdk", 1),
					display("gdpr_bucket.sdk", name("sdk-ok"), "compliant"),
				},
			},
		},
	})
}

// byBucket picks the result whose identity names the bucket; the filter compares every attribute.
func byBucket(name string) queryfilter.QueryFilter {
	return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
		"account_id": knownvalue.NotNull(), "region": knownvalue.StringExact(acctest.Region), "bucket": knownvalue.StringExact(name),
	})
}

// keyARNInEmulator makes a key with the SDK, for buckets made outside Terraform, and returns its ARN.
func keyARNInEmulator(t *testing.T) string {
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("bucket list tests")}, true)
	out, err := acctest.KMS(t, acctest.Region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// makeCompliantBucket makes a bucket with every guarantee through awsapi, as the provider's create does,
// and deletes it when the test ends. Unless finish is true, the create stops before its last call, as an
// apply killed there would leave it: with every guarantee, and still marked as being created.
func makeCompliantBucket(t *testing.T, region, name, keyARN string, tags map[string]string, finish bool) {
	t.Helper()
	makeBucket(t, region, awsapi.BucketInput{Name: name, KMSKeyARN: keyARN, ExpirationDays: 30, NoncurrentVersionDays: 1, Tags: tags}, finish)
}

// makeBucket makes the bucket in asks for through awsapi, as makeCompliantBucket does.
func makeBucket(t *testing.T, region string, in awsapi.BucketInput, finish bool) {
	t.Helper()
	ctx := context.Background()
	c := acctest.EmulatorClients(t, region)
	name := in.Name
	if _, err := c.CreateBucket(ctx, name, false, "list-test"); err != nil {
		t.Fatal(err)
	}
	deleteWhenDone(t, region, name)
	steps := c.BucketSetup(in)
	if !finish {
		steps = steps[:len(steps)-1]
	}
	for _, s := range steps {
		if err := s.Run(ctx); err != nil {
			t.Fatalf("%s: %v", s.Action, err)
		}
	}
}

// makeBareBucket makes a bucket with the SDK and nothing else, as a console click would.
func makeBareBucket(t *testing.T, region, name string) {
	t.Helper()
	_, err := acctest.S3(t, region).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}})
	if err != nil {
		t.Fatal(err)
	}
	deleteWhenDone(t, region, name)
}

func suspendVersioning(t *testing.T, name string) {
	t.Helper()
	_, err := acctest.S3(t, acctest.Region).PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: &name,
		VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusSuspended}})
	if err != nil {
		t.Fatal(err)
	}
}

func deleteWhenDone(t *testing.T, region, name string) {
	t.Cleanup(func() {
		_, _ = acctest.S3(t, region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &name})
	})
}

// TestAccBucketList_generatedConfigImports runs `terraform query -generate-config-out` as users do, over a
// compliant bucket and one whose versioning was suspended, both made outside Terraform: the generated
// configuration validates, and its plan imports both, leaving the compliant bucket as it is and replacing
// the other one with a warning that names the broken guarantee and says it was adopted that way.
func TestAccBucketList_generatedConfigImports(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ListResources)
	prefix := acctest.BucketName()
	arn := keyARNInEmulator(t)
	makeCompliantBucket(t, acctest.Region, prefix+"-ok", arn, map[string]string{"team": "records"}, true)
	makeCompliantBucket(t, acctest.Region, prefix+"-unversioned", arn, nil, true)
	suspendVersioning(t, prefix+"-unversioned")

	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, ""))
	out, _ := w.Query(fmt.Sprintf(`
list "gdpr_bucket" "found" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %q
  }
}
`, prefix+"-"))
	for _, want := range []string{prefix + "-ok (EU, eu-central-1): compliant", prefix + "-unversioned (EU, eu-central-1): breaks: versioning"} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform query does not show %q:\n%s", want, out)
		}
	}

	plan, err := acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("terraform plan: %v\n%s", err, plan)
	}
	for _, want := range []string{
		"Plan: 2 to import, 1 to add, 0 to change, 1 to destroy.",
		`gdpr_bucket "` + prefix + `-unversioned" was imported already breaking the provider's guarantees (versioning)`,
		"# gdpr_bucket.found_1 must be replaced",
	} {
		if !regexp.MustCompile(acctest.Wrapped(regexp.QuoteMeta(want))).MatchString(plan) {
			t.Errorf("the plan does not say %q:\n%s", want, plan)
		}
	}

	// Applied, the configuration adopts the compliant bucket and rebuilds the other (empty) one under its
	// name with every guarantee: S3 now reports versioning on.
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer w.MustTerraform("destroy", "-input=false", "-auto-approve")
	for _, name := range []string{prefix + "-ok", prefix + "-unversioned"} {
		v, err := acctest.S3(t, acctest.Region).GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("after the apply bucket %s: versioning %v, %v; want Enabled", name, v, err)
		}
	}
}

// A list block's config with a bad filter fails before anything is listed, naming the attribute, what is
// wrong and what is allowed.
func TestAccBucketList_badFiltersFail(t *testing.T) {
	for name, tc := range map[string]struct{ config, want string }{
		"empty name prefix": {`name_prefix = ""`, `Attribute name_prefix string length must be at least 1`},
		"name prefix longer than a bucket name": {`name_prefix = "` + strings.Repeat("a", 64) + `"`,
			`Attribute name_prefix string length must be at most 63`},
		"empty tag key": {`tags = { "" = "true" }`, `Attribute tags\[""\] string length must be between 1 and 128, got: 0`},
		"tag value too long": {`tags = { team = "` + strings.Repeat("v", 257) + `" }`,
			`Attribute tags\["team"\] string length must be at most 256`},
	} {
		t.Run(name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: acctest.ProviderConfig(acctest.Region, "")},
					{
						Query: true,
						Config: fmt.Sprintf(`
list "gdpr_bucket" "bad" {
  provider = gdpr
  config {
    %s
  }
}
`, tc.config),
						ExpectError: regexp.MustCompile(acctest.Wrapped(tc.want)),
					},
				},
			})
		})
	}
}

// TestAccBucketList_remediatesBucketHoldingData follows the list resource's documentation over what a team
// finds: a compliant bucket, a bare bucket holding data and an empty bare bucket. terraform query shows the
// bare ones as non-compliant and generates an import for each; the import of the bucket holding data cannot
// apply, and its plan says to move the objects with gdpr_move_objects instead. With that bucket's blocks
// replaced by a new gdpr_bucket (bucket_prefix) and the action from the found bucket, one apply adopts the
// compliant bucket, rebuilds the empty one compliant and moves every object into the new bucket, leaving
// the found one empty; the next plan has nothing left to do.
func TestAccBucketList_remediatesBucketHoldingData(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ListResources)
	acctest.Require(t, acctest.Actions)
	prefix := acctest.BucketName()
	holding, empty, compliant := prefix+"-holding", prefix+"-empty", prefix+"-ok"
	makeBareBucket(t, acctest.Region, holding)
	makeBareBucket(t, acctest.Region, empty)
	keys := []string{"customers/1.json", "customers/2.json", "invoices/2019/3.pdf"}
	for _, k := range keys {
		acctest.PutObject(t, holding, k, "body of "+k, nil)
	}
	arn := keyARNInEmulator(t)
	makeCompliantBucket(t, acctest.Region, compliant, arn, nil, true)

	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, ""))
	if err := os.WriteFile(filepath.Join(w.Dir, "found.tfquery.hcl"), []byte(fmt.Sprintf(`
list "gdpr_bucket" "found" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %q
  }
}
`, prefix+"-")), 0o600); err != nil {
		t.Fatal(err)
	}
	out := w.MustTerraform("query", "-no-color", "-generate-config-out=generated.tf")
	for _, want := range []string{
		holding + " (EU, eu-central-1): breaks: versioning, encryption, lifecycle",
		empty + " (EU, eu-central-1): breaks: versioning, encryption, lifecycle",
		compliant + " (EU, eu-central-1): compliant",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terraform query does not show %q:\n%s", want, out)
		}
	}
	raw, err := os.ReadFile(filepath.Join(w.Dir, "generated.tf"))
	if err != nil {
		t.Fatal(err)
	}
	// The generated blocks leave the key and the retention null, for the user to choose.
	generated := regexp.MustCompile(`(?m)^(\s*kms_key_arn\s*=\s*)null.*$`).ReplaceAllString(string(raw), fmt.Sprintf("${1}%q", arn))
	generated = regexp.MustCompile(`(?m)^(\s*expiration_days\s*=\s*)null.*$`).ReplaceAllString(generated, "${1}30")
	writeFile(t, w, "generated.tf", generated)

	plan, err := acctest.Plan(t, w)
	want := `(?s)Destroying the bucket would erase personal data.*Bucket "` + regexp.QuoteMeta(holding) + `" holds 3 object versions.*` +
		`For a bucket made outside Terraform, imported or found by terraform query, whose name cannot change: remove its ` +
		`import and resource blocks, declare a new gdpr_bucket with bucket_prefix, and move the objects into it with the ` +
		`gdpr_move_objects action \(from = "` + regexp.QuoteMeta(holding) + `"\), triggered after_create`
	if err == nil || !regexp.MustCompile(acctest.Wrapped(want)).MatchString(plan) {
		t.Fatalf("the plan importing the bucket holding data does not stop pointing to gdpr_move_objects: %v\n%s", err, plan)
	}

	// As the documentation says: drop the generated blocks of the bucket holding data, and declare the new
	// bucket with the action that fills it.
	block := regexp.MustCompile(`(?s)resource "gdpr_bucket" "(found_\d+)" \{[^}]*bucket\s*=\s*"` + regexp.QuoteMeta(holding) + `"`).FindStringSubmatch(generated)
	if block == nil {
		t.Fatalf("no generated resource block names %s:\n%s", holding, generated)
	}
	generated = regexp.MustCompile(`(?s)resource "gdpr_bucket" "`+block[1]+`" \{.*?\n\}\n`).ReplaceAllString(generated, "")
	generated = regexp.MustCompile(`(?s)import \{\s*to\s*=\s*gdpr_bucket\.`+block[1]+`\n.*?\n\}\n`).ReplaceAllString(generated, "")
	if strings.Contains(generated, holding) {
		t.Fatalf("the blocks of %s are still in the generated configuration:\n%s", holding, generated)
	}
	writeFile(t, w, "generated.tf", generated)
	writeFile(t, w, "remediation.tf", fmt.Sprintf(`
resource "gdpr_key" "records" {
  description          = "records moved out of a bucket found by terraform query"
  deletion_window_days = 7
}

resource "gdpr_bucket" "records" {
  bucket_prefix   = %q
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 30
  force_destroy   = true
}

resource "terraform_data" "fill_records" {
  input = gdpr_bucket.records.bucket

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_move_objects.records]
    }
  }
}

action "gdpr_move_objects" "records" {
  config {
    from = %q
    to   = gdpr_bucket.records.bucket
  }
}
`, prefix+"-records-", holding))
	out, err = w.Terraform("apply", "-input=false", "-auto-approve", "-no-color")
	t.Cleanup(func() {
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	if err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}

	var moved string
	for _, id := range acctest.StateIDs(t, w, "gdpr_bucket") {
		if strings.HasPrefix(id, prefix+"-records-") {
			moved = id
		}
	}
	if moved == "" {
		t.Fatalf("no new bucket in the state after the apply:\n%s", out)
	}
	bodies, err := objectBodies(t, moved, keys)
	if err != nil {
		t.Errorf("after the apply the new bucket does not hold every object: %v", err)
	}
	for _, k := range keys {
		if bodies[k] != "body of "+k {
			t.Errorf("object %q in %s holds %q, want %q", k, moved, bodies[k], "body of "+k)
		}
	}
	if v, m := acctest.Versions(t, holding); v != 0 || m != 0 {
		t.Errorf("after the apply the found bucket %s holds %d versions and %d delete markers, want none", holding, v, m)
	}
	if out, err := w.Terraform("plan", "-input=false", "-no-color", "-detailed-exitcode"); err != nil {
		t.Errorf("the plan after the apply is not empty: %v\n%s", err, out)
	}
	// Every bucket the query found is now compliant as S3 reports it, or emptied into the new compliant one.
	for _, name := range []string{moved, empty, compliant} {
		v, err := acctest.S3(t, acctest.Region).GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: aws.String(name)})
		if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
			t.Errorf("after the apply bucket %s: versioning %v, %v; want Enabled", name, v, err)
		}
		enc, err := acctest.S3(t, acctest.Region).GetBucketEncryption(context.Background(), &s3.GetBucketEncryptionInput{Bucket: aws.String(name)})
		if err != nil || len(enc.ServerSideEncryptionConfiguration.Rules) == 0 ||
			enc.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != s3types.ServerSideEncryptionAwsKms {
			t.Errorf("after the apply bucket %s is not encrypted with SSE-KMS: %v", name, err)
		}
	}
}

func writeFile(t *testing.T, w *acctest.Workdir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(w.Dir, name), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
