package jurisdiction

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
)

// allCodes is the ISO 3166-1 alpha-2 list taken from the tz database's
// iso3166.tab, a source independent of the one data.json was built from.
const allCodes = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`

// The membership sets below are copied from references.md by hand, so that a
// change to data.json that disagrees with the reference facts fails here.
var (
	wantEU            = set("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE")
	wantEEAOnly       = set("IS LI NO")
	wantFullDecisions = map[string]string{
		"AD": "2010/625/EU",
		"AR": "2003/490/EC",
		"BR": "Implementing Decision (EU) 2026/179 of 26 January 2026 (published 27-28 January 2026)",
		"CH": "2000/518/EC",
		"FO": "2010/146/EU",
		"GB": "Implementing Decision (EU) 2021/1772, renewed by the Commission on 19 December 2025, valid until 27 December 2031",
		"GG": "2003/821/EC",
		"IL": "2011/61/EU",
		"IM": "2004/411/EC",
		"JE": "2008/393/EC",
		"JP": "Implementing Decision (EU) 2019/419 (private sector under the APPI)",
		"KR": "Implementing Decision (EU) 2022/254",
		"NZ": "2013/65/EU",
		"UY": "2012/484/EU",
	}
	wantPartial = set("US CA")
)

func set(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

func TestEmbeddedDataParses(t *testing.T) {
	d, err := parse(rawData)
	if err != nil {
		t.Fatalf("embedded data.json does not parse: %v", err)
	}
	if got := len(d.countries); got != 249 {
		t.Errorf("countries: got %d, want 249", got)
	}
	if got := d.clouds; !slices.Equal(got, []string{"aws", "azure", "gcp"}) {
		t.Errorf("clouds: got %v", got)
	}
}

func TestDataHeaderNamesSources(t *testing.T) {
	var f fileData
	if err := json.Unmarshal(rawData, &f); err != nil {
		t.Fatal(err)
	}
	want := []string{"countries", "eu_members", "eea_only_members", "adequacy", "regions.aws", "regions.azure", "regions.gcp"}
	var got []string
	for _, s := range f.Sources {
		got = append(got, s.List)
		if !strings.HasPrefix(s.URL, "https://") {
			t.Errorf("source %s: url %q is not https", s.List, s.URL)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("sources: got %v, want %v", got, want)
	}
	if f.Sources[4].URL != "https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html" {
		t.Errorf("AWS source: got %q", f.Sources[4].URL)
	}
}

// TestParseRejectsMalformed proves that the checks in parse fire, so that the
// panic in load can only be reached by a file that would fail this suite.
func TestParseRejectsMalformed(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(f *fileData)
		want   string
	}{
		{"bad as_of", func(f *fileData) { f.AsOf = "23.11.2026" }, "as_of"},
		{"no sources", func(f *fileData) { f.Sources = nil }, "sources"},
		{"source without url", func(f *fileData) { f.Sources[0].URL = "" }, "sources[0]"},
		{"lower-case country code", func(f *fileData) { f.Countries["de"] = "Germany" }, `"de"`},
		{"unnamed country", func(f *fileData) { f.Countries["DE"] = "" }, "DE has no name"},
		{"EU member not a country", func(f *fileData) { f.EUMembers = append(f.EUMembers, "XX") }, `"XX"`},
		{"country in two lists", func(f *fileData) { f.EEAOnlyMembers = append(f.EEAOnlyMembers, "DE") }, "DE is already listed as EU"},
		{"full decision without text", func(f *fileData) { f.Adequacy.Full[0].Decision = "" }, "has no decision"},
		{"partial without must_ensure", func(f *fileData) { f.Adequacy.Partial[0].MustEnsure = "" }, "must_ensure"},
		{"duplicate region", func(f *fileData) { f.Regions["aws"] = append(f.Regions["aws"], f.Regions["aws"][0]) }, "listed twice"},
		{"region in unknown country", func(f *fileData) { f.Regions["gcp"][0].Country = "XX" }, `unknown country "XX"`},
		{"region without location", func(f *fileData) { f.Regions["azure"][0].Location = "" }, "location"},
		{"upper-case cloud", func(f *fileData) { f.Regions["AWS"] = f.Regions["aws"] }, "lower case"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var f fileData
			if err := json.Unmarshal(rawData, &f); err != nil {
				t.Fatal(err)
			}
			tt.mutate(&f)
			raw, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			_, err = parse(raw)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestParseRejectsUnknownField proves that a misspelled field name fails the
// load instead of silently dropping the facts under it.
func TestParseRejectsUnknownField(t *testing.T) {
	raw := bytes.Replace(rawData, []byte(`"as_of"`), []byte(`"regoins": {}, "as_of"`), 1)
	if _, err := parse(raw); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("got error %v, want an unknown field error", err)
	}
}

func TestEveryISOCodeIsKnown(t *testing.T) {
	codes := strings.Fields(allCodes)
	if len(codes) != 249 {
		t.Fatalf("test list has %d codes, want 249", len(codes))
	}
	for _, code := range codes {
		c, ok := CountryByCode(code)
		if !ok {
			t.Errorf("CountryByCode(%q): not found", code)
			continue
		}
		if c.Code != code || c.Name == "" {
			t.Errorf("CountryByCode(%q) = %+v", code, c)
		}
	}
	if got := len(load().countries); got != len(codes) {
		t.Errorf("data has %d countries, want %d", got, len(codes))
	}
}

func TestCountryByCodeRejects(t *testing.T) {
	for _, code := range []string{"", "de", "De", "XX", "DEU", "EU", "UK", "EL"} {
		if c, ok := CountryByCode(code); ok {
			t.Errorf("CountryByCode(%q) = %+v, want not found", code, c)
		}
	}
}

func TestCountryNames(t *testing.T) {
	tests := map[string]string{
		"DE": "Germany",
		"US": "United States",
		"GB": "United Kingdom",
		"CH": "Switzerland",
		"NO": "Norway",
		"KR": "South Korea",
		"CN": "China",
		"IN": "India",
		"SG": "Singapore",
		"NL": "Netherlands",
		"AE": "United Arab Emirates",
		"FO": "Faroe Islands",
	}
	for code, want := range tests {
		c, _ := CountryByCode(code)
		if c.Name != want {
			t.Errorf("%s: got name %q, want %q", code, c.Name, want)
		}
	}
}

func TestMembershipSets(t *testing.T) {
	if len(wantEU) != 27 || len(wantEEAOnly) != 3 || len(wantFullDecisions) != 14 || len(wantPartial) != 2 {
		t.Fatal("the expected sets in this test do not match references.md")
	}
	got := map[Jurisdiction]map[string]bool{}
	for _, c := range load().countries {
		if got[c.Jurisdiction] == nil {
			got[c.Jurisdiction] = map[string]bool{}
		}
		got[c.Jurisdiction][c.Code] = true
	}
	wantFull := map[string]bool{}
	for code := range wantFullDecisions {
		wantFull[code] = true
	}
	for j, want := range map[Jurisdiction]map[string]bool{EU: wantEU, EEA: wantEEAOnly, Adequacy: wantFull, PartialAdequacy: wantPartial} {
		if !maps.Equal(got[j], want) {
			t.Errorf("%s: got %v, want %v", j, slices.Sorted(maps.Keys(got[j])), slices.Sorted(maps.Keys(want)))
		}
	}
	if n := len(got[ThirdCountry]); n != 249-27-3-14-2 {
		t.Errorf("THIRD_COUNTRY: got %d countries, want %d", n, 249-27-3-14-2)
	}
}

func TestEveryCountryJurisdiction(t *testing.T) {
	for _, code := range strings.Fields(allCodes) {
		t.Run(code, func(t *testing.T) {
			c, ok := CountryByCode(code)
			if !ok {
				t.Fatal("not found")
			}
			want := Country{Code: code, Name: c.Name, Jurisdiction: ThirdCountry}
			switch {
			case wantEU[code]:
				want.Jurisdiction, want.EUMember, want.EEAMember = EU, true, true
			case wantEEAOnly[code]:
				want.Jurisdiction, want.EEAMember = EEA, true
			case wantFullDecisions[code] != "":
				want.Jurisdiction, want.AdequacyDecision = Adequacy, wantFullDecisions[code]
			case wantPartial[code]:
				want.Jurisdiction, want.AdequacyDecision, want.PartialScope = PartialAdequacy, c.AdequacyDecision, c.PartialScope
			}
			// Only the EU-US Data Privacy Framework is under a pending appeal (references.md).
			if code == "US" {
				want.PendingLitigation = "an appeal against the decision, case C-703/25 P (Latombe v Commission), lodged on 31 October 2025, is pending before the Court of Justice and could annul it"
			}
			if c != want {
				t.Errorf("got %+v, want %+v", c, want)
			}
		})
	}
}

func TestPartialDecisions(t *testing.T) {
	tests := []struct {
		code, decision, scope string
	}{
		{"US", "Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework)", "every recipient is certified under the EU-US Data Privacy Framework"},
		{"CA", "Decision 2002/2/EC (PIPEDA)", "every recipient is subject to PIPEDA, that is a commercial organization covered by Canada's Personal Information Protection and Electronic Documents Act"},
	}
	for _, tt := range tests {
		c, _ := CountryByCode(tt.code)
		if c.AdequacyDecision != tt.decision || c.PartialScope != tt.scope {
			t.Errorf("%s: got decision %q scope %q", tt.code, c.AdequacyDecision, c.PartialScope)
		}
	}
}

func TestRegionsWellFormed(t *testing.T) {
	for _, cloud := range Clouds() {
		regions := Regions(cloud)
		if len(regions) < 30 {
			t.Errorf("%s: only %d regions", cloud, len(regions))
		}
		seen := map[string]bool{}
		for i, r := range regions {
			if seen[r.Name] {
				t.Errorf("%s: duplicate region %s", cloud, r.Name)
			}
			seen[r.Name] = true
			if i > 0 && regions[i-1].Name >= r.Name {
				t.Errorf("%s: %s listed after %s, want sorted by name", cloud, r.Name, regions[i-1].Name)
			}
			if r.Cloud != cloud || r.Name == "" || strings.TrimSpace(r.Location) == "" {
				t.Errorf("%s: malformed region %+v", cloud, r)
			}
			c, ok := CountryByCode(r.Country.Code)
			if !ok || c != r.Country {
				t.Errorf("%s %s: country %+v is not the known country %+v", cloud, r.Name, r.Country, c)
			}
			got, err := Lookup(cloud, r.Name)
			if err != nil || got != r {
				t.Errorf("Lookup(%s, %s) = %+v, %v; want %+v", cloud, r.Name, got, err, r)
			}
		}
	}
}

// TestRegionCountries pins the country of every AWS region and of most Azure
// and GCP regions, written from each cloud's documentation independently of
// data.json.
func TestRegionCountries(t *testing.T) {
	want := map[string]map[string]string{
		"aws": {
			"us-east-1": "US", "us-east-2": "US", "us-west-1": "US", "us-west-2": "US",
			"af-south-1":     "ZA",
			"ap-east-1":      "HK",
			"ap-east-2":      "TW",
			"ap-south-1":     "IN",
			"ap-south-2":     "IN",
			"ap-southeast-1": "SG",
			"ap-southeast-2": "AU",
			"ap-southeast-3": "ID",
			"ap-southeast-4": "AU",
			"ap-southeast-5": "MY",
			"ap-southeast-6": "NZ",
			"ap-southeast-7": "TH",
			"ap-northeast-1": "JP",
			"ap-northeast-2": "KR",
			"ap-northeast-3": "JP",
			"ca-central-1":   "CA",
			"ca-west-1":      "CA",
			"eu-central-1":   "DE",
			"eu-central-2":   "CH",
			"eu-west-1":      "IE",
			"eu-west-2":      "GB",
			"eu-west-3":      "FR",
			"eu-south-1":     "IT",
			"eu-south-2":     "ES",
			"eu-north-1":     "SE",
			"il-central-1":   "IL",
			"me-south-1":     "BH",
			"me-central-1":   "AE",
			"me-west-1":      "SA",
			"mx-central-1":   "MX",
			"sa-east-1":      "BR",
			"sa-west-1":      "CL",
			"eusc-de-east-1": "DE",
			"us-gov-east-1":  "US",
			"us-gov-west-1":  "US",
			"cn-north-1":     "CN",
			"cn-northwest-1": "CN",
		},
		"azure": {
			"westeurope":         "NL",
			"northeurope":        "IE",
			"germanywestcentral": "DE",
			"germanynorth":       "DE",
			"norwayeast":         "NO",
			"norwaywest":         "NO",
			"switzerlandnorth":   "CH",
			"switzerlandwest":    "CH",
			"uksouth":            "GB",
			"ukwest":             "GB",
			"francecentral":      "FR",
			"francesouth":        "FR",
			"swedencentral":      "SE",
			"polandcentral":      "PL",
			"italynorth":         "IT",
			"spaincentral":       "ES",
			"austriaeast":        "AT",
			"belgiumcentral":     "BE",
			"denmarkeast":        "DK",
			"eastus":             "US",
			"westus2":            "US",
			"canadacentral":      "CA",
			"canadaeast":         "CA",
			"brazilsouth":        "BR",
			"japaneast":          "JP",
			"koreacentral":       "KR",
			"israelcentral":      "IL",
			"newzealandnorth":    "NZ",
			"centralindia":       "IN",
			"southeastasia":      "SG",
			"eastasia":           "HK",
			"qatarcentral":       "QA",
			"uaenorth":           "AE",
			"southafricanorth":   "ZA",
			"mexicocentral":      "MX",
			"chilecentral":       "CL",
			"australiaeast":      "AU",
		},
		"gcp": {
			"europe-west1":            "BE",
			"europe-west2":            "GB",
			"europe-west3":            "DE",
			"europe-west4":            "NL",
			"europe-west6":            "CH",
			"europe-west8":            "IT",
			"europe-west9":            "FR",
			"europe-west10":           "DE",
			"europe-west12":           "IT",
			"europe-north1":           "FI",
			"europe-north2":           "SE",
			"europe-central2":         "PL",
			"europe-southwest1":       "ES",
			"us-central1":             "US",
			"us-east4":                "US",
			"northamerica-northeast1": "CA",
			"northamerica-south1":     "MX",
			"southamerica-east1":      "BR",
			"southamerica-west1":      "CL",
			"asia-east1":              "TW",
			"asia-east2":              "HK",
			"asia-northeast1":         "JP",
			"asia-northeast3":         "KR",
			"asia-south1":             "IN",
			"asia-southeast1":         "SG",
			"australia-southeast1":    "AU",
			"me-west1":                "IL",
			"me-central1":             "QA",
			"me-central2":             "SA",
			"africa-south1":           "ZA",
		},
	}
	if n := len(want["aws"]); n != len(Regions("aws")) {
		t.Errorf("aws: the test pins %d regions but the data has %d; pin every AWS region", n, len(Regions("aws")))
	}
	for cloud, regions := range want {
		for name, code := range regions {
			r, err := Lookup(cloud, name)
			if err != nil {
				t.Errorf("Lookup(%s, %s): %v", cloud, name, err)
				continue
			}
			if r.Country.Code != code {
				t.Errorf("%s %s: got country %s, want %s", cloud, name, r.Country.Code, code)
			}
		}
	}
}

func TestRegionLocations(t *testing.T) {
	tests := []struct{ cloud, region, location string }{
		{"aws", "us-east-1", "N. Virginia"},
		{"aws", "eu-central-1", "Frankfurt"},
		{"aws", "eusc-de-east-1", "Brandenburg"},
		{"aws", "eu-central-2", "Zurich"},
		{"gcp", "europe-west6", "Zurich"},
		{"azure", "westeurope", "Netherlands"},
	}
	for _, tt := range tests {
		r, err := Lookup(tt.cloud, tt.region)
		if err != nil || r.Location != tt.location {
			t.Errorf("Lookup(%s, %s) = %+v, %v; want location %q", tt.cloud, tt.region, r, err, tt.location)
		}
	}
}

func TestLookupCloudIsCaseInsensitive(t *testing.T) {
	r, err := Lookup("AWS", "eu-west-1")
	if err != nil || r.Cloud != "aws" || r.Country.Code != "IE" {
		t.Errorf("Lookup(AWS, eu-west-1) = %+v, %v", r, err)
	}
}

func TestLookupErrors(t *testing.T) {
	tests := []struct {
		cloud, region string
		is            error
		msg           string
	}{
		{"aws", "xx-1", ErrUnknownRegion, `unknown aws region "xx-1"`},
		{"aws", "", ErrUnknownRegion, `unknown aws region ""`},
		{"gcp", "europe-west5", ErrUnknownRegion, `unknown gcp region "europe-west5"`},
		{"azure", "eu-central-1", ErrUnknownRegion, `unknown azure region "eu-central-1"`},
		{"aws", "EU-CENTRAL-1", ErrUnknownRegion, `unknown aws region "EU-CENTRAL-1"; region names are case-sensitive: use "eu-central-1"`},
		{"azure", "West Europe", ErrUnknownRegion, `unknown azure region "West Europe"`},
		{"oracle", "eu-frankfurt-1", ErrUnknownCloud, `unknown cloud "oracle"; valid clouds are aws, azure, gcp`},
		{"", "eu-central-1", ErrUnknownCloud, `unknown cloud ""; valid clouds are aws, azure, gcp`},
	}
	for _, tt := range tests {
		t.Run(tt.cloud+"/"+tt.region, func(t *testing.T) {
			r, err := Lookup(tt.cloud, tt.region)
			if !errors.Is(err, tt.is) {
				t.Fatalf("got %v, want an error wrapping %v", err, tt.is)
			}
			if err.Error() != tt.msg {
				t.Errorf("message:\n got %s\nwant %s", err, tt.msg)
			}
			if r != (Region{}) {
				t.Errorf("got region %+v with an error", r)
			}
		})
	}
}

func TestClouds(t *testing.T) {
	got := Clouds()
	if !slices.Equal(got, []string{"aws", "azure", "gcp"}) {
		t.Fatalf("got %v", got)
	}
	got[0] = "mutated"
	if Clouds()[0] != "aws" {
		t.Error("Clouds returned shared state")
	}
}

func TestRegionsUnknownCloud(t *testing.T) {
	if got := Regions("oracle"); got != nil {
		t.Errorf("got %v, want nil", got)
	}
	if got := Regions("GCP"); len(got) == 0 {
		t.Error("Regions(GCP) is empty; the cloud name is case-insensitive")
	}
	r := Regions("aws")
	r[0].Name = "mutated"
	if Regions("aws")[0].Name == "mutated" {
		t.Error("Regions returned shared state")
	}
}

func TestAsOf(t *testing.T) {
	want := time.Date(2026, time.November, 23, 0, 0, 0, 0, time.UTC)
	if got := AsOf(); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
