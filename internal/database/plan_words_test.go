package database_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccDatabase_plansSayWhatHappens reads the plans a user reads, through the Terraform CLI: a move's plan
// says the data moves, through a copy under the new key when the key changes, and how long the database is
// unavailable; a destroy's plan with force_destroy says what is erased, backups included; without
// force_destroy it stops, saying how to proceed.
func TestAccDatabase_plansSayWhatHappens(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	id := randomIdentifier("words")
	config := func(body string) string { return acctest.CLIProviderHeader() + dbConfig("", id, body) }
	w := acctest.NewWorkdir(t, config("  on_replace = \"move_data\"\n"))
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	t.Cleanup(func() {
		w.Write(config("  on_replace = \"move_data\"\n  force_destroy = true\n"))
		w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
		w.MustTerraform("destroy", "-input=false", "-auto-approve", "-no-color")
	})
	expect := func(out string, patterns ...string) {
		t.Helper()
		flat := strings.Join(strings.Fields(out), " ")
		for _, p := range patterns {
			if !regexp.MustCompile(p).MatchString(flat) {
				t.Errorf("the plan does not say %q:\n%s", p, out)
			}
		}
	}

	w.Write(config("  on_replace = \"move_data\"\n  kms_key_arn = gdpr_key.b.arn\n"))
	out := w.MustTerraform("plan", "-input=false", "-no-color")
	expect(out, `Warning: Database data will be moved`,
		`Database "`+id+`" \(50 GiB\) is replaced in this apply and keeps its data and its identifier`,
		`copies the snapshot under the new KMS key`,
		`unavailable from the final snapshot until the restore completes`,
		`must be replaced`)

	w.Write(config("  on_replace = \"move_data\"\n"))
	out, err := w.Terraform("plan", "-destroy", "-input=false", "-no-color")
	if err == nil {
		t.Fatalf("the destroy of a database without force_destroy was planned:\n%s", out)
	}
	expect(out, `Error: Database holds data`, `set force_destroy = true, apply, then destroy`)

	w.Write(config("  on_replace = \"move_data\"\n  force_destroy = true\n"))
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-no-color")
	out = w.MustTerraform("plan", "-destroy", "-input=false", "-no-color")
	expect(out, `Warning: Database will be erased`, `automated backups \(up to 7 days of point-in-time recovery\)`,
		`No final snapshot is taken`)
}
