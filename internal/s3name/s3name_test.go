package s3name

import (
	"strings"
	"testing"
)

func TestProblems(t *testing.T) {
	tests := []struct {
		name string
		want []string // a fragment of each expected problem, in order
	}{
		{"customer-records", nil},
		{"abc", nil},
		{"a.b-c.1", nil},
		{strings.Repeat("a", 63), nil},
		{"192.168.5.4.example", nil},
		{"ab", []string{"3 to 63 characters long, not 2"}},
		{strings.Repeat("a", 64), []string{"not 64"}},
		{"", []string{"not 0"}},
		{"Customer", []string{`not 'C'`, "begin and end"}},
		{"under_score", []string{`not '_'`}},
		{"-leading", []string{"begin and end"}},
		{"trailing-", []string{"begin and end"}},
		{"trailing.", []string{"begin and end"}},
		{"two..dots", []string{"adjacent periods"}},
		{"192.168.5.4", []string{"IP address"}},
		{"01.2.3.4", []string{"IP address"}},
		{"256.1.1.999", []string{"IP address"}},
		{"xn--bucket", []string{`"xn--"`}},
		{"sthree-bucket", []string{`"sthree-"`}},
		{"amzn-s3-demo-bucket", []string{`"amzn-s3-demo-"`}},
		{"bucket-s3alias", []string{`"-s3alias"`}},
		{"bucket--ol-s3", []string{`"--ol-s3"`}},
		{"bucket.mrap", []string{`".mrap"`}},
		{"bucket--x-s3", []string{`"--x-s3"`}},
		{"bucket--table-s3", []string{`"--table-s3"`}},
		{"UPPER CASE..", []string{"not 'U', 'P', 'E', 'R', ' ', 'C', 'A', 'S'", "begin and end", "adjacent periods"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Problems(tc.name)
			if len(got) != len(tc.want) {
				t.Fatalf("Problems(%q) = %q, want %d problems like %q", tc.name, got, len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestPrefixProblems(t *testing.T) {
	if p := PrefixProblems("records-", 20); len(p) != 0 {
		t.Errorf("a good prefix has problems: %q", p)
	}
	if p := PrefixProblems("records-s3alias", 20); len(p) != 0 {
		t.Errorf("a reserved suffix inside a prefix cannot end the name, yet: %q", p)
	}
	for prefix, want := range map[string]string{
		"":                      "1 to 43 characters",
		strings.Repeat("a", 44): "not 44",
		"Records":               `not 'R'`,
		"-records":              "begin with",
		"xn--records":           `"xn--"`,
		"a..b":                  "adjacent periods",
	} {
		p := PrefixProblems(prefix, 20)
		if len(p) == 0 || !strings.Contains(strings.Join(p, "; "), want) {
			t.Errorf("PrefixProblems(%q) = %q, want one containing %q", prefix, p, want)
		}
	}
}
