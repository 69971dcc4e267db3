package s3name

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// The reference below restates the S3 naming rules for general purpose buckets
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html)
// without calling anything in s3name.go, so that the fuzzers compare two
// independent readings of the same rules rather than one implementation with
// itself.
var (
	// refShape covers length, character set, first and last character in one
	// expression: a letter or digit, then 1 to 61 allowed characters, then a
	// letter or digit.
	refShape = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

	refReservedPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	refReservedSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// refIsIPv4 says whether name is formatted as an IPv4 address: four dot-separated groups of one to three
// digits. The rule's only example is 192.168.5.4, so the reference takes the cautious reading, as the
// provider does: 01.2.3.4 and 256.1.1.1 look like addresses too, and a name S3 might refuse half-way
// through an apply is better refused at validate time.
func refIsIPv4(name string) bool {
	parts := strings.Split(name, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) < 1 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// refValid is the reference verdict for a full bucket name.
func refValid(name string) bool {
	if !refShape.MatchString(name) || strings.Contains(name, "..") || refIsIPv4(name) {
		return false
	}
	if slices.ContainsFunc(refReservedPrefixes, func(p string) bool { return strings.HasPrefix(name, p) }) {
		return false
	}
	return !slices.ContainsFunc(refReservedSuffixes, func(s string) bool { return strings.HasSuffix(name, s) })
}

// problemSeeds cover each rule on both sides of its boundary.
var problemSeeds = []string{
	"", "a", "ab", "abc", "customer-records", "a.b-c.1",
	strings.Repeat("a", 62), strings.Repeat("a", 63), strings.Repeat("a", 64),
	"Customer", "under_score", "caf\u00e9", "\xff\xfe", "a b", "-leading", "trailing-", ".lead", "trail.",
	"two..dots", "a.-b", "a-.b",
	"192.168.5.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3", "1.2.3.4.5",
	"192.168.5.4.example", "1.2.3.4a", "::ffff:1.2.3.4",
	"xn--bucket", "xn-bucket", "sthree-bucket", "sthree-configurator-x", "sthreebucket", "amzn-s3-demo-bucket",
	"amzn-s3-demo", "bucket-s3alias", "bucket--ol-s3", "bucket.mrap", "bucket--x-s3", "bucket--table-s3",
	"bucket-s3", "mrap.bucket",
}

func FuzzProblems(f *testing.F) {
	for _, s := range problemSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := Problems(name)
		want := refValid(name)
		if (len(got) == 0) != want {
			t.Fatalf("Problems(%q) = %q, but the reference says valid = %t", name, got, want)
		}
		for _, p := range got {
			if p == "" {
				t.Fatalf("Problems(%q) returned an empty problem in %q", name, got)
			}
		}
	})
}

// prefixSeeds are bucket_prefix values, including ones that only make a bad
// name once something is appended, such as a dangling period or a prefix of a
// reserved prefix.
var prefixSeeds = []string{
	"", "r", "records-", "records.", "records-s3alias", "records.mrap", "x", "xn-", "xn--", "sthree", "sthree-",
	"amzn-s3-demo", "amzn-s3-demo-", "1.2.3.", "192.168.5.", "a..", "-records", "Records", strings.Repeat("a", 43),
	strings.Repeat("a", 44),
}

// FuzzPrefixProblems checks the promise PrefixProblems makes: a prefix it
// accepts always yields a valid name once the generated part is appended. The
// generated part is checked both as the fixed example 20261125050403abcdef and
// as the provider builds it, a 14-digit UTC timestamp followed by six
// characters from a-z and 0-9, with the timestamp and characters fuzzed.
func FuzzPrefixProblems(f *testing.F) {
	for _, s := range prefixSeeds {
		f.Add(s, uint64(20261125050403), []byte("abcdef"))
	}
	f.Add("records-", uint64(99991231235959), []byte{0, 255, 35, 36, 71, 200})
	f.Fuzz(func(t *testing.T, prefix string, stamp uint64, random []byte) {
		const suffixLen = 20
		if len(PrefixProblems(prefix, suffixLen)) > 0 {
			return
		}
		suffixes := []string{"20261125050403abcdef", generatedSuffix(stamp, random)}
		for _, suffix := range suffixes {
			if len(suffix) != suffixLen {
				t.Fatalf("test bug: suffix %q is not %d characters long", suffix, suffixLen)
			}
			name := prefix + suffix
			if p := Problems(name); len(p) > 0 {
				t.Fatalf("PrefixProblems(%q) is empty, but the name %q has problems %q", prefix, name, p)
			}
			if !refValid(name) {
				t.Fatalf("PrefixProblems(%q) is empty, but the reference rejects the name %q", prefix, name)
			}
		}
	})
}

// generatedSuffix maps fuzzed input onto the shape of a generated suffix: a
// timestamp between years 1000 and 9999 and six characters from a-z0-9.
func generatedSuffix(stamp uint64, random []byte) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	ts := 10000101000000 + stamp%(99991231235959-10000101000000+1)
	var b strings.Builder
	b.WriteString(strconv.FormatUint(ts, 10))
	for i := range 6 {
		var c byte
		if i < len(random) {
			c = random[i]
		}
		b.WriteByte(alphabet[int(c)%len(alphabet)])
	}
	return b.String()
}
