package policy

import (
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// BenchmarkResidency measures the check every gdpr_* plan runs: a region the policy allows, one it refuses
// with a hint, and one allowed under a partial adequacy decision, whose reason is the longest.
func BenchmarkResidency(b *testing.B) {
	for _, tc := range []struct {
		name, region string
		allowed      []string
		want         bool
		reason       string
	}{
		{"allowed", "eu-central-1", []string{"EU"}, true, "which the policy [EU] allows"},
		{"refused", "us-east-1", []string{"EEA"}, false, "add PARTIAL_ADEQUACY or US to allow it"},
		{"partial_adequacy", "us-east-1", []string{"EU", "PARTIAL_ADEQUACY"}, true, "make sure every recipient"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			r, err := jurisdiction.Lookup("aws", tc.region)
			if err != nil {
				b.Fatal(err)
			}
			d := Residency(r, tc.allowed)
			if d.Allowed != tc.want || !strings.Contains(d.Reason, tc.reason) {
				b.Fatalf("Residency(%s, %v) = %v, %q; want %v and a reason containing %q",
					tc.region, tc.allowed, d.Allowed, d.Reason, tc.want, tc.reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				d = Residency(r, tc.allowed)
			}
			if d.Allowed != tc.want {
				b.Fatalf("Residency(%s, %v) allowed = %v in the loop", tc.region, tc.allowed, d.Allowed)
			}
		})
	}
}

// BenchmarkRetention measures the retention check of gdpr_bucket and the gdpr_retention data source, on a
// compliant retention and on one that breaks several rules at once.
func BenchmarkRetention(b *testing.B) {
	for _, tc := range []struct {
		name   string
		in     RetentionInput
		want   bool
		reason string
	}{
		{"allowed", RetentionInput{ExpirationDays: days(3650), MinimumDays: days(2555), MaxDays: 3650}, true,
			"between the statutory minimum"},
		{"unbounded", RetentionInput{MaxDays: 365}, false, "without limit"},
		{"several_problems", RetentionInput{ExpirationDays: days(4000), LockDays: days(5000), MaxDays: 3650}, false,
			"; and Object Lock keeps"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d := Retention(tc.in)
			if d.Allowed != tc.want || !strings.Contains(d.Reason, tc.reason) {
				b.Fatalf("Retention = %v, %q; want %v and a reason containing %q", d.Allowed, d.Reason, tc.want, tc.reason)
			}
			b.ReportAllocs()
			for b.Loop() {
				d = Retention(tc.in)
			}
			if d.Allowed != tc.want {
				b.Fatalf("Retention allowed = %v in the loop", d.Allowed)
			}
		})
	}
}

// BenchmarkValidateJurisdictionValue measures the validator run on each entry of allowed_jurisdictions.
func BenchmarkValidateJurisdictionValue(b *testing.B) {
	for _, tc := range []struct {
		name, value string
		valid       bool
	}{
		{"keyword", "EEA", true},
		{"country", "CH", true},
		{"misread", "UK", false},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if err := ValidateJurisdictionValue(tc.value); (err == nil) != tc.valid {
				b.Fatalf("ValidateJurisdictionValue(%q) = %v, want valid = %v", tc.value, err, tc.valid)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = ValidateJurisdictionValue(tc.value)
			}
		})
	}
}
