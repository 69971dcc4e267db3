package jurisdiction

import (
	"errors"
	"testing"
)

// BenchmarkLookup measures the lookup every plan makes for the provider's region, on each cloud, and the
// error path a misspelt region takes.
func BenchmarkLookup(b *testing.B) {
	known := []struct {
		name, cloud, region string
		want                Jurisdiction
	}{
		{"aws", "aws", "eu-central-1", EU},
		{"azure", "azure", "westeurope", EU},
		{"gcp", "gcp", "us-central1", PartialAdequacy},
	}
	for _, tc := range known {
		b.Run(tc.name, func(b *testing.B) {
			r, err := Lookup(tc.cloud, tc.region)
			if err != nil || r.Country.Jurisdiction != tc.want {
				b.Fatalf("Lookup(%q, %q) = %s, %v; want %s", tc.cloud, tc.region, r.Country.Jurisdiction, err, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				r, err = Lookup(tc.cloud, tc.region)
			}
			if err != nil || r.Name != tc.region {
				b.Fatalf("Lookup(%q, %q) = %q, %v in the loop", tc.cloud, tc.region, r.Name, err)
			}
		})
	}

	b.Run("unknown", func(b *testing.B) {
		// A region spelt in the wrong case also builds the did-you-mean hint, the costliest error.
		const cloud, region = "aws", "EU-Central-1"
		_, err := Lookup(cloud, region)
		if !errors.Is(err, ErrUnknownRegion) {
			b.Fatalf("Lookup(%q, %q) error = %v, want ErrUnknownRegion", cloud, region, err)
		}
		b.ReportAllocs()
		for b.Loop() {
			_, err = Lookup(cloud, region)
		}
		if err == nil {
			b.Fatal("the unknown region was found in the loop")
		}
	})
}

// BenchmarkParse measures decoding and checking the embedded data, which each provider process does once.
func BenchmarkParse(b *testing.B) {
	d, err := parse(rawData)
	if err != nil {
		b.Fatalf("the embedded data does not parse: %v", err)
	}
	if len(d.clouds) == 0 || len(d.countries) == 0 {
		b.Fatalf("parse found %d clouds and %d countries", len(d.clouds), len(d.countries))
	}
	b.SetBytes(int64(len(rawData)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parse(rawData); err != nil {
			b.Fatal(err)
		}
	}
}
