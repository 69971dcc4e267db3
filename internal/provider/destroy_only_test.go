package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccDestroyOnly_updatesTheStateAlone applies a key and a bucket, writes an object into the bucket, then
// turns force_destroy on, sets on_replace to move_data and lengthens the key's deletion_window_days, as a
// user does before retiring a bucket that holds data. The plan updates both in place (nothing is replaced, no error about the data),
// and plan and apply together send no request at all to AWS: the change is written to the state alone.
// The destroy then empties and deletes the bucket, and schedules the key's deletion with the new window.
func TestAccDestroyOnly_updatesTheStateAlone(t *testing.T) {
	acctest.RequireEmulator(t)
	region := acctest.Region
	name := acctest.BucketName()
	config := func(forceDestroy bool, window int) string {
		onReplace := "refuse"
		if forceDestroy {
			onReplace = "move_data"
		}
		return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "destroy-only %[1]s"
  deletion_window_days = %[2]d
}

resource "gdpr_bucket" "test" {
  bucket          = %[1]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = %[3]t
  on_replace      = %[4]q
}
`, name, window, forceDestroy, onReplace)
	}
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "1", config(false, 7)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	keyID := acctest.StateIDs(t, w, "gdpr_key")[0]
	acctest.PutObject(t, name, "records/1.json", `{"name":"Ada"}`, nil)

	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(acctest.FaultConfig(proxy.URL, region, "1", config(true, 10))), 0o600); err != nil {
		t.Fatal(err)
	}
	proxy.Reset()
	out := w.MustTerraform("apply", "-input=false", "-auto-approve", "-refresh=false", "-no-color")
	if !strings.Contains(out, "0 added, 2 changed, 0 destroyed") {
		t.Errorf("the apply did not update both in place:\n%s", out)
	}
	if seen := proxy.Seen(); len(seen) > 0 {
		t.Errorf("updating force_destroy, on_replace and deletion_window_days sent %d requests to AWS, want none: %v", len(seen), seen)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after the update is not empty:\n%s", out)
	}

	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	if ok, err := acctest.BucketExists(t, name); err != nil || ok {
		t.Errorf("the bucket holding an object still exists after destroy with force_destroy (err %v)", err)
	}
	k, err := acctest.KMS(t, region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &keyID})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(*k.KeyMetadata.DeletionDate); d < 9*24*time.Hour || d > 11*24*time.Hour {
		t.Errorf("the key's deletion completes in %s, want the new window of 10 days", d.Round(time.Hour))
	}
}
