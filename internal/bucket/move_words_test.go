package bucket_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// moveCLIWorkdir applies moveConfig in a working directory of its own, with and without create_before_destroy,
// and returns it with the name of the bucket it made; the test's end destroys it, emptied.
func moveCLIWorkdir(t *testing.T, prefix string, cbd bool) (*acctest.Workdir, string) {
	t.Helper()
	acctest.RequireEmulator(t)
	w := acctest.NewWorkdir(t, moveCLIConfig(prefix, 30, cbd))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	name := strings.TrimSpace(w.MustTerraform("output", "-raw", "name"))
	t.Cleanup(func() {
		acctest.EmptyBucket(t, name)
		w.MustTerraform("destroy", "-input=false", "-auto-approve")
	})
	return w, name
}

// moveCLIConfig is moveConfig for a Workdir, with the bucket's name as an output.
func moveCLIConfig(prefix string, days int, cbd bool) string {
	return acctest.CLIProviderHeader() + moveConfig("", prefix, "move words", days, cbd) +
		"\noutput \"name\" {\n  value = gdpr_bucket.test.id\n}\n"
}

// TestAccBucket_movePlanSaysItNeedsCreateBeforeDestroy: a provider is not told a resource's lifecycle, so
// the plan of a move without create_before_destroy cannot fail; its warning must say that the apply will
// stop without it, and where the plan is checked for it, rather than promise that the data will move.
func TestAccBucket_movePlanSaysItNeedsCreateBeforeDestroy(t *testing.T) {
	prefix := movePrefix()
	w, name := moveCLIWorkdir(t, prefix, false)
	acctest.PutObject(t, name, "customers/1.json", `{"customer":1}`, nil)
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(moveCLIConfig(prefix, 31, false)), 0o600); err != nil {
		t.Fatal(err)
	}
	plan, err := acctest.Plan(t, w)
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, plan)
	}
	for _, want := range []string{
		"Bucket data will move to the new bucket",
		"The move needs lifecycle { create_before_destroy = true } on this resource, which Terraform does not show providers",
		`the apply stops at that delete ("Bucket data has nowhere to move"), having erased nothing`,
		"The policy pack in examples/policy and the run task (terraform-provider-gdpr run-task serve)",
		"moved_from, moved_objects and moved_bytes appear in the state at the next refresh",
	} {
		if !strings.Contains(plan, want) {
			t.Errorf("the plan of a move without create_before_destroy does not say %q:\n%s", want, plan)
		}
	}
}

// TestAccBucket_destroyOfMoveDataBucketSaysADestroyMovesNothing: destroying a bucket with on_replace =
// "move_data" and create_before_destroy that holds data stops at plan, saying that a destroy moves nothing
// and how to erase or keep the data, not to add the create_before_destroy it already has.
func TestAccBucket_destroyOfMoveDataBucketSaysADestroyMovesNothing(t *testing.T) {
	w, name := moveCLIWorkdir(t, movePrefix(), true)
	acctest.PutObject(t, name, "customers/1.json", `{"customer":1}`, nil)
	out, err := w.Terraform("destroy", "-input=false", "-auto-approve", "-no-color")
	out = strings.Join(strings.Fields(out), " ")
	if err == nil {
		t.Fatalf("the destroy of a bucket holding data without force_destroy succeeded:\n%s", out)
	}
	for _, want := range []string{
		"Destroying the bucket would erase personal data",
		"A destroy does not move data",
		"set force_destroy = true and apply that change on its own first",
		"every object version and delete marker is deleted",
		"to keep the data, copy it to another bucket first",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the destroy does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "add it and apply again") {
		t.Errorf("the destroy tells to add create_before_destroy, which the bucket has and a destroy does not use:\n%s", out)
	}
	if v, _ := acctest.Versions(t, name); v != 1 {
		t.Errorf("bucket %s holds %d versions after the refused destroy, want its 1", name, v)
	}
}
