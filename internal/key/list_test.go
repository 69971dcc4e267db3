package key_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccKeyList_findsUnmanagedAndNonCompliant lists keys whose descriptions share a prefix: one the
// provider made, one made by the SDK with rotation, one without rotation, one an interrupted apply left
// half-made; one pending deletion and one in another region must not appear. Each filter must narrow the
// results to exactly the keys it names.
func TestAccKeyList_findsUnmanagedAndNonCompliant(t *testing.T) {
	prefix := acctest.BucketName()
	desc := func(s string) string { return prefix + " " + s }
	personal := []kmstypes.Tag{{TagKey: aws.String("gdpr-personal-data"), TagValue: aws.String("true")}}
	sdkOK := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String(desc("sdk-ok")), Tags: personal}, true)
	unrotated := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String(desc("unrotated")), Tags: personal}, false)
	halfMade := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String(desc("halfmade")),
		Tags: []kmstypes.Tag{{TagKey: aws.String(awsapi.CreatingTag), TagValue: aws.String("list-test")}}}, true)
	deleted := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String(desc("deleted")), Tags: personal}, true)
	if _, err := acctest.KMS(t, acctest.Region).ScheduleKeyDeletion(context.Background(),
		&kms.ScheduleKeyDeletionInput{KeyId: &deleted, PendingWindowInDays: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	elsewhere := acctest.KMS(t, "eu-west-1")
	out, err := elsewhere.CreateKey(context.Background(), &kms.CreateKeyInput{Description: aws.String(desc("elsewhere")), Tags: personal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = elsewhere.ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: out.KeyMetadata.KeyId, PendingWindowInDays: aws.Int32(7)})
	})

	byKey := func(id string) queryfilter.QueryFilter {
		return queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
			"account_id": knownvalue.NotNull(), "region": knownvalue.StringExact(acctest.Region), "id": knownvalue.StringExact(id),
		})
	}
	display := func(list, id, description, want string) querycheck.QueryResultCheck {
		return querycheck.ExpectResourceDisplayName(list, byKey(id),
			knownvalue.StringExact(fmt.Sprintf("%s %q (EU, eu-central-1): %s", id, description, want)))
	}
	broken := func(list, id string, want ...string) querycheck.QueryResultCheck {
		checks := []knownvalue.Check{}
		for _, w := range want {
			checks = append(checks, knownvalue.StringExact(w))
		}
		return querycheck.ExpectResourceKnownValues(list, byKey(id), []querycheck.KnownValueCheck{
			{Path: tfjsonpath.New("guarantees_broken"), KnownValue: knownvalue.ListExact(checks)},
			{Path: tfjsonpath.New("id"), KnownValue: knownvalue.StringExact(id)},
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{acctest.ListResources},
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: keyConfig(fmt.Sprintf(`
  description          = %q
  deletion_window_days = 7
  tags                 = { "gdpr-personal-data" = "true" }
`, desc("managed"))),
			},
			{
				Query: true,
				// The query runs beside the configuration of the first step, whose provider block it uses.
				Config: fmt.Sprintf(`
list "gdpr_key" "all" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %[1]q
  }
}

list "gdpr_key" "non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    non_compliant_only = true
  }
}

list "gdpr_key" "personal" {
  provider = gdpr
  config {
    name_prefix = %[1]q
    tags        = { "gdpr-personal-data" = "true" }
  }
}

list "gdpr_key" "personal_non_compliant" {
  provider = gdpr
  config {
    name_prefix        = %[1]q
    tags               = { "gdpr-personal-data" = "true" }
    non_compliant_only = true
  }
}
`, prefix+" "),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("gdpr_key.all", 4),
					querycheck.ExpectResourceDisplayName("gdpr_key.all",
						queryfilter.ByDisplayName(knownvalue.StringRegexp(regexp.MustCompile(regexp.QuoteMeta(desc("managed"))))),
						knownvalue.StringRegexp(regexp.MustCompile(`^[-0-9a-f]+ "`+regexp.QuoteMeta(desc("managed"))+`" \(EU, eu-central-1\): compliant$`))),
					display("gdpr_key.all", sdkOK, desc("sdk-ok"), "compliant"),
					display("gdpr_key.all", unrotated, desc("unrotated"), "breaks: rotation"),
					display("gdpr_key.all", halfMade, desc("halfmade"), "left half-made by an interrupted apply"),
					broken("gdpr_key.all", sdkOK),
					broken("gdpr_key.all", unrotated, "rotation"),
					broken("gdpr_key.all", halfMade),

					querycheck.ExpectLength("gdpr_key.non_compliant", 2),
					querycheck.ExpectLength("gdpr_key.personal", 3),
					querycheck.ExpectLength("gdpr_key.personal_non_compliant", 1),
					display("gdpr_key.personal_non_compliant", unrotated, desc("unrotated"), "breaks: rotation"),
				},
			},
		},
	})
}

// terraform query -generate-config-out writes, for a key made outside Terraform that keeps every guarantee,
// an import block by identity and a resource that validates; applied, it adopts the key unchanged.
func TestAccKeyList_generatedConfigImports(t *testing.T) {
	acctest.RequireEmulator(t)
	acctest.Require(t, acctest.ListResources)
	description := acctest.BucketName() + " adopted"
	id := acctest.CreateKey(t, &kms.CreateKeyInput{Description: aws.String(description), KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt,
		Tags: []kmstypes.Tag{{TagKey: aws.String("team"), TagValue: aws.String("records")}}}, true)
	w := acctest.NewWorkdir(t, acctest.CLIProviderHeader()+acctest.ProviderConfig(acctest.Region, ""))
	out, generated := w.Query(fmt.Sprintf(`
list "gdpr_key" "found" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = %q
  }
}
`, description))
	if want := fmt.Sprintf("%s %q (EU, eu-central-1): compliant", id, description); !strings.Contains(out, want) {
		t.Errorf("terraform query does not show %q:\n%s", want, out)
	}
	if !regexp.MustCompile(`(?s)identity\s*=\s*\{.*\bid\s*=\s*"` + id + `"`).MatchString(generated) {
		t.Errorf("the generated import block does not name the key by its identity:\n%s", generated)
	}
	plan, err := acctest.Plan(t, w)
	if err != nil || !strings.Contains(plan, "Plan: 1 to import, 0 to add, 0 to change, 0 to destroy.") {
		t.Fatalf("plan of the generated configuration: want one import and nothing else (%v):\n%s", err, plan)
	}
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	if got := acctest.StateIDs(t, w, "gdpr_key"); len(got) != 1 || got[0] != id {
		t.Errorf("after the apply the state holds %v, want the key %s", got, id)
	}
	if err := checkKeyInEmulator(t, id, description, map[string]string{"team": "records"}); err != nil {
		t.Error(err)
	}
}
