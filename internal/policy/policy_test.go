package policy

import (
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

func region(t *testing.T, cloud, name string) jurisdiction.Region {
	t.Helper()
	r, err := jurisdiction.Lookup(cloud, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

const (
	dpf = "every recipient is certified under the EU-US Data Privacy Framework"
	// The pending appeal against the US decision is part of every reason that relies on it.
	pending = "; note that an appeal against the decision, case C-703/25 P (Latombe v Commission), lodged on 31 October 2025, is pending before the Court of Justice and could annul it"
	pipeda  = "every recipient is subject to PIPEDA, that is a commercial organization covered by Canada's Personal Information Protection and Electronic Documents Act"
)

func TestResidency(t *testing.T) {
	tests := []struct {
		name          string
		cloud, region string
		allowed       []string
		want          Decision
	}{
		// EU admits EU members only.
		{"EU admits DE", "aws", "eu-central-1", []string{"EU"}, Decision{true,
			"eu-central-1 (Frankfurt) is in Germany (DE), an EU member state, which the policy [EU] allows."}},
		{"EU admits NL on Azure", "azure", "westeurope", []string{"EU"}, Decision{true,
			"westeurope (Netherlands) is in the Netherlands (NL), an EU member state, which the policy [EU] allows."}},
		{"EU admits the sovereign cloud", "aws", "eusc-de-east-1", []string{"EU"}, Decision{true,
			"eusc-de-east-1 (Brandenburg) is in Germany (DE), an EU member state, which the policy [EU] allows."}},
		{"EU refuses NO", "azure", "norwayeast", []string{"EU"}, Decision{false,
			"norwayeast (Oslo) is in Norway (NO), jurisdiction EEA, which the policy [EU] does not allow."}},
		{"EU refuses CH", "aws", "eu-central-2", []string{"EU"}, Decision{false,
			"eu-central-2 (Zurich) is in Switzerland (CH), jurisdiction ADEQUACY, which the policy [EU] does not allow."}},

		// EEA admits EU and EEA members.
		{"EEA admits DE", "aws", "eu-central-1", []string{"EEA"}, Decision{true,
			"eu-central-1 (Frankfurt) is in Germany (DE), an EU member state, which the policy [EEA] allows."}},
		{"EEA admits NO", "azure", "norwayeast", []string{"EEA"}, Decision{true,
			"norwayeast (Oslo) is in Norway (NO), an EEA member state outside the EU, which the policy [EEA] allows."}},
		{"EEA refuses GB", "aws", "eu-west-2", []string{"EEA"}, Decision{false,
			"eu-west-2 (London) is in the United Kingdom (GB), jurisdiction ADEQUACY, which the policy [EEA] does not allow."}},
		{"EEA refuses US with a hint", "aws", "us-east-1", []string{"EEA"}, Decision{false,
			"us-east-1 (N. Virginia) is in the United States (US), jurisdiction PARTIAL_ADEQUACY, which the policy [EEA] does not allow; add PARTIAL_ADEQUACY or US to allow it if " + dpf + pending + "."}},

		// ADEQUACY admits full decisions only.
		{"ADEQUACY admits CH", "gcp", "europe-west6", []string{"ADEQUACY"}, Decision{true,
			"europe-west6 (Zurich) is in Switzerland (CH), covered by an adequacy decision (2000/518/EC), which the policy [ADEQUACY] allows."}},
		{"ADEQUACY admits JP", "aws", "ap-northeast-1", []string{"ADEQUACY"}, Decision{true,
			"ap-northeast-1 (Tokyo) is in Japan (JP), covered by an adequacy decision (Implementing Decision (EU) 2019/419 (private sector under the APPI)), which the policy [ADEQUACY] allows."}},
		{"ADEQUACY refuses DE", "aws", "eu-central-1", []string{"ADEQUACY"}, Decision{false,
			"eu-central-1 (Frankfurt) is in Germany (DE), jurisdiction EU, which the policy [ADEQUACY] does not allow."}},
		{"ADEQUACY refuses CA with a hint", "aws", "ca-central-1", []string{"ADEQUACY"}, Decision{false,
			"ca-central-1 (Canada Central) is in Canada (CA), jurisdiction PARTIAL_ADEQUACY, which the policy [ADEQUACY] does not allow; add PARTIAL_ADEQUACY or CA to allow it if " + pipeda + "."}},
		{"ADEQUACY refuses CN", "aws", "cn-north-1", []string{"ADEQUACY"}, Decision{false,
			"cn-north-1 (Beijing) is in China (CN), jurisdiction THIRD_COUNTRY, which the policy [ADEQUACY] does not allow."}},

		// PARTIAL_ADEQUACY admits US and CA, with what to make sure of.
		{"PARTIAL_ADEQUACY admits US", "aws", "us-east-1", []string{"PARTIAL_ADEQUACY"}, Decision{true,
			"us-east-1 (N. Virginia) is in the United States (US), covered only partially by Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework), which the policy [PARTIAL_ADEQUACY] allows: make sure " + dpf + pending + "."}},
		{"PARTIAL_ADEQUACY admits CA", "gcp", "northamerica-northeast1", []string{"PARTIAL_ADEQUACY"}, Decision{true,
			"northamerica-northeast1 (Montréal) is in Canada (CA), covered only partially by Decision 2002/2/EC (PIPEDA), which the policy [PARTIAL_ADEQUACY] allows: make sure " + pipeda + "."}},
		{"PARTIAL_ADEQUACY admits GovCloud", "aws", "us-gov-west-1", []string{"PARTIAL_ADEQUACY"}, Decision{true,
			"us-gov-west-1 (GovCloud US-West) is in the United States (US), covered only partially by Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework), which the policy [PARTIAL_ADEQUACY] allows: make sure " + dpf + pending + "."}},
		{"PARTIAL_ADEQUACY refuses CH", "aws", "eu-central-2", []string{"PARTIAL_ADEQUACY"}, Decision{false,
			"eu-central-2 (Zurich) is in Switzerland (CH), jurisdiction ADEQUACY, which the policy [PARTIAL_ADEQUACY] does not allow."}},

		// A country code admits exactly that country.
		{"DE admits DE", "gcp", "europe-west3", []string{"DE"}, Decision{true,
			"europe-west3 (Frankfurt) is in Germany (DE), an EU member state, which the policy [DE] allows."}},
		{"DE refuses FR", "aws", "eu-west-3", []string{"DE"}, Decision{false,
			"eu-west-3 (Paris) is in France (FR), jurisdiction EU, which the policy [DE] does not allow."}},
		{"CH admits CH", "azure", "switzerlandnorth", []string{"CH"}, Decision{true,
			"switzerlandnorth (Zurich) is in Switzerland (CH), covered by an adequacy decision (2000/518/EC), which the policy [CH] allows."}},
		{"US code admits US", "azure", "eastus", []string{"US"}, Decision{true,
			"eastus (Virginia) is in the United States (US), covered only partially by Implementing Decision (EU) 2023/1795 (EU-US Data Privacy Framework), which the policy [US] allows: make sure " + dpf + pending + "."}},
		{"CA code refuses US", "aws", "us-west-2", []string{"CA"}, Decision{false,
			"us-west-2 (Oregon) is in the United States (US), jurisdiction PARTIAL_ADEQUACY, which the policy [CA] does not allow; add PARTIAL_ADEQUACY or US to allow it if " + dpf + pending + "."}},
		{"SG code admits a third country", "aws", "ap-southeast-1", []string{"SG"}, Decision{true,
			"ap-southeast-1 (Singapore) is in Singapore (SG), a third country without an adequacy decision, which the policy [SG] allows."}},

		// Third countries are refused by every keyword.
		{"EEA refuses IN", "aws", "ap-south-1", []string{"EU", "EEA", "ADEQUACY", "PARTIAL_ADEQUACY"}, Decision{false,
			"ap-south-1 (Mumbai) is in India (IN), jurisdiction THIRD_COUNTRY, which the policy [EU, EEA, ADEQUACY, PARTIAL_ADEQUACY] does not allow."}},
		{"keywords refuse SG", "gcp", "asia-southeast1", []string{"EEA", "ADEQUACY"}, Decision{false,
			"asia-southeast1 (Jurong West, Singapore) is in Singapore (SG), jurisdiction THIRD_COUNTRY, which the policy [EEA, ADEQUACY] does not allow."}},
		{"keywords refuse CN", "aws", "cn-northwest-1", []string{"EU", "ADEQUACY"}, Decision{false,
			"cn-northwest-1 (Ningxia) is in China (CN), jurisdiction THIRD_COUNTRY, which the policy [EU, ADEQUACY] does not allow."}},

		// Lists admit a region when any entry does.
		{"list with a code admits it", "aws", "eu-west-2", []string{"EEA", "GB"}, Decision{true,
			"eu-west-2 (London) is in the United Kingdom (GB), covered by an adequacy decision (Implementing Decision (EU) 2021/1772, renewed by the Commission on 19 December 2025, valid until 27 December 2031), which the policy [EEA, GB] allows."}},
		{"EEA and ADEQUACY admit IL", "aws", "il-central-1", []string{"EEA", "ADEQUACY"}, Decision{true,
			"il-central-1 (Tel Aviv) is in Israel (IL), covered by an adequacy decision (2011/61/EU), which the policy [EEA, ADEQUACY] allows."}},

		// Empty or invalid policies allow nothing.
		{"empty policy", "aws", "eu-central-1", []string{}, Decision{false,
			"eu-central-1 (Frankfurt) is in Germany (DE), jurisdiction EU, which the policy [] does not allow."}},
		{"nil policy", "gcp", "europe-north1", nil, Decision{false,
			"europe-north1 (Hamina, Finland) is in Finland (FI), jurisdiction EU, which the policy [] does not allow."}},
		{"lower-case values admit nothing", "aws", "eu-central-1", []string{"eu", "de"}, Decision{false,
			"eu-central-1 (Frankfurt) is in Germany (DE), jurisdiction EU, which the policy [eu, de] does not allow."}},
		{"THIRD_COUNTRY is not a policy value", "aws", "cn-north-1", []string{"THIRD_COUNTRY"}, Decision{false,
			"cn-north-1 (Beijing) is in China (CN), jurisdiction THIRD_COUNTRY, which the policy [THIRD_COUNTRY] does not allow."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Residency(region(t, tt.cloud, tt.region), tt.allowed)
			if got != tt.want {
				t.Errorf("Residency(%s %s, %q)\n got %+v\nwant %+v", tt.cloud, tt.region, tt.allowed, got, tt.want)
			}
		})
	}
}

func TestResidencyRegionWithoutCountry(t *testing.T) {
	got := Residency(jurisdiction.Region{Cloud: "aws", Name: "xx-1"}, []string{"EU"})
	want := Decision{false, "xx-1 has no known country, so the policy [EU] cannot allow it."}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

// TestResidencyEveryRegion checks each keyword against the jurisdiction of
// every region in the data, so that no region slips through a keyword.
func TestResidencyEveryRegion(t *testing.T) {
	admitted := map[string]map[jurisdiction.Jurisdiction]bool{
		"EU":               {jurisdiction.EU: true},
		"EEA":              {jurisdiction.EU: true, jurisdiction.EEA: true},
		"ADEQUACY":         {jurisdiction.Adequacy: true},
		"PARTIAL_ADEQUACY": {jurisdiction.PartialAdequacy: true},
	}
	for _, cloud := range jurisdiction.Clouds() {
		for _, r := range jurisdiction.Regions(cloud) {
			for value, js := range admitted {
				d := Residency(r, []string{value})
				if d.Allowed != js[r.Country.Jurisdiction] {
					t.Errorf("%s %s (%s) under [%s]: allowed=%v", cloud, r.Name, r.Country.Code, value, d.Allowed)
				}
				// The location may hold abbreviations such as "N. Virginia",
				// so the one-sentence check looks only at what follows it.
				head := r.Name + " (" + r.Location + ")"
				rest, ok := strings.CutPrefix(d.Reason, head)
				if !ok || !strings.HasSuffix(rest, ".") || strings.Contains(rest, ". ") {
					t.Errorf("%s %s: reason is not one sentence about the region: %q", cloud, r.Name, d.Reason)
				}
			}
			if d := Residency(r, []string{r.Country.Code}); !d.Allowed {
				t.Errorf("%s %s: its own country code %s does not admit it", cloud, r.Name, r.Country.Code)
			}
		}
	}
}

func TestValidateJurisdictionValue(t *testing.T) {
	const valid = "valid values are EU, EEA, ADEQUACY, PARTIAL_ADEQUACY or a country code such as DE or CH"
	tests := []struct {
		value   string
		wantErr string
	}{
		{"EU", ""},
		{"EEA", ""},
		{"ADEQUACY", ""},
		{"PARTIAL_ADEQUACY", ""},
		{"DE", ""},
		{"CH", ""},
		{"US", ""},
		{"CN", ""},
		{"AQ", ""},
		{"XX", `"XX" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"", `"" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"EUROPE", `"EUROPE" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"DEU", `"DEU" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"THIRD_COUNTRY", `"THIRD_COUNTRY" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"PARTIAL", `"PARTIAL" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{" DE", `" DE" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"D", `"D" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"de", `"de" is not in upper case; use upper case: DE`},
		{"De", `"De" is not in upper case; use upper case: DE`},
		{"eea", `"eea" is not in upper case; use upper case: EEA`},
		{"partial_adequacy", `"partial_adequacy" is not in upper case; use upper case: PARTIAL_ADEQUACY`},
		{"xx", `"xx" is not a jurisdiction or an ISO 3166-1 alpha-2 country code; ` + valid},
		{"UK", `"UK" is not an ISO 3166-1 alpha-2 country code; use GB for the United Kingdom`},
		{"EL", `"EL" is not an ISO 3166-1 alpha-2 country code; use GR for Greece`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			err := ValidateJurisdictionValue(tt.value)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Errorf("\n got %v\nwant %s", err, tt.wantErr)
			}
		})
	}
}
