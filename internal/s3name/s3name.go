// Package s3name holds the S3 naming rules for general purpose buckets, so the provider can reject a bad
// name at validate time, one message per broken rule, instead of failing half-way through an apply.
package s3name

import (
	"fmt"
	"regexp"
	"strings"
)

// Length limits of a bucket name.
const (
	MinLength = 3
	MaxLength = 63
)

// ipLike matches names formatted as an IPv4 address. It takes the cautious reading of the rule, so
// 01.2.3.4 and 256.1.1.1 count too: a name S3 might refuse is better refused at validate time.
var ipLike = regexp.MustCompile(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`)

// The prefixes and suffixes S3 reserves for its own features.
var (
	reservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// Problems lists every naming rule the name breaks, each as a sentence fragment that says what is allowed;
// it is empty for a valid name.
func Problems(name string) []string {
	var out []string
	if n := len(name); n < MinLength || n > MaxLength {
		out = append(out, fmt.Sprintf("must be %d to %d characters long, not %d", MinLength, MaxLength, n))
	}
	out = append(out, charsetProblems(name)...)
	if name != "" && (!alnum(name[0]) || !alnum(name[len(name)-1])) {
		out = append(out, "must begin and end with a lower-case letter or a digit")
	}
	if strings.Contains(name, "..") {
		out = append(out, "must not contain two adjacent periods")
	}
	if ipLike.MatchString(name) {
		out = append(out, "must not be formatted as an IP address")
	}
	out = append(out, reservedProblems(name, true)...)
	return out
}

// PrefixProblems lists the rules a bucket_prefix breaks, given how many characters the provider appends.
func PrefixProblems(prefix string, suffixLen int) []string {
	var out []string
	if longest := MaxLength - suffixLen; len(prefix) < 1 || len(prefix) > longest {
		out = append(out, fmt.Sprintf("must be 1 to %d characters long, leaving room for the %d generated characters, not %d", longest, suffixLen, len(prefix)))
	}
	out = append(out, charsetProblems(prefix)...)
	if prefix != "" && !alnum(prefix[0]) {
		out = append(out, "must begin with a lower-case letter or a digit")
	}
	// The generated part starts with a digit, so a prefix ending in a period or hyphen still makes a valid
	// name; two adjacent periods never do.
	if strings.Contains(prefix, "..") {
		out = append(out, "must not contain two adjacent periods")
	}
	out = append(out, reservedProblems(prefix, false)...)
	return out
}

func charsetProblems(s string) []string {
	var bad []string
	seen := map[rune]bool{}
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '.' || r == '-' {
			continue
		}
		if !seen[r] {
			seen[r] = true
			bad = append(bad, fmt.Sprintf("%q", r))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return []string{fmt.Sprintf("may contain only lower-case letters, digits, periods and hyphens, not %s", strings.Join(bad, ", "))}
}

func reservedProblems(s string, checkSuffix bool) []string {
	var out []string
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(s, p) {
			out = append(out, fmt.Sprintf("must not start with %q, which S3 reserves", p))
		}
	}
	if checkSuffix {
		for _, sfx := range reservedSuffixes {
			if strings.HasSuffix(s, sfx) {
				out = append(out, fmt.Sprintf("must not end with %q, which S3 reserves", sfx))
			}
		}
	}
	return out
}

func alnum(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') }
