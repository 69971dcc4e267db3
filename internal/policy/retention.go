package policy

import (
	"fmt"
	"math"
	"math/big"
	"strings"
)

// RetentionInput describes how long data would be kept. Nil pointers mean "not set".
type RetentionInput struct {
	// ExpirationDays is when data is deleted; nil means nothing ever deletes it.
	ExpirationDays *int64
	// LockDays is how long Object Lock keeps each object version from deletion, when it does.
	LockDays *int64
	// NoncurrentDays is how long a version is kept once it is noncurrent (overwritten, deleted, or expired
	// by ExpirationDays), when something expires noncurrent versions: the window in which a restore can
	// return it.
	NoncurrentDays *int64
	// MinimumDays is a statutory minimum the data must be kept, such as for accounting records.
	MinimumDays *int64
	// MaxDays is the longest retention the provider's policy allows.
	MaxDays int64
}

// RetentionProblemKind names a rule a retention breaks, so that a caller can say which of its arguments
// the problem concerns.
type RetentionProblemKind int

// The rules Retention checks.
const (
	// RetentionUnbounded: nothing expires the data.
	RetentionUnbounded RetentionProblemKind = iota + 1
	// RetentionTooLong: the data is kept longer than the policy's maximum.
	RetentionTooLong
	// RetentionTooShort: the data is deleted before the statutory minimum.
	RetentionTooShort
	// RetentionLockOutlasts: Object Lock keeps the data longer than its expiration.
	RetentionLockOutlasts
	// RetentionNoncurrentOutlasts: noncurrent versions are kept longer than current data.
	RetentionNoncurrentOutlasts
	// RetentionVersionsTooLong: the expiration is within the maximum, but a version, kept for the noncurrent
	// days once it expires, outlives the maximum by more than the one day of cleanup every bucket has.
	RetentionVersionsTooLong
)

// NoncurrentGraceDays is the first day of a version's noncurrent life, which the policy does not count
// against the maximum: every bucket has always kept expired versions that one day (the bucket's cleanup),
// so a bucket whose expiration is the maximum stays within it with the default noncurrent expiration.
// Every further noncurrent day is a day of retention.
const NoncurrentGraceDays = 1

// RetentionProblem is one rule a retention breaks.
type RetentionProblem struct {
	Kind RetentionProblemKind
	// Reason is one sentence that says what is wrong, with the numbers and the article where one applies.
	Reason string
	// Limit is the bound that was crossed: the policy's maximum for RetentionUnbounded and RetentionTooLong,
	// the statutory minimum for RetentionTooShort, the expiration for RetentionLockOutlasts and
	// RetentionNoncurrentOutlasts, and the most noncurrent days the maximum leaves for
	// RetentionVersionsTooLong. Callers use it to say what value would do.
	Limit int64
}

// RetentionDecision is the outcome of a retention check. Its Reason is every problem's reason in one
// sentence (or why the retention complies), as data sources show it; Problems lists them one by one, in
// the order Reason names them, for a resource that reports each on the argument it concerns.
type RetentionDecision struct {
	Decision
	Problems []RetentionProblem
}

// Retention decides whether a retention is bounded and lies between the statutory minimum and the policy's
// maximum (GDPR Art. 5(1)(e), storage limitation), and that neither Object Lock nor the noncurrent versions
// outlast the expiration. The maximum bounds the longest any version is kept: the expiration plus the
// noncurrent days after it, less the one day of cleanup (NoncurrentGraceDays).
func Retention(in RetentionInput) RetentionDecision {
	var problems []RetentionProblem
	var clauses []string
	add := func(kind RetentionProblemKind, clause string, limit int64) {
		problems = append(problems, RetentionProblem{Kind: kind, Reason: sentence(clause), Limit: limit})
		clauses = append(clauses, clause)
	}
	if in.ExpirationDays == nil {
		add(RetentionUnbounded, unboundedReason(in.MaxDays), in.MaxDays)
	} else {
		days := *in.ExpirationDays
		if days > in.MaxDays {
			add(RetentionTooLong, tooLongReason(days, in.MaxDays), in.MaxDays)
		}
		if in.MinimumDays != nil && days < *in.MinimumDays {
			add(RetentionTooShort, tooShortReason(days, *in.MinimumDays), *in.MinimumDays)
		}
		if in.LockDays != nil && *in.LockDays > days {
			add(RetentionLockOutlasts, lockOutlastsReason(*in.LockDays, days), days)
		}
		if n := in.NoncurrentDays; n != nil {
			if *n > days {
				add(RetentionNoncurrentOutlasts, noncurrentOutlastsReason(*n, days), days)
			}
			// An expiration already too long is reported as such, not again for its versions.
			if total := sum(days, *n); days <= in.MaxDays && total.Cmp(sum(in.MaxDays, NoncurrentGraceDays)) > 0 {
				add(RetentionVersionsTooLong, versionsTooLongReason(days, *n, total, in.MaxDays), noncurrentLimit(days, in.MaxDays))
			}
		}
	}
	if len(problems) > 0 {
		return RetentionDecision{Decision: Decision{Allowed: false, Reason: sentence(strings.Join(clauses, "; and "))}, Problems: problems}
	}
	return RetentionDecision{Decision: Decision{Allowed: true, Reason: compliantReason(*in.ExpirationDays, in.NoncurrentDays, in.MinimumDays, in.MaxDays)}}
}

// Lock is an Object Lock default retention: its mode (GOVERNANCE or COMPLIANCE) and days.
type Lock struct {
	Mode string
	Days int64
}

// MoveRetention decides whether objects moved from a bucket whose default retention is from into a bucket
// whose default retention is to keep at least the retention they had. Retention is often a legal obligation
// (a statutory minimum, a litigation hold), so a move must not end it earlier: the new bucket needs Object
// Lock when the old one has it, for at least as many days, and COMPLIANCE mode, which nobody can lift, cannot
// become GOVERNANCE, which some can. A nil Lock means no default retention.
func MoveRetention(from, to *Lock) Decision {
	switch {
	case from == nil:
		return Decision{Allowed: true, Reason: "The old bucket has no default retention, so a move shortens none."}
	case to == nil:
		return Decision{Reason: fmt.Sprintf("The old bucket keeps every object version for %d days under %s Object Lock, "+
			"and the new bucket has no Object Lock, so moving the objects would end their retention early.", from.Days, from.Mode)}
	case to.Days < from.Days:
		return Decision{Reason: fmt.Sprintf("The old bucket keeps every object version for %d days under Object Lock, "+
			"and the new bucket only for %d, so moving the objects would shorten their retention.", from.Days, to.Days)}
	case from.Mode == "COMPLIANCE" && to.Mode != "COMPLIANCE":
		return Decision{Reason: fmt.Sprintf("The old bucket's Object Lock is in COMPLIANCE mode, which nobody can lift, "+
			"and the new bucket's in %s mode, which users with special permission can, so moving the objects would "+
			"weaken their retention.", to.Mode)}
	}
	return Decision{Allowed: true, Reason: "The new bucket keeps every moved object at least as long as the old one did."}
}

// sum adds two numbers of days without overflow: they come from configurations and from buckets made by any
// tool, and the maximum may be the largest int64 there is.
func sum(a, b int64) *big.Int {
	return new(big.Int).Add(big.NewInt(a), big.NewInt(b))
}

// noncurrentLimit is the most noncurrent days the maximum leaves a version expired after days, held to the
// int64 range.
func noncurrentLimit(days, maxDays int64) int64 {
	limit := new(big.Int).Sub(sum(maxDays, NoncurrentGraceDays), big.NewInt(days))
	if !limit.IsInt64() {
		return math.MaxInt64
	}
	return limit.Int64()
}
