package jurisdiction

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

//go:embed data.json
var rawData []byte

// fileData mirrors data.json. Unknown fields are rejected when parsing so
// that a typo in a field name cannot silently drop facts.
type fileData struct {
	AsOf    string `json:"as_of"`
	Sources []struct {
		List  string `json:"list"`
		URL   string `json:"url"`
		Taken string `json:"taken"`
	} `json:"sources"`
	Notes          []string          `json:"notes"`
	Countries      map[string]string `json:"countries"`
	EUMembers      []string          `json:"eu_members"`
	EEAOnlyMembers []string          `json:"eea_only_members"`
	Adequacy       struct {
		Full []struct {
			Country  string `json:"country"`
			Decision string `json:"decision"`
			Pending  string `json:"pending_litigation"`
		} `json:"full"`
		Partial []struct {
			Country    string `json:"country"`
			Decision   string `json:"decision"`
			Scope      string `json:"scope"`
			MustEnsure string `json:"must_ensure"`
			Pending    string `json:"pending_litigation"`
		} `json:"partial"`
	} `json:"adequacy"`
	Regions map[string][]struct {
		Name     string `json:"name"`
		Location string `json:"location"`
		Country  string `json:"country"`
	} `json:"regions"`
}

// dataset is the parsed file, indexed for constant-time lookups.
type dataset struct {
	asOf      time.Time
	clouds    []string
	countries map[string]Country
	regions   map[string]map[string]Region
	sorted    map[string][]Region
}

// load parses the embedded file once. A malformed file is a build defect,
// not a runtime condition, so it panics; TestEmbeddedDataParses proves the
// shipped file parses, which makes the panic unreachable in a tested build.
var load = sync.OnceValue(func() *dataset {
	d, err := parse(rawData)
	if err != nil {
		panic("jurisdiction: embedded data.json is invalid: " + err.Error())
	}
	return d
})

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

// parse decodes and checks a data file. Every check here guards a fact the
// rest of the provider relies on, so the file cannot load in a state where a
// region would resolve to no country or a country to two jurisdictions.
func parse(raw []byte) (*dataset, error) {
	var f fileData
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("decoding: %w", err)
	}
	asOf, err := time.Parse(time.DateOnly, f.AsOf)
	if err != nil {
		return nil, fmt.Errorf("as_of: %w", err)
	}
	if len(f.Sources) == 0 {
		return nil, fmt.Errorf("sources: the file must name its sources")
	}
	for i, s := range f.Sources {
		if s.List == "" || s.URL == "" || s.Taken == "" {
			return nil, fmt.Errorf("sources[%d]: list, url and taken are all required", i)
		}
	}

	d := &dataset{
		asOf:      asOf,
		countries: make(map[string]Country, len(f.Countries)),
		regions:   make(map[string]map[string]Region, len(f.Regions)),
		sorted:    make(map[string][]Region, len(f.Regions)),
	}
	for code, name := range f.Countries {
		if !countryCode.MatchString(code) {
			return nil, fmt.Errorf("countries: %q is not an upper-case alpha-2 code", code)
		}
		if name == "" {
			return nil, fmt.Errorf("countries: %s has no name", code)
		}
		d.countries[code] = Country{Code: code, Name: name, Jurisdiction: ThirdCountry}
	}

	// assign gives a country its jurisdiction, refusing a second one because
	// a country listed twice would make the policy outcome depend on order.
	assign := func(list, code string, set func(*Country)) error {
		c, ok := d.countries[code]
		if !ok {
			return fmt.Errorf("%s: %q is not in countries", list, code)
		}
		if c.Jurisdiction != ThirdCountry {
			return fmt.Errorf("%s: %s is already listed as %s", list, code, c.Jurisdiction)
		}
		set(&c)
		d.countries[code] = c
		return nil
	}
	for _, code := range f.EUMembers {
		if err := assign("eu_members", code, func(c *Country) {
			c.Jurisdiction, c.EUMember, c.EEAMember = EU, true, true
		}); err != nil {
			return nil, err
		}
	}
	for _, code := range f.EEAOnlyMembers {
		if err := assign("eea_only_members", code, func(c *Country) {
			c.Jurisdiction, c.EEAMember = EEA, true
		}); err != nil {
			return nil, err
		}
	}
	for _, a := range f.Adequacy.Full {
		if a.Decision == "" {
			return nil, fmt.Errorf("adequacy.full: %s has no decision", a.Country)
		}
		if err := assign("adequacy.full", a.Country, func(c *Country) {
			c.Jurisdiction, c.AdequacyDecision, c.PendingLitigation = Adequacy, a.Decision, a.Pending
		}); err != nil {
			return nil, err
		}
	}
	for _, a := range f.Adequacy.Partial {
		if a.Decision == "" || a.Scope == "" || a.MustEnsure == "" {
			return nil, fmt.Errorf("adequacy.partial: %s needs decision, scope and must_ensure", a.Country)
		}
		if err := assign("adequacy.partial", a.Country, func(c *Country) {
			c.Jurisdiction, c.AdequacyDecision, c.PartialScope = PartialAdequacy, a.Decision, a.MustEnsure
			c.PendingLitigation = a.Pending
		}); err != nil {
			return nil, err
		}
	}

	for cloud, list := range f.Regions {
		if cloud == "" || cloud != strings.ToLower(cloud) {
			return nil, fmt.Errorf("regions: cloud %q must be lower case, because Lookup lower-cases the cloud it is given", cloud)
		}
		byName := make(map[string]Region, len(list))
		sorted := make([]Region, 0, len(list))
		for _, r := range list {
			if r.Name == "" || r.Location == "" {
				return nil, fmt.Errorf("regions.%s: %q needs a name and a location", cloud, r.Name)
			}
			if _, dup := byName[r.Name]; dup {
				return nil, fmt.Errorf("regions.%s: %s is listed twice", cloud, r.Name)
			}
			c, ok := d.countries[r.Country]
			if !ok {
				return nil, fmt.Errorf("regions.%s: %s has unknown country %q", cloud, r.Name, r.Country)
			}
			reg := Region{Cloud: cloud, Name: r.Name, Location: r.Location, Country: c}
			byName[r.Name] = reg
			sorted = append(sorted, reg)
		}
		slices.SortFunc(sorted, func(a, b Region) int { return strings.Compare(a.Name, b.Name) })
		d.regions[cloud] = byName
		d.sorted[cloud] = sorted
		d.clouds = append(d.clouds, cloud)
	}
	slices.Sort(d.clouds)
	return d, nil
}
