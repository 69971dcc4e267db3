// Package jurisdiction maps cloud regions to the country that hosts them and
// that country to its standing under the GDPR's rules on transfers.
//
// The facts live in one embedded file, data.json, so that a reviewer can check
// every region and every legal decision against the sources named in its
// header without reading Go code, and so that updating them is a data change.
package jurisdiction

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Jurisdiction is the standing of a country under GDPR Chapter V, which is
// what decides whether personal data may be placed there.
type Jurisdiction string

// The jurisdictions, from the most to the least protected. They double as
// policy values in the provider's allowed_jurisdictions.
const (
	// EU is a member state of the European Union, where the GDPR applies directly.
	EU Jurisdiction = "EU"
	// EEA is an EEA member outside the EU (IS, LI, NO), where the GDPR applies through the EEA Agreement.
	EEA Jurisdiction = "EEA"
	// Adequacy is a country with a full adequacy decision under GDPR Art. 45.
	Adequacy Jurisdiction = "ADEQUACY"
	// PartialAdequacy is a country whose adequacy decision covers only some
	// recipients, which the provider cannot check on the user's behalf.
	PartialAdequacy Jurisdiction = "PARTIAL_ADEQUACY"
	// ThirdCountry is every other country: transfers there need safeguards
	// outside the scope of this provider, such as standard contractual clauses.
	ThirdCountry Jurisdiction = "THIRD_COUNTRY"
)

// Country is an ISO 3166-1 country with its standing under the GDPR.
type Country struct {
	// Code is the ISO 3166-1 alpha-2 code in upper case, such as DE.
	Code string
	// Name is the English short name, such as Germany.
	Name         string
	Jurisdiction Jurisdiction
	// EUMember is true for the 27 EU member states.
	EUMember bool
	// EEAMember is true for the EU member states and for IS, LI and NO,
	// because the EEA includes the whole EU.
	EEAMember bool
	// AdequacyDecision cites the adequacy decision, with its scope where the
	// citation carries one; it is empty when the country has none.
	AdequacyDecision string
	// PartialScope says what the user must make sure of before relying on a
	// partial decision; it is empty unless Jurisdiction is PartialAdequacy.
	PartialScope string
	// PendingLitigation names a court case that could annul the adequacy decision, so users relying on it
	// know the ground may move; empty when none is known.
	PendingLitigation string
}

// Region is one region of one cloud and the country it is located in.
type Region struct {
	// Cloud is "aws", "azure" or "gcp".
	Cloud string
	// Name is the region name exactly as the cloud spells it, such as eu-central-1.
	Name string
	// Location is the city or area the cloud documents for the region, such as Frankfurt.
	Location string
	Country  Country
}

// ErrUnknownCloud is wrapped by Lookup when the cloud is not one of Clouds().
var ErrUnknownCloud = errors.New("unknown cloud")

// ErrUnknownRegion is wrapped by Lookup when the cloud has no region of that
// name in the data; callers should fail rather than guess a country.
var ErrUnknownRegion = errors.New("unknown region")

// LookupError says which cloud or region Lookup did not find, matching its
// sentinel (ErrUnknownCloud or ErrUnknownRegion) through errors.Is. Where
// to look the known names up is for the caller to say, which knows where
// its users read them.
type LookupError struct {
	msg  string
	kind error
	// Suggestion is the region meant when only the case was wrong, else "".
	Suggestion string
	// Partition is the isolated AWS partition of a region the data does not cover because of where it
	// is (aws-iso, ...), else "".
	Partition string
}

func (e *LookupError) Error() string { return e.msg }
func (e *LookupError) Unwrap() error { return e.kind }

// Clouds returns the supported cloud names in sorted order. The slice is a
// copy, so callers may modify it.
func Clouds() []string {
	return append([]string(nil), load().clouds...)
}

// Lookup returns the region named region of cloud. The cloud name is matched
// case-insensitively because it is the provider's own vocabulary; the region
// name must be spelled exactly as the cloud spells it, because that is the
// value the cloud's API accepts.
func Lookup(cloud, region string) (Region, error) {
	d := load()
	c := strings.ToLower(cloud)
	byName, ok := d.regions[c]
	if !ok {
		return Region{}, &LookupError{
			msg:  fmt.Sprintf("unknown cloud %q; valid clouds are %s", cloud, strings.Join(d.clouds, ", ")),
			kind: ErrUnknownCloud,
		}
	}
	if r, ok := byName[region]; ok {
		return r, nil
	}
	e := &LookupError{msg: fmt.Sprintf("unknown %s region %q", c, region), kind: ErrUnknownRegion}
	if p, ok := awsPartitionOf(region); c == "aws" && ok && p.Isolated() {
		e.msg = fmt.Sprintf("aws region %q is in the isolated partition %s; isolated AWS partitions (%s) are "+
			"not covered by the provider's jurisdiction data",
			region, p.ID, strings.Join(isolatedPartitionIDs(), ", "))
		e.Partition = p.ID
		return Region{}, e
	}
	if lower := strings.ToLower(region); lower != region {
		if _, ok := byName[lower]; ok {
			e.msg += fmt.Sprintf("; region names are case-sensitive: use %q", lower)
			e.Suggestion = lower
		}
	}
	return Region{}, e
}

// Regions returns every region of cloud sorted by name, or nil for an
// unknown cloud. The slice is a copy, so callers may modify it.
func Regions(cloud string) []Region {
	sorted, ok := load().sorted[strings.ToLower(cloud)]
	if !ok {
		return nil
	}
	return append([]Region(nil), sorted...)
}

// CountryByCode returns the country with the ISO 3166-1 alpha-2 code, which
// must be upper case, as policies spell it.
func CountryByCode(code string) (Country, bool) {
	c, ok := load().countries[code]
	return c, ok
}

// AsOf returns the date on which the data was last checked against its
// sources, so that reports can say how fresh their answer is.
func AsOf() time.Time {
	return load().asOf
}
