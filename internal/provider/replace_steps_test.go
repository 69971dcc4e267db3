package provider_test

import (
	"fmt"
	"maps"
	"strings"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// replacementSteps builds the steps that prove every argument forces a replacement: a first configuration
// with the base values, then one step per argument, in order, that changes it and expects the plan to
// replace the resource at addr. Each step appends the resource's id to ids. It returns the steps and the
// arguments as the last step left them.
func replacementSteps(addr string, order []string, base, changed map[string]string, render func(map[string]string) string, ids *[]string) ([]resource.TestStep, map[string]string) {
	steps := []resource.TestStep{{Config: render(base), Check: appendID(addr, ids)}}
	current := maps.Clone(base)
	for _, attr := range order {
		current[attr] = changed[attr]
		steps = append(steps, resource.TestStep{
			Config: render(current),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
			},
			Check: appendID(addr, ids),
		})
	}
	return steps, current
}

// renderArguments writes the arguments in order as the body of a resource block.
func renderArguments(order []string, args map[string]string) string {
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "  %s = %s\n", k, args[k])
	}
	return b.String()
}

// appendID appends the id of the resource at addr to ids.
func appendID(addr string, ids *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var id string
		if err := captureID(addr, &id)(s); err != nil {
			return err
		}
		*ids = append(*ids, id)
		return nil
	}
}

// distinctIDs checks that every step made a new resource: n ids, none seen twice.
func distinctIDs(ids *[]string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		seen := map[string]bool{}
		for _, id := range *ids {
			if seen[id] {
				return fmt.Errorf("%s was reused; every change must create a new resource (ids %v)", id, *ids)
			}
			seen[id] = true
		}
		if len(*ids) != n {
			return fmt.Errorf("saw %d resources, want %d", len(*ids), n)
		}
		return nil
	}
}
