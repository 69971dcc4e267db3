package s3name

import (
	"testing"
)

// BenchmarkProblems measures the validator run on every configured bucket name: a valid one, which should
// not allocate, and one that breaks most rules, which builds a message for each.
func BenchmarkProblems(b *testing.B) {
	for _, tc := range []struct {
		name, bucket string
		want         int
	}{
		{"valid", "customer-records.eu-central-1", 0},
		{"invalid", "xn--Customer_Records..2024-s3alias", 4},
		{"ip_address", "192.168.5.4", 1},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if got := Problems(tc.bucket); len(got) != tc.want {
				b.Fatalf("Problems(%q) = %q, want %d problems", tc.bucket, got, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = Problems(tc.bucket)
			}
		})
	}
}

// BenchmarkPrefixProblems measures the validator run on bucket_prefix, with the 20 characters the
// provider appends.
func BenchmarkPrefixProblems(b *testing.B) {
	for _, tc := range []struct {
		name, prefix string
		want         int
	}{
		{"valid", "customer-records-", 0},
		{"invalid", "-Customer_Records..", 3},
	} {
		b.Run(tc.name, func(b *testing.B) {
			if got := PrefixProblems(tc.prefix, 20); len(got) != tc.want {
				b.Fatalf("PrefixProblems(%q, 20) = %q, want %d problems", tc.prefix, got, tc.want)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = PrefixProblems(tc.prefix, 20)
			}
		})
	}
}
