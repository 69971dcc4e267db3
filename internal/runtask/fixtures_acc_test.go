package runtask

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

var updateFixtures = flag.Bool("update-fixtures", false, "write the plans the acceptance tests make to testdata/")

// gdprProviderSteps are the configurations behind testdata/gdpr_provider.json: the first is applied, and
// the plan of the second is the fixture. Against the first, the second forgets a key (a removed block with
// destroy = false), hides a changed description behind ignore_changes, updates a bucket's force_destroy in
// place (the one kind of in-place update the provider makes), and adds a key.
func gdprProviderSteps() (applied, planned string) {
	provider := acctest.CLIProviderHeader() + acctest.ProviderConfig(acctest.Region, "")
	applied = provider + `
resource "gdpr_key" "ignored" {
  description = "customers"
}

resource "gdpr_key" "forgotten" {
  description = "exports"
}

resource "gdpr_key" "bucket" {
  description = "records"
}

resource "gdpr_bucket" "records" {
  bucket_prefix   = "runtask-fixture-"
  kms_key_arn     = gdpr_key.bucket.arn
  expiration_days = 30
}
`
	planned = provider + `
resource "gdpr_key" "ignored" {
  description = "customers, renamed"
  lifecycle {
    ignore_changes = [description]
  }
}

removed {
  from = gdpr_key.forgotten
  lifecycle {
    destroy = false
  }
}

resource "gdpr_key" "bucket" {
  description = "records"
}

resource "gdpr_bucket" "records" {
  bucket_prefix   = "runtask-fixture-"
  kms_key_arn     = gdpr_key.bucket.arn
  expiration_days = 30
  force_destroy   = true
}

resource "gdpr_key" "added" {
  description = "new"
}
`
	return applied, planned
}

// TestAccRunTask_planOfTheGdprProvider makes the plan of gdprProviderSteps with the real Terraform CLI and
// the provider against the emulator, and checks it through the whole server; with -update-fixtures it
// writes the plan to testdata/gdpr_provider.json for the tests that run without the emulator.
func TestAccRunTask_planOfTheGdprProvider(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("TF_ACC is not set: this test runs Terraform against the emulator")
	}
	acctest.Require(t, acctest.RemovedKeepsObject)
	applied, planned := gdprProviderSteps()
	w := acctest.NewWorkdir(t, applied)
	w.MustTerraform("apply", "-auto-approve", "-no-color")
	t.Cleanup(func() {
		_ = os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, "")), 0o600)
		w.MustTerraform("destroy", "-auto-approve", "-no-color")
	})
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(planned), 0o600); err != nil {
		t.Fatal(err)
	}
	w.MustTerraform("plan", "-out=tfplan", "-no-color")
	plan := []byte(w.MustTerraform("show", "-json", "tfplan"))
	if *updateFixtures {
		if err := os.WriteFile(filepath.Join("testdata", "gdpr_provider.json"), plan, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := evaluateThroughServer(t, plan)
	want := []string{"forget-personal-data:gdpr_key.forgotten", "gdpr-ignore-changes:gdpr_key.ignored"}
	if !slices.Equal(got, want) {
		t.Fatalf("outcomes %v, want %v", got, want)
	}
}
