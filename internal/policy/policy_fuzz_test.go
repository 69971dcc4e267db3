package policy

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
)

// refJurisdictionValues is the reference set of valid allowed_jurisdictions
// entries: the four keywords, written out here rather than taken from the
// package's keyword table, and every upper-case two-letter code the
// jurisdiction data knows, found by trying all of AA to ZZ.
var refJurisdictionValues = func() map[string]bool {
	m := map[string]bool{"EU": true, "EEA": true, "ADEQUACY": true, "PARTIAL_ADEQUACY": true}
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			if _, ok := jurisdiction.CountryByCode(code); ok {
				m[code] = true
			}
		}
	}
	return m
}()

func FuzzValidateJurisdictionValue(f *testing.F) {
	for _, s := range []string{
		"EU", "EEA", "ADEQUACY", "PARTIAL_ADEQUACY", "THIRD_COUNTRY", "DE", "CH", "US", "GB", "IS",
		"eu", "Eu", "de", "partial_adequacy", "UK", "EL", "uk", "ZZ", "AA", "D", "DEU", "", " DE", "DE ",
		"\u0131t", "\xff", "\"", "E\u0055",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := ValidateJurisdictionValue(v)
		if want := refJurisdictionValues[v]; (err == nil) != want {
			t.Fatalf("ValidateJurisdictionValue(%q) = %v, but the reference says valid = %t", v, err, want)
		}
		if err != nil {
			if quoted := fmt.Sprintf("%q", v); !strings.Contains(err.Error(), quoted) {
				t.Fatalf("ValidateJurisdictionValue(%q) error %q does not quote the value as %s", v, err, quoted)
			}
		}
	})
}

// refRetentionAllowed restates the retention rule: an expiration must be set,
// no later than the policy's maximum, no earlier than the statutory minimum
// when there is one, and no earlier than the end of the Object Lock period
// when there is one.
func refRetentionAllowed(exp, lock, minimum, noncurrent *int64, maxDays int64) bool {
	switch {
	case exp == nil:
		return false
	case *exp > maxDays:
		return false
	case minimum != nil && *minimum > *exp:
		return false
	case lock != nil && *lock > *exp:
		return false
	case noncurrent != nil && *noncurrent > *exp:
		return false
	// A version lives the expiration plus the noncurrent days, of which all but the first count against
	// the maximum: expiration + noncurrent <= maximum + 1, in exact arithmetic.
	case noncurrent != nil && new(big.Int).Add(big.NewInt(*exp), big.NewInt(*noncurrent)).
		Cmp(new(big.Int).Add(big.NewInt(maxDays), big.NewInt(1))) > 0:
		return false
	}
	return true
}

func FuzzRetention(f *testing.F) {
	type seed struct {
		exp, lock, minimum, noncurrent, maxDays int64
		hasExp, hasLock, hasMin, hasNoncurrent  bool
	}
	for _, s := range []seed{
		{30, 0, 0, 0, 365, true, false, false, false},
		{365, 365, 365, 1, 365, true, true, true, true},
		{366, 0, 0, 0, 365, true, false, false, false},
		{10, 30, 0, 0, 365, true, true, false, false},
		{10, 0, 30, 0, 365, true, false, true, false},
		{0, 0, 0, 0, 0, false, false, false, false},
		{400, 500, 3650, 0, 365, true, true, true, false},
		{-1, -2, -3, -4, -5, true, true, true, true},
		{1<<63 - 1, -1 << 63, -1 << 63, 1<<63 - 1, 1<<63 - 1, true, true, true, true},
		{-1 << 63, 1<<63 - 1, 1<<63 - 1, -1 << 63, -1 << 63, true, true, true, true},
		{0, 1<<63 - 1, 0, 0, -1 << 63, false, true, true, false},
		{336, 0, 0, 30, 365, true, false, false, true},
		{337, 0, 0, 30, 365, true, false, false, true},
		{7, 0, 0, 30, 365, true, false, false, true},
		{-1 << 63, 0, 0, 1<<63 - 1, 1<<63 - 1, true, false, false, true},
		// Subtracting a day from the least noncurrent days there are wraps around to the most.
		{-1 << 63, 0, 0, -1 << 63, 0, true, false, false, true},
	} {
		f.Add(s.exp, s.lock, s.minimum, s.noncurrent, s.maxDays, s.hasExp, s.hasLock, s.hasMin, s.hasNoncurrent)
	}
	f.Fuzz(func(t *testing.T, exp, lock, minimum, noncurrent, maxDays int64, hasExp, hasLock, hasMin, hasNoncurrent bool) {
		in := RetentionInput{MaxDays: maxDays}
		if hasExp {
			in.ExpirationDays = &exp
		}
		if hasLock {
			in.LockDays = &lock
		}
		if hasMin {
			in.MinimumDays = &minimum
		}
		if hasNoncurrent {
			in.NoncurrentDays = &noncurrent
		}
		describe := fmt.Sprintf("Retention(expiration %s, lock %s, minimum %s, noncurrent %s, max %d)",
			showDays(in.ExpirationDays), showDays(in.LockDays), showDays(in.MinimumDays), showDays(in.NoncurrentDays), maxDays)

		d := Retention(in)
		if want := refRetentionAllowed(in.ExpirationDays, in.LockDays, in.MinimumDays, in.NoncurrentDays, maxDays); d.Allowed != want {
			t.Fatalf("%s allowed = %t, want %t; reason %q", describe, d.Allowed, want, d.Reason)
		}
		if d.Reason == "" || d.Reason[0] < 'A' || d.Reason[0] > 'Z' || !strings.HasSuffix(d.Reason, ".") {
			t.Fatalf("%s reason %q is not a sentence starting with a capital letter and ending with a full stop", describe, d.Reason)
		}
		if strings.HasSuffix(d.Reason, "..") {
			t.Fatalf("%s reason %q ends with two full stops", describe, d.Reason)
		}
	})
}

func showDays(p *int64) string {
	if p == nil {
		return "unset"
	}
	return fmt.Sprint(*p)
}
