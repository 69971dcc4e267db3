// Package policy decides the provider's residency and retention rules on
// plain values, so that resources (which enforce them at plan), data sources
// and functions (which report them to module authors) share one
// implementation and one wording (wording.go).
package policy

import (
	"strings"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// Defaults of the provider block's allowed_jurisdictions and max_retention_days, here so that every caller
// of the rules (the provider, the run task) starts from the same ones.
const (
	DefaultJurisdiction     = string(jurisdiction.EEA)
	DefaultMaxRetentionDays = 3650
)

// Decision is the outcome of a residency or retention check. Reason is the
// sentence shown verbatim in plan diagnostics and data source attributes: for
// residency it names the region, its country and the policy.
type Decision struct {
	Allowed bool
	Reason  string
}

// keywords are the policy values that name a jurisdiction rather than a
// country; each one admits the jurisdictions listed for it.
var keywords = map[string][]jurisdiction.Jurisdiction{
	string(jurisdiction.EU):              {jurisdiction.EU},
	string(jurisdiction.EEA):             {jurisdiction.EU, jurisdiction.EEA},
	string(jurisdiction.Adequacy):        {jurisdiction.Adequacy},
	string(jurisdiction.PartialAdequacy): {jurisdiction.PartialAdequacy},
}

// misreadCodes are two-letter codes people often write for a country whose
// ISO code differs, mapped to the right code, so the error can say which.
var misreadCodes = map[string]string{
	"UK": "GB",
	"EL": "GR",
}

// ValidateJurisdictionValue checks one entry of allowed_jurisdictions: EU,
// EEA, ADEQUACY, PARTIAL_ADEQUACY, or an ISO 3166-1 alpha-2 country code in
// upper case. Only upper case is accepted so that a configuration has one
// spelling of each value, which keeps plans and diffs stable.
func ValidateJurisdictionValue(v string) error {
	if isValid(v) {
		return nil
	}
	if upper := strings.ToUpper(v); upper != v && isValid(upper) {
		return notUpperCaseError(v, upper)
	}
	if code, ok := misreadCodes[v]; ok {
		return misreadCodeError(v, code)
	}
	return invalidValueError(v)
}

func isValid(v string) bool {
	if _, ok := keywords[v]; ok {
		return true
	}
	_, ok := jurisdiction.CountryByCode(v)
	return ok
}

// Residency decides whether r may hold personal data under the policy
// allowed. An entry admits the region when it is a keyword covering the
// country's jurisdiction or the country's own code; entries that are not
// valid values admit nothing, and an empty policy allows nothing, so that a
// mistake never widens what is allowed.
func Residency(r jurisdiction.Region, allowed []string) Decision {
	c := r.Country
	if c.Code == "" || c.Jurisdiction == "" {
		return Decision{Reason: noCountryReason(r, allowed)}
	}
	for _, v := range allowed {
		if admits(v, c) {
			return Decision{Allowed: true, Reason: allowedReason(r, allowed)}
		}
	}
	return Decision{Reason: deniedReason(r, allowed)}
}

func admits(v string, c jurisdiction.Country) bool {
	if js, ok := keywords[v]; ok {
		for _, j := range js {
			if c.Jurisdiction == j {
				return true
			}
		}
		return false
	}
	return v == c.Code
}
