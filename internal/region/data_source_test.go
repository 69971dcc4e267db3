package region_test

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

func TestAccRegionDataSource_everyCloud(t *testing.T) {
	check := func(addr string, values map[string]knownvalue.Check) []statecheck.StateCheck {
		var out []statecheck.StateCheck
		for attr, v := range values {
			out = append(out, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), v))
		}
		return out
	}
	var checks []statecheck.StateCheck
	checks = append(checks, check("data.gdpr_region.frankfurt", map[string]knownvalue.Check{
		"cloud":             knownvalue.StringExact("aws"),
		"country_code":      knownvalue.StringExact("DE"),
		"country":           knownvalue.StringExact("Germany"),
		"jurisdiction":      knownvalue.StringExact("EU"),
		"eu_member":         knownvalue.Bool(true),
		"eea_member":        knownvalue.Bool(true),
		"adequacy_decision": knownvalue.StringExact(""),
		"allowed":           knownvalue.Bool(true),
		"reason":            knownvalue.StringRegexp(regexp.MustCompile(`EU member state`)),
		"dataset_as_of":     knownvalue.StringExact("2026-11-23"),
	})...)
	checks = append(checks, check("data.gdpr_region.virginia", map[string]knownvalue.Check{
		"country_code":      knownvalue.StringExact("US"),
		"jurisdiction":      knownvalue.StringExact("PARTIAL_ADEQUACY"),
		"eu_member":         knownvalue.Bool(false),
		"adequacy_decision": knownvalue.StringRegexp(regexp.MustCompile(`2023/1795`)),
		"allowed":           knownvalue.Bool(false),
		"reason":            knownvalue.StringRegexp(regexp.MustCompile(`certified under the EU-US Data Privacy Framework; note that an appeal against the decision, case C-703/25 P`)),
	})...)
	checks = append(checks, check("data.gdpr_region.oslo", map[string]knownvalue.Check{
		"cloud":        knownvalue.StringExact("azure"),
		"country_code": knownvalue.StringExact("NO"),
		"jurisdiction": knownvalue.StringExact("EEA"),
		"eu_member":    knownvalue.Bool(false),
		"eea_member":   knownvalue.Bool(true),
		"allowed":      knownvalue.Bool(true),
	})...)
	checks = append(checks, check("data.gdpr_region.zurich", map[string]knownvalue.Check{
		"country_code":      knownvalue.StringExact("CH"),
		"jurisdiction":      knownvalue.StringExact("ADEQUACY"),
		"adequacy_decision": knownvalue.StringRegexp(regexp.MustCompile(`2000/518/EC`)),
		"allowed":           knownvalue.Bool(false),
	})...)
	// The cloud is accepted in any case, as the functions accept it, and reported in lower case.
	checks = append(checks, check("data.gdpr_region.zurich_upper_case", map[string]knownvalue.Check{
		"cloud":        knownvalue.StringExact("gcp"),
		"country_code": knownvalue.StringExact("CH"),
	})...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig(acctest.Region, "") + `
data "gdpr_region" "frankfurt" {
  region = "eu-central-1"
}
data "gdpr_region" "virginia" {
  region = "us-east-1"
}
data "gdpr_region" "oslo" {
  cloud  = "azure"
  region = "norwayeast"
}
data "gdpr_region" "zurich" {
  cloud  = "gcp"
  region = "europe-west6"
}
data "gdpr_region" "zurich_upper_case" {
  cloud  = "GCP"
  region = "europe-west6"
}`,
			ConfigStateChecks: checks,
		}},
	})
}

// A provider whose own region is not allowed still answers data sources: they report, resources enforce.
func TestAccRegionDataSource_worksOutsideAllowedJurisdictions(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig("us-east-1", `  allowed_jurisdictions = ["EU", "CH"]`) + `
data "gdpr_region" "zurich" {
  region = "eu-central-2"
}`,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.gdpr_region.zurich", tfjsonpath.New("allowed"), knownvalue.Bool(true)),
				statecheck.ExpectKnownValue("data.gdpr_region.zurich", tfjsonpath.New("reason"),
					knownvalue.StringRegexp(regexp.MustCompile(`\[EU, CH\] allows`))),
			},
		}},
	})
}

// regionBadInputs are the configurations of gdpr_region that must fail at validate or plan time.
func regionBadInputs() []acctest.BadInput {
	var out []acctest.BadInput
	for name, tc := range map[string]struct{ body, want string }{
		"unknown region":      {`region = "eu-middle-9"`, `(?s)Unknown region.*region.*unknown aws region "eu-middle-9".*gdpr_region data\s+source documentation`},
		"unknown cloud":       {`cloud = "oracle"` + "\n" + `region = "eu-frankfurt-1"`, `(?s)cloud.*value must be one of`},
		"wrong case":          {`region = "EU-CENTRAL-1"`, `(?s)Unknown region.*case-sensitive`},
		"trailing space":      {`region = "eu-central-1 "`, `(?s)Invalid AWS region.*region.*"eu-central-1 " is not an AWS region name: region\s+names are lower-case words.*write "eu-central-1"`},
		"newline":             {`region = "eu-central-1\n"`, `(?s)Invalid AWS region.*"eu-central-1\\n" is not an AWS region name`},
		"azure name with aws": {`region = "germany west central"`, `(?s)Invalid AWS region.*"germany west central" is not an AWS region name`},
		"isolated partition": {`region = "us-isof-south-1"`, `(?s)Unknown region.*region.*` + acctest.Wrapped(regexp.QuoteMeta(
			`aws region "us-isof-south-1" is in the isolated partition aws-iso-f; isolated AWS partitions (aws-iso, aws-iso-b, aws-iso-e, aws-iso-f) are not covered by the provider's jurisdiction data.`))},
	} {
		out = append(out, acctest.BadInput{Kind: "gdpr_region", Name: name, Want: tc.want,
			Config: acctest.ProviderConfig(acctest.Region, "") + "data \"gdpr_region\" \"x\" {\n" + tc.body + "\n}\n"})
	}
	return out
}

func TestAccRegionDataSource_badInputs(t *testing.T) {
	acctest.RunBadInputs(t, regionBadInputs(), 7)
}
