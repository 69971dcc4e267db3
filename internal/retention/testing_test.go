package retention_test

import (
	"regexp"

	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expect checks several attributes of one data source at once.
func expect(addr string, values map[string]knownvalue.Check) []statecheck.StateCheck {
	var out []statecheck.StateCheck
	for attr, v := range values {
		out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v))
	}
	return out
}

// reasonLike matches a reason against a regular expression.
func reasonLike(pattern string) knownvalue.Check {
	return knownvalue.StringRegexp(regexp.MustCompile(pattern))
}
