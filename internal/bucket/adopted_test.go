package bucket_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccBucket_importedNonCompliantIsAdoptedNotChanged imports a bucket made outside Terraform without
// versioning. Every plan after the import says it was adopted that way and will be replaced, not that it
// changed behind Terraform's back, which would send an auditor after a change nobody made; a change made
// after the import is still reported as one.
func TestAccBucket_importedNonCompliantIsAdoptedNotChanged(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	makeCompliantBucket(t, acctest.Region, name, keyARNInEmulator(t), nil, true)
	suspendVersioning(t, name)

	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30\n", name)))
	w.MustTerraform("import", "-input=false", "gdpr_bucket.test", name)
	adopted := regexp.MustCompile(acctest.Wrapped(regexp.QuoteMeta(
		`gdpr_bucket "` + name + `" was imported already breaking the provider's guarantees (versioning)`)))
	for i := range 2 {
		plan, err := acctest.Plan(t, w)
		if err != nil {
			t.Fatalf("plan %d: %v\n%s", i+1, err, plan)
		}
		if !adopted.MatchString(plan) || !strings.Contains(plan, "nothing has changed since it was adopted") ||
			!strings.Contains(plan, "# gdpr_bucket.test must be replaced") {
			t.Errorf("plan %d does not say the bucket was adopted without versioning and will be replaced:\n%s", i+1, plan)
		}
		if strings.Contains(plan, "changed outside Terraform") {
			t.Errorf("plan %d reports the adopted bucket as changed outside Terraform, though nothing changed:\n%s", i+1, plan)
		}
	}

	// A change made after the import is someone's change, and is reported as one.
	if _, err := acctest.S3(t, acctest.Region).PutBucketTagging(context.Background(), &s3.PutBucketTaggingInput{Bucket: &name,
		Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String("owner"), Value: aws.String("someone")}}}}); err != nil {
		t.Fatal(err)
	}
	plan, err := acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("plan after the change: %v\n%s", err, plan)
	}
	changed := regexp.MustCompile(acctest.Wrapped(regexp.QuoteMeta(`The tags of gdpr_bucket "` + name + `" changed outside Terraform`)))
	if !changed.MatchString(plan) || !adopted.MatchString(plan) {
		t.Errorf("the plan after a change of the tags does not report it as drift beside the adopted versioning:\n%s", plan)
	}

	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer w.MustTerraform("destroy", "-input=false", "-auto-approve")
	v, err := acctest.S3(t, acctest.Region).GetBucketVersioning(context.Background(), &s3.GetBucketVersioningInput{Bucket: &name})
	if err != nil || v.Status != s3types.BucketVersioningStatusEnabled {
		t.Errorf("after the apply bucket %s: versioning %v, %v; want Enabled", name, v, err)
	}
	// The replacement was made by Terraform: it is not adopted, and nothing is left to replace.
	plan, err = acctest.Plan(t, w)
	if err != nil || !strings.Contains(plan, "No changes.") || strings.Contains(plan, "Adopted") {
		t.Errorf("the plan after the replacement is not empty, or still calls the bucket adopted (err %v):\n%s", err, plan)
	}
}
