package policy

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// This file holds every sentence the package produces, so that the wording
// users see in plans and data sources is reviewed and changed in one place.

const validValues = "valid values are EU, EEA, ADEQUACY, PARTIAL_ADEQUACY or a country code such as DE or CH"

func invalidValueError(v string) error {
	return fmt.Errorf("%q is not a jurisdiction or an ISO 3166-1 alpha-2 country code; %s", v, validValues)
}

func notUpperCaseError(v, upper string) error {
	return fmt.Errorf("%q is not in upper case; use upper case: %s", v, upper)
}

func misreadCodeError(v, code string) error {
	c, _ := jurisdiction.CountryByCode(code)
	return fmt.Errorf("%q is not an ISO 3166-1 alpha-2 country code; use %s for %s", v, code, countryName(c))
}

// allowedReason explains an allowed placement. For a partial adequacy
// decision it adds what the user must make sure of, because the provider
// cannot check which recipients the decision covers.
func allowedReason(r jurisdiction.Region, allowed []string) string {
	s := fmt.Sprintf("%s is in %s, %s, which the policy %s allows", regionPhrase(r), countryPhrase(r.Country), standing(r.Country), policyPhrase(allowed))
	if r.Country.Jurisdiction == jurisdiction.PartialAdequacy {
		s += ": make sure " + r.Country.PartialScope
	}
	return s + pendingNote(r.Country) + "."
}

// pendingNote warns, within the same sentence, that a court may annul the adequacy decision a placement
// relies on.
func pendingNote(c jurisdiction.Country) string {
	if c.PendingLitigation == "" {
		return ""
	}
	return "; note that " + c.PendingLitigation
}

// deniedReason explains a refused placement. For a partial adequacy country
// it also says how to allow it, since that is a deliberate choice the user
// can make once the recipients are known to be covered.
func deniedReason(r jurisdiction.Region, allowed []string) string {
	s := fmt.Sprintf("%s is in %s, jurisdiction %s, which the policy %s does not allow", regionPhrase(r), countryPhrase(r.Country), r.Country.Jurisdiction, policyPhrase(allowed))
	if r.Country.Jurisdiction == jurisdiction.PartialAdequacy {
		s += fmt.Sprintf("; add %s or %s to allow it if %s", jurisdiction.PartialAdequacy, r.Country.Code, r.Country.PartialScope)
	}
	return s + pendingNote(r.Country) + "."
}

func noCountryReason(r jurisdiction.Region, allowed []string) string {
	return fmt.Sprintf("%s has no known country, so the policy %s cannot allow it.", regionPhrase(r), policyPhrase(allowed))
}

// standing describes a country's jurisdiction in words, citing the adequacy
// decision where there is one so that the reason can be checked.
func standing(c jurisdiction.Country) string {
	switch c.Jurisdiction {
	case jurisdiction.EU:
		return "an EU member state"
	case jurisdiction.EEA:
		return "an EEA member state outside the EU"
	case jurisdiction.Adequacy:
		return fmt.Sprintf("covered by an adequacy decision (%s)", c.AdequacyDecision)
	case jurisdiction.PartialAdequacy:
		return "covered only partially by " + c.AdequacyDecision
	default:
		return "a third country without an adequacy decision"
	}
}

func regionPhrase(r jurisdiction.Region) string {
	name := r.Name
	if name == "" {
		name = `""`
	}
	if r.Location == "" {
		return name
	}
	return fmt.Sprintf("%s (%s)", name, r.Location)
}

func countryPhrase(c jurisdiction.Country) string {
	return fmt.Sprintf("%s (%s)", countryName(c), c.Code)
}

// withArticle lists the countries whose English name is used with "the", so
// that sentences read "the United States" but "Germany".
var withArticle = map[string]bool{
	"AE": true, "AX": true, "BS": true, "CC": true, "CF": true, "CK": true, "DO": true, "FK": true,
	"FO": true, "GB": true, "GM": true, "IM": true, "IO": true, "KM": true, "KY": true, "MH": true,
	"MP": true, "MV": true, "NL": true, "PH": true, "SB": true, "TC": true, "TF": true, "UM": true,
	"US": true, "VA": true,
}

func countryName(c jurisdiction.Country) string {
	if withArticle[c.Code] {
		return "the " + c.Name
	}
	return c.Name
}

func policyPhrase(allowed []string) string {
	return "[" + strings.Join(allowed, ", ") + "]"
}

// Placement describes where a region keeps data without judging it against any policy: its country and
// that country's standing under the GDPR. For a partial adequacy decision it adds what the user must make
// sure of, as the policy's own reasons do. It is the reason of the region_info provider function, which
// has no provider configuration and therefore no allowed_jurisdictions to judge by.
func Placement(r jurisdiction.Region) string {
	if r.Country.Code == "" || r.Country.Jurisdiction == "" {
		return regionPhrase(r) + " has no known country."
	}
	s := fmt.Sprintf("%s is in %s, %s", regionPhrase(r), countryPhrase(r.Country), standing(r.Country))
	if r.Country.Jurisdiction == jurisdiction.PartialAdequacy {
		s += ": make sure " + r.Country.PartialScope
	}
	return s + "."
}

// The reasons of Retention. Each problem is a clause, so that several join into one sentence.

func unboundedReason(maxDays int64) string {
	return fmt.Sprintf("nothing expires the data, so it would be kept without limit, against storage limitation "+
		"(GDPR Art. 5(1)(e)); expire it after at most %d days", maxDays)
}

func tooLongReason(days, maxDays int64) string {
	return fmt.Sprintf("a retention of %d days exceeds the policy's maximum of %d days (max_retention_days, "+
		"GDPR Art. 5(1)(e) storage limitation)", days, maxDays)
}

func tooShortReason(days, minDays int64) string {
	return fmt.Sprintf("a retention of %d days is shorter than the statutory minimum of %d days", days, minDays)
}

func lockOutlastsReason(lockDays, days int64) string {
	return fmt.Sprintf("Object Lock keeps each version for %d days, longer than the %d days after which the "+
		"data is due to be deleted", lockDays, days)
}

func noncurrentOutlastsReason(noncurrentDays, days int64) string {
	return fmt.Sprintf("overwritten and deleted versions are kept for %d days, longer than the %d days after which "+
		"the data is due to be deleted", noncurrentDays, days)
}

func versionsTooLongReason(days, noncurrentDays int64, total *big.Int, maxDays int64) string {
	return fmt.Sprintf("a version expired after %d days is kept %d days more as a noncurrent version, %s days in "+
		"all, which exceeds the policy's maximum of %d days by more than the one day of cleanup (max_retention_days, "+
		"GDPR Art. 5(1)(e) storage limitation)", days, noncurrentDays, total, maxDays)
}

func compliantReason(days int64, noncurrentDays, minDays *int64, maxDays int64) string {
	retention := fmt.Sprintf("A retention of %d days", days)
	if noncurrentDays != nil && *noncurrentDays > NoncurrentGraceDays {
		retention = fmt.Sprintf("A retention of %d days, and %d more for noncurrent versions,", days, *noncurrentDays)
	}
	if minDays != nil {
		return fmt.Sprintf("%s lies between the statutory minimum of %d days and the policy's maximum of %d days "+
			"(GDPR Art. 5(1)(e), storage limitation).", retention, *minDays, maxDays)
	}
	return fmt.Sprintf("%s is within the policy's maximum of %d days (GDPR Art. 5(1)(e), storage limitation).", retention, maxDays)
}

// sentence capitalises the first letter and ends the text with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
