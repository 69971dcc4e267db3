package move_test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccMoveObjects_faultMidwayThenReinvokeFinishes moves five objects through a proxy that fails every
// CopyObject from the third on with an error no retryer retries: the invocation fails saying the move is
// incomplete and erases nothing, since no page was verified whole; invoked again without the fault, it finds
// the copies already there, copies the rest, verifies everything and empties the source, with one move event.
func TestAccMoveObjects_faultMidwayThenReinvokeFinishes(t *testing.T) {
	acctest.RequireActions(t)
	from, to := legacyBucket(t, nil), acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	proxy := acctest.NewProxy(t)
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "1", target(to, "")+moveAction("all", from, ""))
	cfg = strings.Replace(cfg, "  s3_use_path_style           = true\n", fmt.Sprintf("  s3_use_path_style           = true\n  audit = { path = %q }\n", trail), 1)
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	want := map[string]object{}
	for i := range 5 {
		key, body := fmt.Sprintf("customers/%d/profile.json", i), fmt.Sprintf(`{"n":%d}`, i)
		acctest.PutObject(t, from, key, body, func(in *s3.PutObjectInput) { in.ContentType = aws.String("application/json") })
		want[key] = object{body: body, contentType: "application/json", metadata: map[string]string{}, tags: map[string]string{}}
	}

	proxy.FailFrom("s3:PUT/object", 3, acctest.AccessDenied)
	out, err := invoke(w, "all")
	if err == nil || !regexp.MustCompile(`Move incomplete: The move from bucket "`+from+`" to bucket "`+to+`" stopped after 0 object\(s\) were moved`).MatchString(out) {
		t.Fatalf("the invocation with a fault did not fail as expected: %v\n%s", err, out)
	}
	if v, _ := versionCount(t, from); v != 5 {
		t.Fatalf("after the fault the source holds %d versions, want all 5: nothing is erased before its page is verified", v)
	}
	proxy.Disable()
	out, err = invoke(w, "all")
	if err != nil {
		t.Fatalf("invoking again: %v\n%s", err, out)
	}
	checkMoved(t, to, want)
	if v, m := versionCount(t, from); v != 0 || m != 0 {
		t.Errorf("after invoking again the source holds %d versions and %d delete markers, want none", v, m)
	}
	moves := moveEvents(t, trail)
	if len(moves) != 1 || moves[0].MovedObjects != "5" {
		t.Errorf("move events %+v, want one that counts 5 objects (the failed invocation moved none)", moves)
	}
}

// TestAccMoveObjects_afterCreateFillsTheNewBucket creates a gdpr_bucket whose action_trigger moves a legacy
// bucket's objects into it after its create: one apply makes the bucket and fills it, and the legacy bucket
// is left empty.
func TestAccMoveObjects_afterCreateFillsTheNewBucket(t *testing.T) {
	acctest.RequireActions(t)
	from, to := legacyBucket(t, nil), acctest.BucketName()
	want := seedLegacy(t, from)
	// The action names the bucket by its literal name: a resource's trigger cannot refer to the resource.
	config := acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "move tests"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket          = %[1]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = true

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_move_objects.fill]
    }
  }
}

action "gdpr_move_objects" "fill" {
  config {
    from = %[2]q
    to   = %[1]q
  }
}
`, to, from)
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+config)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color")
	t.Cleanup(func() {
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	if err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	checkMoved(t, to, want)
	if v, m := versionCount(t, from); v != 0 || m != 0 {
		t.Errorf("after the apply the legacy bucket holds %d versions and %d delete markers, want none", v, m)
	}
}
