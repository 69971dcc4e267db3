package policy

import (
	"fmt"
	"strings"
)

// RetentionInput describes how long data would be kept. Nil pointers mean "not set".
type RetentionInput struct {
	// ExpirationDays is when data is deleted; nil means nothing ever deletes it.
	ExpirationDays *int64
	// LockDays is how long Object Lock keeps each object version from deletion, when it does.
	LockDays *int64
	// MinimumDays is a statutory minimum the data must be kept, such as for accounting records.
	MinimumDays *int64
	// MaxDays is the longest retention the provider's policy allows.
	MaxDays int64
}

// Retention decides whether a retention is bounded and lies between the statutory minimum and the policy's
// maximum (GDPR Art. 5(1)(e), storage limitation), and that Object Lock does not outlast the expiration.
func Retention(in RetentionInput) Decision {
	var problems []string
	if in.ExpirationDays == nil {
		problems = append(problems, unboundedReason(in.MaxDays))
	} else {
		days := *in.ExpirationDays
		if days > in.MaxDays {
			problems = append(problems, tooLongReason(days, in.MaxDays))
		}
		if in.MinimumDays != nil && days < *in.MinimumDays {
			problems = append(problems, tooShortReason(days, *in.MinimumDays))
		}
		if in.LockDays != nil && *in.LockDays > days {
			problems = append(problems, lockOutlastsReason(*in.LockDays, days))
		}
	}
	if len(problems) > 0 {
		return Decision{Allowed: false, Reason: sentence(strings.Join(problems, "; and "))}
	}
	return Decision{Allowed: true, Reason: compliantReason(*in.ExpirationDays, in.MinimumDays, in.MaxDays)}
}

func unboundedReason(maxDays int64) string {
	return fmt.Sprintf("nothing expires the data, so it would be kept without limit, against storage limitation "+
		"(GDPR Art. 5(1)(e)); expire it after at most %d days", maxDays)
}

func tooLongReason(days, maxDays int64) string {
	return fmt.Sprintf("a retention of %d days exceeds the policy's maximum of %d days (max_retention_days, "+
		"GDPR Art. 5(1)(e) storage limitation)", days, maxDays)
}

func tooShortReason(days, minDays int64) string {
	return fmt.Sprintf("a retention of %d days is shorter than the statutory minimum of %d days", days, minDays)
}

func lockOutlastsReason(lockDays, days int64) string {
	return fmt.Sprintf("Object Lock keeps each version for %d days, longer than the %d days after which the "+
		"data is due to be deleted", lockDays, days)
}

func compliantReason(days int64, minDays *int64, maxDays int64) string {
	if minDays != nil {
		return fmt.Sprintf("A retention of %d days lies between the statutory minimum of %d days and the policy's "+
			"maximum of %d days (GDPR Art. 5(1)(e), storage limitation).", days, *minDays, maxDays)
	}
	return fmt.Sprintf("A retention of %d days is within the policy's maximum of %d days (GDPR Art. 5(1)(e), "+
		"storage limitation).", days, maxDays)
}

// sentence capitalises the first letter and ends the text with a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:] + "."
}
