package key_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

func TestAccKey_basic(t *testing.T) {
	var keyID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkKeysPendingDeletion(t, &keyID, 9),
		Steps: []resource.TestStep{
			{
				Config: keyConfig(`
  description          = "customer records"
  deletion_window_days = 9
  rotation_period_days = 180
  tags = { purpose = "crm" }
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("region"), knownvalue.StringExact(acctest.Region)),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("jurisdiction"), knownvalue.StringExact("EU")),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("arn"), knownvalue.StringRegexp(regexp.MustCompile(`^arn:aws:kms:eu-central-1:\d{12}:key/`))),
					statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("policy"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					acctest.CaptureID(keyAddr, &keyID),
					func(*terraform.State) error {
						return checkKeyInEmulator(t, keyID, "customer records", map[string]string{"purpose": "crm"})
					},
				),
			},
			{
				ResourceName:      keyAddr,
				ImportState:       true,
				ImportStateVerify: true,
				// The deletion window exists only in configuration until the key is destroyed. The emulator
				// does not report the rotation period (AWS does), so an import there reads the default.
				ImportStateVerifyIgnore: []string{"deletion_window_days", "rotation_period_days"},
			},
		},
	})
}

func TestAccKey_everyArgumentForcesReplacement(t *testing.T) {
	base := map[string]string{
		"description":          `"replace me"`,
		"deletion_window_days": `7`,
		"rotation_period_days": `90`,
		"policy":               policyJSON("kms:*"),
		"tags":                 `{ team = "a" }`,
	}
	changed := map[string]string{
		"description":          `"replaced"`,
		"deletion_window_days": `8`,
		"rotation_period_days": `91`,
		"policy":               policyJSON("kms:Describe*"),
		"tags":                 `{ team = "b" }`,
	}
	// deletion_window_days governs only the destroy: it is updated in the state alone (last step).
	order := []string{"description", "rotation_period_days", "policy", "tags"}
	render := func(v map[string]string) string {
		return keyConfig(acctest.RenderArguments(append([]string{"deletion_window_days"}, order...), v))
	}
	var ids []string
	steps, current := acctest.ReplacementSteps(keyAddr, order, base, changed, render, &ids)
	// Reformatting the policy changes no meaning, so it must not plan anything.
	reformatted := maps.Clone(current)
	reformatted["policy"] = strings.ReplaceAll(current["policy"], ",", " ,\n ")
	steps = append(steps, resource.TestStep{
		Config: render(reformatted),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
		},
		Check: acctest.DistinctIDs(&ids, len(order)+1),
	})
	window := maps.Clone(current)
	window["deletion_window_days"] = changed["deletion_window_days"]
	steps = append(steps, resource.TestStep{
		Config: render(window),
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(keyAddr, plancheck.ResourceActionUpdate)},
		},
		ConfigStateChecks: []statecheck.StateCheck{
			statecheck.ExpectKnownValue(keyAddr, tfjsonpath.New("deletion_window_days"), knownvalue.Int64Exact(8)),
		},
		Check: func(st *terraform.State) error {
			if id := st.RootModule().Resources[keyAddr].Primary.ID; id != ids[len(ids)-1] {
				return fmt.Errorf("changing deletion_window_days made key %s, want %s kept", id, ids[len(ids)-1])
			}
			return nil
		},
	})
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

// TestAccKey_requests counts what a key costs. Apply: ListKeys twice, looking for keys an interrupted apply
// left half-made, once by the plan and once by the create (each subtest has a region of its own, where
// there are none whose tags to read), CreateKey,
// EnableKeyRotation, UntagResource to remove the creation marker and, only for the AWS default policy,
// GetKeyPolicy to learn it; everything else is known from the request and CreateKey's answer. Refresh:
// DescribeKey, then rotation, policy and tags.
func TestAccKey_requests(t *testing.T) {
	acctest.RequireEmulator(t)
	refresh := []string{"kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:GetKeyPolicy", "kms:ListResourceTags"}
	for _, tc := range []struct {
		name, region, body string
		apply              []string
	}{
		{"default_policy", "eu-south-1", "", []string{"kms:ListKeys", "kms:ListKeys", "kms:CreateKey", "kms:EnableKeyRotation", "kms:UntagResource", "kms:GetKeyPolicy"}},
		{"own_policy", "eu-south-2", `policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{ Sid = "Root", Effect = "Allow", Principal = { AWS = "arn:aws:iam::123456789012:root" }, Action = "kms:*", Resource = "*" }]
  })`, []string{"kms:ListKeys", "kms:ListKeys", "kms:CreateKey", "kms:EnableKeyRotation", "kms:UntagResource"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			apply, got := acctest.Requests(t, tc.region, fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "requests %s"
  deletion_window_days = 7
  tags                 = { purpose = "requests" }
  %s
}`, tc.name, tc.body))
			acctest.CheckRequests(t, "apply", apply, tc.apply)
			acctest.CheckRequests(t, "refresh", got, refresh)
		})
	}
}

// TestAccKey_createEnablesRotation applies a gdpr_key and asks KMS, not the state, whether the resource's
// Create turned on automatic rotation with the configured period: a Create that saves the key without
// rotation fails here, even where the AWS layer's own tests pass.
func TestAccKey_createEnablesRotation(t *testing.T) {
	var keyID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             checkKeysPendingDeletion(t, &keyID, 7),
		Steps: []resource.TestStep{{
			Config: keyConfig(`
  description          = "rotated records"
  deletion_window_days = 7
  rotation_period_days = 120
`),
			Check: resource.ComposeAggregateTestCheckFunc(
				acctest.CaptureID(keyAddr, &keyID),
				func(*terraform.State) error { return checkRotationInEmulator(t, keyID, 120) },
			),
		}},
	})
}

// TestAccKey_createdIsWhatKMSReports creates keys the way Create does, which saves the key that CreateKey's
// answer and its own requests describe instead of reading it back, and checks that ReadKey then reports
// exactly that key, field by field (the policy by meaning), so the two cannot drift apart.
func TestAccKey_createdIsWhatKMSReports(t *testing.T) {
	acctest.RequireEmulator(t)
	ctx := context.Background()
	c := acctest.EmulatorClients(t, acctest.Region)
	own := `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}`
	for name, in := range map[string]awsapi.KeyInput{
		"default policy, no tags": {Description: "created default"},
		"own policy and tags":     {Description: "created own", Policy: own, Tags: map[string]string{"purpose": "crm"}},
	} {
		t.Run(name, func(t *testing.T) {
			want, err := c.CreateKey(ctx, in, "test")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _, _ = c.ScheduleKeyDeletion(context.Background(), want.ID, 7) })
			if err := c.EnableKeyRotation(ctx, want, 180); err != nil {
				t.Fatal(err)
			}
			if want.Policy == "" {
				if want.Policy, err = c.KeyPolicy(ctx, want.ID); err != nil {
					t.Fatal(err)
				}
			}
			got, err := c.ReadKey(ctx, want.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.RotationPeriodDays == nil {
				// The emulator does not report the period; AWS does, and then it must match too.
				got.RotationPeriodDays = want.RotationPeriodDays
			}
			var gotPolicy, wantPolicy any
			if err := errors.Join(json.Unmarshal([]byte(got.Policy), &gotPolicy), json.Unmarshal([]byte(want.Policy), &wantPolicy)); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(gotPolicy, wantPolicy) {
				t.Errorf("KMS reports the policy %s, the create implies %s", got.Policy, want.Policy)
			}
			g, w := *got, *want
			g.Policy, w.Policy = "", ""
			if !reflect.DeepEqual(g, w) {
				t.Errorf("KMS reports\n%+v\nthe create implies\n%+v", g, w)
			}
		})
	}
}
