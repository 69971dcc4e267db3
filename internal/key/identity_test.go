package key_test

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
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// Resource identity came with Terraform 1.12 and OpenTofu 1.12.
var needsIdentity = []tfversion.TerraformVersionCheck{acctest.ResourceIdentity}

// A key the provider creates records its account, region and id as its identity, and an import block
// naming that identity adopts it.
func TestAccKey_identityIsRecordedAndImports(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsIdentity,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: keyConfig(`  description = "identity"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(keyAddr, map[string]knownvalue.Check{
						"account_id": knownvalue.StringExact(emulatorAccount),
						"region":     knownvalue.StringExact(acctest.Region),
						"id":         knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f-]{36}$`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(keyAddr, tfjsonpath.New("id")),
				},
			},
			{ResourceName: keyAddr, ImportState: true, ImportStateKind: resource.ImportBlockWithResourceIdentity},
		},
	})
}

// An import block needs only the id of the identity; the account and region default to the provider's and
// are recorded.
func TestAccKey_importByIdentity(t *testing.T) {
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("adopted")}, true)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsIdentity,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: identityImport(fmt.Sprintf("id = %q", id)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("id"), knownvalue.StringExact(id)),
				statecheck.ExpectIdentity(keyAddr, map[string]knownvalue.Check{
					"account_id": knownvalue.StringExact(emulatorAccount),
					"region":     knownvalue.StringExact(acctest.Region),
					"id":         knownvalue.StringExact(id),
				}),
			},
		}},
	})
}

// An identity naming another account or region than the provider manages is refused before anything is
// read, with the attribute, both values and the provider alias that can import it.
func TestAccKey_importByIdentityElsewhereFails(t *testing.T) {
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String("adopted")}, true)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   needsIdentity,
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: identityImport(fmt.Sprintf("id = %q\n    account_id = \"111122223333\"", id)),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot import gdpr_key.*identity names account "111122223333", and the ` +
					`provider's credentials belong to account "` + emulatorAccount + `".*Configure a provider alias`)),
			},
			{
				Config: identityImport(fmt.Sprintf("id = %q\n    region = \"eu-west-1\"", id)),
				ExpectError: regexp.MustCompile(acctest.Wrapped(`(?s)Cannot import gdpr_key.*identity names region "eu-west-1", and the ` +
					`gdpr_key would be managed in region "` + acctest.Region + `"`)),
			},
		},
	})
}

// A read that finds the key under another identity than the state's (here: a state edited to name another
// account) warns and plans a replacement instead of adopting what it found; with the identity restored the
// plan is empty again.
func TestAccKey_anotherIdentityIsReplacedNotAdopted(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ResourceIdentity)
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+keyConfig(`  description = "identity"`))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	defer w.MustTerraform("destroy", "-input=false", "-auto-approve")

	w.SetStateIdentity(keyAddr, "account_id", "111122223333")
	out, err := w.Terraform("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err == nil || !strings.Contains(out, "gdpr_key is not the resource Terraform recorded") ||
		!strings.Contains(out, `account_id "111122223333", now "`+emulatorAccount+`"`) ||
		!strings.Contains(out, "must be replaced") {
		t.Fatalf("plan with another identity: want the warning and a replacement, got (%v):\n%s", err, out)
	}

	w.SetStateIdentity(keyAddr, "account_id", emulatorAccount)
	if out := w.MustTerraform("plan", "-input=false", "-no-color", "-detailed-exitcode"); !strings.Contains(out, "No changes") {
		t.Fatalf("plan with the identity restored: want no changes, got:\n%s", out)
	}
}

// identityImport is an import block naming the key by the identity attributes given, and the key.
func identityImport(attrs string) string {
	return keyConfig(`  description = "adopted"`) + fmt.Sprintf(`
import {
  to = gdpr_key.test
  identity = {
    %s
  }
}
`, attrs)
}

// A state without identities (written by Terraform 1.11 or an earlier provider) keeps working: an update of
// the state alone, and a refresh that finds the key gone, each record an identity instead of failing with
// "Missing Resource Identity".
func TestAccKey_stateWithoutIdentity(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ResourceIdentity)
	config := func(window int) string {
		return acctest.CLIProviderHeader() + keyConfig(fmt.Sprintf("  description = \"no identity\"\n  deletion_window_days = %d", window))
	}
	w := acctest.NewWorkdir(t, config(7))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	id := acctest.StateIDs(t, w, "gdpr_key")[0]

	w.SetStateIdentity(keyAddr, "", "")
	if err := os.WriteFile(filepath.Join(w.Dir, "main.tf"), []byte(config(8)), 0o600); err != nil {
		t.Fatal(err)
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-refresh=false")
	w.SetStateIdentity(keyAddr, "account_id", emulatorAccount) // fails unless the update recorded an identity

	w.SetStateIdentity(keyAddr, "", "")
	if _, err := acctest.KMS(t, acctest.Region).ScheduleKeyDeletion(context.Background(),
		&kms.ScheduleKeyDeletionInput{KeyId: &id, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	if out := w.MustTerraform("plan", "-input=false", "-no-color"); !strings.Contains(out, "will be created") {
		t.Errorf("plan after the key was scheduled for deletion: want a new key, got:\n%s", out)
	}
}
