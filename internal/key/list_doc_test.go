package key_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestListDoc_namesKeyGuarantees checks that the sample listing on the list resource's page names only
// guarantees a key can break, as a listing of keys shows them, and not those of another resource.
func TestListDoc_namesKeyGuarantees(t *testing.T) {
	// Between them, these keys break every guarantee of a key: a disabled key is reported unusable and not
	// also unrotated, hence two.
	var names []string
	for _, k := range []awsapi.Key{
		{MultiRegion: true, KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY", State: "Enabled"},
		{State: "Disabled"},
	} {
		for _, p := range k.Violations() {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for _, page := range []string{"../../templates/list-resources/key.md.tmpl", "../../docs/list-resources/key.md"} {
		checkBrokenGuaranteeNames(t, page, names)
	}
}

// checkBrokenGuaranteeNames fails unless the page shows a sample `breaks: ` listing and every guarantee it
// names there is one of names.
func checkBrokenGuaranteeNames(t *testing.T, page string, names []string) {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	samples := regexp.MustCompile(`(?m)\): breaks: (.+)$`).FindAllStringSubmatch(string(b), -1)
	if len(samples) == 0 {
		t.Fatalf("%s shows no sample result that `breaks: ` a guarantee", page)
	}
	for _, s := range samples {
		for _, name := range strings.Split(s[1], ", ") {
			if !slices.Contains(names, name) {
				t.Errorf("%s shows a key that breaks %q, which is no guarantee of a key (they are %s)", page, name, strings.Join(names, ", "))
			}
		}
	}
}
