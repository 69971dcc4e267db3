package provider_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// safetyConfig is a key and a bucket for the real CLI, with the given bucket body.
func safetyConfig(bucketBody string) string {
	return acctest.FaultConfig(acctest.Endpoint(), acctest.Region, "3", fmt.Sprintf(`
resource "gdpr_key" "k" {
  description          = "data safety"
  deletion_window_days = 9
}

resource "gdpr_bucket" "b" {
  kms_key_arn = gdpr_key.k.arn
%s
}
`, bucketBody))
}

func TestAccDataSafety_planWarnings(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	w := acctest.NewWorkdir(t, safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30", name)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		// The last subtest leaves key_destruction = "deny", which would rightly refuse this destroy.
		if err := os.WriteFile(w.Dir+"/main.tf", []byte(safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30", name))), 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("destroy: %v\n%s", err, out)
		}
	})

	t.Run("no warning without destruction", func(t *testing.T) {
		out, err := acctest.Plan(t, w)
		if err != nil || strings.Contains(out, "Warning: Bucket") || strings.Contains(out, "Warning: Key") {
			t.Errorf("a plan that destroys nothing warns or fails (%v):\n%s", err, out)
		}
	})
	t.Run("empty bucket replaced with a warning", func(t *testing.T) {
		w2 := *w
		if err := os.WriteFile(w.Dir+"/main.tf", []byte(safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 31", name))), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := acctest.Plan(t, &w2)
		if err != nil {
			t.Fatalf("plan failed: %v\n%s", err, out)
		}
		for _, want := range []string{"gdpr_bucket.b must be replaced", "Warning: Bucket will be destroyed", fmt.Sprintf("Bucket %q is empty and will be deleted.", name)} {
			if !strings.Contains(out, want) {
				t.Errorf("plan output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("key replacement names the deletion date", func(t *testing.T) {
		if err := os.WriteFile(w.Dir+"/main.tf", []byte(strings.Replace(safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30", name)),
			`"data safety"`, `"data safety, new key"`, 1)), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := acctest.Plan(t, w)
		if err != nil {
			t.Fatalf("plan failed: %v\n%s", err, out)
		}
		date := regexp.QuoteMeta(time.Now().Add(9 * 24 * time.Hour).UTC().Format(time.DateOnly))
		next := regexp.QuoteMeta(time.Now().Add(9*24*time.Hour + time.Hour).UTC().Format(time.DateOnly))
		want := regexp.MustCompile(`Warning: Key will be destroyed .* completes on (` + date + `|` + next + `), 9 days from now\. .*unreadable for good: this is crypto-shredding \(GDPR Art\. 17, erasure\)`)
		if !want.MatchString(out) {
			t.Errorf("plan output does not match %s:\n%s", want, out)
		}
	})
	t.Run("key destruction denied", func(t *testing.T) {
		config := strings.Replace(safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30", name)),
			`"data safety"`, `"data safety, new key"`, 1)
		config = strings.Replace(config, `max_retries                 = 3`, "max_retries = 3\n  key_destruction = \"deny\"", 1)
		if err := os.WriteFile(w.Dir+"/main.tf", []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := acctest.Plan(t, w)
		if err == nil || !strings.Contains(out, `Error: Key destruction denied`) || !strings.Contains(out, `key_destruction is "deny"`) {
			t.Errorf("the plan was not refused under key_destruction = \"deny\" (%v):\n%s", err, out)
		}
	})
}

// TestAccDataSafety_nonEmptyBucketStopsThePlan checks that destroying or replacing a bucket with data fails
// at plan, so the apply never starts and the data stays; and that data arriving between plan and apply is
// still protected by the destroy itself.
func TestAccDataSafety_nonEmptyBucketStopsThePlan(t *testing.T) {
	name := acctest.BucketName()
	config := func(days int) string {
		return acctest.BucketConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = %d", name, days))
	}
	wantStop := regexp.MustCompile(acctest.Wrapped(`(?s)Destroying the bucket would erase personal data.*holds 1 object versions and force_destroy is false`))
	stillThere := func() {
		if v, _ := acctest.Versions(t, name); v != 1 {
			t.Fatalf("the bucket holds %d versions, want 1: the refused plan touched the data", v)
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             acctest.CheckBucketGone(t, name),
		Steps: []resource.TestStep{
			{Config: config(30)},
			{
				PreConfig:   func() { acctest.PutObject(t, name, "records.csv", "x", nil) },
				Config:      config(31),
				ExpectError: wantStop,
			},
			{PreConfig: stillThere, Config: config(30), Destroy: true, ExpectError: wantStop},
			{
				PreConfig: func() {
					stillThere()
					acctest.EmptyBucket(t, name)
				},
				Config: config(30),
			},
		},
	})
}

// TestAccDataSafety_dataArrivingAfterThePlan plans a destroy of an empty bucket, then writes to it before
// the apply: the destroy itself refuses, and the object is kept.
func TestAccDataSafety_dataArrivingAfterThePlan(t *testing.T) {
	acctest.RequireEmulator(t)
	name := acctest.BucketName()
	w := acctest.NewWorkdir(t, safetyConfig(fmt.Sprintf("  bucket = %q\n  expiration_days = 30", name)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	w.MustTerraform("plan", "-destroy", "-input=false", "-out=destroy.tfplan")
	acctest.PutObject(t, name, "late.csv", "x", nil)
	out, err := w.Terraform("apply", "-input=false", "-no-color", "destroy.tfplan")
	folded := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(folded, "Destroying the bucket would erase personal data") ||
		!strings.Contains(folded, fmt.Sprintf("Bucket %q holds 1 object versions and force_destroy is false, so the destroy stopped", name)) {
		t.Errorf("the destroy did not refuse a bucket that received data after the plan (%v):\n%s", err, out)
	}
	if v, _ := acctest.Versions(t, name); v != 1 {
		t.Errorf("the bucket holds %d versions, want 1", v)
	}
	acctest.EmptyBucket(t, name)
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
}
