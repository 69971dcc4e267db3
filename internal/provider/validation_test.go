package provider_test

import (
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// badInput is a configuration that must fail at validate or plan time, with an error matching want: the
// attribute's path (Terraform shows the offending line), what is wrong and what is allowed.
type badInput struct {
	kind, name, config, want string
}

// TestAccValidation_badInputs runs every bad input of the provider block, the resources and the data
// sources through Terraform's plan; nothing may reach apply.
func TestAccValidation_badInputs(t *testing.T) {
	var all []badInput
	for _, cases := range [][]badInput{providerBadInputs(), keyBadInputs(), bucketBadInputs(), serverBadInputs(),
		regionBadInputs(), retentionBadInputs()} {
		all = append(all, cases...)
	}
	perKind := map[string]int{}
	for _, c := range all {
		perKind[c.kind]++
	}
	for _, kind := range []string{"provider", "gdpr_key", "gdpr_bucket", "gdpr_server", "gdpr_region", "gdpr_retention"} {
		if perKind[kind] == 0 {
			t.Errorf("no bad input for %s", kind)
		}
	}
	if len(all) < 40 {
		t.Errorf("%d bad inputs, want at least 40", len(all))
	}
	sort.Slice(all, func(i, j int) bool { return all[i].kind+all[i].name < all[j].kind+all[j].name })
	for _, c := range all {
		t.Run(c.kind+"/"+c.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.want),
				}},
			})
		})
	}
}
