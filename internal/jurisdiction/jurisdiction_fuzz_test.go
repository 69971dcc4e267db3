package jurisdiction

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// refASCIILower lower-cases A-Z only, which keeps the reference independent of
// the strings.ToLower that Lookup uses. The two agree on the current cloud
// names (aws, azure, gcp) because no character outside ASCII lower-cases into
// any of their letters; a new cloud with an i or a k in its name would make
// them differ on İ (U+0130) and the Kelvin sign (U+212A), and this fuzzer would
// say so.
func refASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}

// refCloud returns the cloud of Clouds() that cloud names, matched without
// regard to case, and whether there is one.
func refCloud(cloud string) (string, bool) {
	want := refASCIILower(cloud)
	for _, c := range Clouds() {
		if c == want {
			return c, true
		}
	}
	return "", false
}

func refIsAlpha2(code string) bool {
	return len(code) == 2 && 'A' <= code[0] && code[0] <= 'Z' && 'A' <= code[1] && code[1] <= 'Z'
}

func FuzzLookup(f *testing.F) {
	for _, cloud := range Clouds() {
		regions := Regions(cloud)
		for _, r := range regions {
			f.Add(cloud, r.Name)
		}
		if len(regions) > 0 {
			name := regions[0].Name
			f.Add(strings.ToUpper(cloud), name)
			f.Add(cloud, strings.ToUpper(name))
			f.Add(cloud, name+" ")
			f.Add(cloud, "")
		}
	}
	f.Add("", "")
	f.Add("AWS", "eu-central-1")
	f.Add("aws ", "eu-central-1")
	f.Add("oracle", "eu-frankfurt-1")
	f.Add("gcp", "europe-west3")
	f.Add("azure", "germanywestcentral")
	f.Add("\xff", "\x00")
	f.Add("awſ", "eu-central-1")
	f.Fuzz(func(t *testing.T, cloud, region string) {
		got, err := Lookup(cloud, region)

		canonical, cloudKnown := refCloud(cloud)
		var want Region
		regionKnown := false
		if cloudKnown {
			regions := Regions(cloud)
			if len(regions) == 0 {
				t.Fatalf("cloud %q is in Clouds() but Regions(%q) is empty", canonical, cloud)
			}
			if !slices.IsSortedFunc(regions, func(a, b Region) int { return strings.Compare(a.Name, b.Name) }) {
				t.Fatalf("Regions(%q) is not sorted by name", cloud)
			}
			for _, r := range regions {
				if r.Name == region {
					want, regionKnown = r, true
				}
			}
		} else if rs := Regions(cloud); rs != nil {
			t.Fatalf("cloud %q is not in Clouds() %q, yet Regions returns %d regions", cloud, Clouds(), len(rs))
		}

		switch {
		case !cloudKnown:
			if err == nil || !errors.Is(err, ErrUnknownCloud) || errors.Is(err, ErrUnknownRegion) {
				t.Fatalf("Lookup(%q, %q) error = %v, want one matching ErrUnknownCloud only", cloud, region, err)
			}
		case !regionKnown:
			if err == nil || !errors.Is(err, ErrUnknownRegion) || errors.Is(err, ErrUnknownCloud) {
				t.Fatalf("Lookup(%q, %q) error = %v, want one matching ErrUnknownRegion only", cloud, region, err)
			}
		default:
			if err != nil {
				t.Fatalf("Lookup(%q, %q) error = %v, but Regions(%q) lists the region", cloud, region, err, cloud)
			}
			if got != want {
				t.Fatalf("Lookup(%q, %q) = %+v, but Regions lists %+v", cloud, region, got, want)
			}
			if got.Cloud != canonical || got.Name != region {
				t.Fatalf("Lookup(%q, %q) = cloud %q region %q, want cloud %q", cloud, region, got.Cloud, got.Name, canonical)
			}
			if !refIsAlpha2(got.Country.Code) {
				t.Fatalf("Lookup(%q, %q) country code %q is not two upper-case letters", cloud, region, got.Country.Code)
			}
			c, ok := CountryByCode(got.Country.Code)
			if !ok || c != got.Country {
				t.Fatalf("CountryByCode(%q) = %+v, %t, want %+v", got.Country.Code, c, ok, got.Country)
			}
		}
		if err != nil {
			if got != (Region{}) {
				t.Fatalf("Lookup(%q, %q) failed but returned a region %+v", cloud, region, got)
			}
			if err.Error() == "" {
				t.Fatalf("Lookup(%q, %q) failed with an empty message", cloud, region)
			}
		}
	})
}
