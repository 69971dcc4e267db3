package policy

import (
	"math"
	"strings"
	"testing"
)

func days(n int64) *int64 { return &n }

func TestRetention(t *testing.T) {
	tests := []struct {
		name    string
		in      RetentionInput
		allowed bool
		want    []string
	}{
		{"within maximum", RetentionInput{ExpirationDays: days(30), MaxDays: 3650}, true,
			[]string{"A retention of 30 days is within the policy's maximum of 3650 days", "Art. 5(1)(e)"}},
		{"exactly the maximum", RetentionInput{ExpirationDays: days(3650), MaxDays: 3650}, true, nil},
		{"between minimum and maximum", RetentionInput{ExpirationDays: days(3650), MinimumDays: days(2555), MaxDays: 3650}, true,
			[]string{"between the statutory minimum of 2555 days and the policy's maximum of 3650 days"}},
		{"exactly the minimum", RetentionInput{ExpirationDays: days(2555), MinimumDays: days(2555), MaxDays: 3650}, true, nil},
		{"lock equal to expiration", RetentionInput{ExpirationDays: days(30), LockDays: days(30), MaxDays: 3650}, true, nil},
		{"unbounded", RetentionInput{MaxDays: 365}, false,
			[]string{"Nothing expires the data", "without limit", "at most 365 days"}},
		{"too long", RetentionInput{ExpirationDays: days(3651), MaxDays: 3650}, false,
			[]string{"A retention of 3651 days exceeds the policy's maximum of 3650 days"}},
		{"too short", RetentionInput{ExpirationDays: days(30), MinimumDays: days(365), MaxDays: 3650}, false,
			[]string{"shorter than the statutory minimum of 365 days"}},
		{"lock outlasts expiration", RetentionInput{ExpirationDays: days(30), LockDays: days(31), MaxDays: 3650}, false,
			[]string{"Object Lock keeps each version for 31 days, longer than the 30 days"}},
		{"several problems", RetentionInput{ExpirationDays: days(4000), LockDays: days(5000), MaxDays: 3650}, false,
			[]string{"exceeds", "; and Object Lock keeps"}},
		{"minimum above maximum", RetentionInput{ExpirationDays: days(100), MinimumDays: days(200), MaxDays: 150}, false,
			[]string{"shorter than the statutory minimum of 200 days"}},
		// The first noncurrent day is the cleanup every bucket always had: an expiration at the maximum stays
		// allowed with it, and the reason says nothing of it.
		{"expiration at the maximum, one noncurrent day", RetentionInput{ExpirationDays: days(365), NoncurrentDays: days(1), MaxDays: 365}, true,
			[]string{"A retention of 365 days is within the policy's maximum of 365 days"}},
		{"noncurrent days within the maximum", RetentionInput{ExpirationDays: days(300), NoncurrentDays: days(30), MaxDays: 365}, true,
			[]string{"A retention of 300 days, and 30 more for noncurrent versions, is within the policy's maximum of 365 days"}},
		{"noncurrent days exactly fill the maximum", RetentionInput{ExpirationDays: days(336), NoncurrentDays: days(30), MaxDays: 365}, true, nil},
		{"noncurrent days outlast expiration", RetentionInput{ExpirationDays: days(7), NoncurrentDays: days(30), MaxDays: 365}, false,
			[]string{"Overwritten and deleted versions are kept for 30 days, longer than the 7 days"}},
		{"versions outlive the maximum", RetentionInput{ExpirationDays: days(337), NoncurrentDays: days(30), MaxDays: 365}, false,
			[]string{"A version expired after 337 days is kept 30 days more as a noncurrent version, 367 days in all, which exceeds the policy's maximum of 365 days by more than the one day of cleanup"}},
		{"no maximum to speak of", RetentionInput{ExpirationDays: days(30), NoncurrentDays: days(30), MaxDays: math.MaxInt64}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Retention(tc.in)
			if d.Allowed != tc.allowed {
				t.Errorf("allowed = %v, want %v (%s)", d.Allowed, tc.allowed, d.Reason)
			}
			if !strings.HasSuffix(d.Reason, ".") || strings.ToUpper(d.Reason[:1]) != d.Reason[:1] {
				t.Errorf("reason %q is not a sentence", d.Reason)
			}
			for _, w := range tc.want {
				if !strings.Contains(d.Reason, w) {
					t.Errorf("reason %q does not contain %q", d.Reason, w)
				}
			}
		})
	}
}

// TestRetention_problems checks the problems one by one, as a resource reports them on the arguments they
// concern: the kind, the bound that was crossed, and the same words the joined reason uses.
func TestRetention_problems(t *testing.T) {
	type problem struct {
		kind  RetentionProblemKind
		limit int64
		words string
	}
	tests := []struct {
		name string
		in   RetentionInput
		want []problem
	}{
		{"compliant", RetentionInput{ExpirationDays: days(30), LockDays: days(30), MinimumDays: days(10), MaxDays: 3650}, nil},
		{"unbounded", RetentionInput{MaxDays: 365}, []problem{{RetentionUnbounded, 365, "at most 365 days"}}},
		{"too long", RetentionInput{ExpirationDays: days(3651), MaxDays: 3650},
			[]problem{{RetentionTooLong, 3650, "A retention of 3651 days exceeds the policy's maximum of 3650 days"}}},
		{"too short", RetentionInput{ExpirationDays: days(30), MinimumDays: days(365), MaxDays: 3650},
			[]problem{{RetentionTooShort, 365, "shorter than the statutory minimum of 365 days"}}},
		{"lock outlasts expiration", RetentionInput{ExpirationDays: days(30), LockDays: days(31), MaxDays: 3650},
			[]problem{{RetentionLockOutlasts, 30, "Object Lock keeps each version for 31 days, longer than the 30 days"}}},
		{"noncurrent days outlast expiration", RetentionInput{ExpirationDays: days(7), NoncurrentDays: days(8), MaxDays: 3650},
			[]problem{{RetentionNoncurrentOutlasts, 7, "kept for 8 days, longer than the 7 days"}}},
		// 337 + 30 - 1 = 366 days against 365: at most 29 noncurrent days fit.
		{"versions outlive the maximum", RetentionInput{ExpirationDays: days(337), NoncurrentDays: days(30), MaxDays: 365},
			[]problem{{RetentionVersionsTooLong, 29, "367 days in all"}}},
		// An expiration already too long is reported once, as such, not again for its versions.
		{"expiration too long, with noncurrent days", RetentionInput{ExpirationDays: days(400), NoncurrentDays: days(30), MaxDays: 365},
			[]problem{{RetentionTooLong, 365, "A retention of 400 days exceeds"}}},
		{"every bounded problem at once", RetentionInput{ExpirationDays: days(4000), LockDays: days(5000), MinimumDays: days(4500), MaxDays: 3650},
			[]problem{
				{RetentionTooLong, 3650, "exceeds the policy's maximum of 3650 days"},
				{RetentionTooShort, 4500, "shorter than the statutory minimum of 4500 days"},
				{RetentionLockOutlasts, 4000, "Object Lock keeps each version for 5000 days"},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Retention(tc.in)
			if len(d.Problems) != len(tc.want) {
				t.Fatalf("problems = %+v, want %d", d.Problems, len(tc.want))
			}
			if d.Allowed != (len(tc.want) == 0) {
				t.Errorf("allowed = %v with %d problems", d.Allowed, len(d.Problems))
			}
			clauses := make([]string, len(d.Problems))
			for i, p := range d.Problems {
				w := tc.want[i]
				if p.Kind != w.kind || p.Limit != w.limit || !strings.Contains(p.Reason, w.words) {
					t.Errorf("problem %d = %+v, want kind %d, limit %d and words %q", i, p, w.kind, w.limit, w.words)
				}
				if !strings.HasSuffix(p.Reason, ".") || strings.ToUpper(p.Reason[:1]) != p.Reason[:1] {
					t.Errorf("problem %d: reason %q is not a sentence", i, p.Reason)
				}
				clauses[i] = strings.TrimSuffix(p.Reason, ".")
			}
			// The joined reason, which data sources print, is the problems' reasons in one sentence.
			if len(clauses) > 0 && !strings.EqualFold(d.Reason, strings.Join(clauses, "; and ")+".") {
				t.Errorf("reason %q is not the problems %q joined", d.Reason, clauses)
			}
		})
	}
}
