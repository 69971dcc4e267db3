package database_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestListDoc_namesDatabaseGuarantees checks that the sample listing on the list resource's page names only
// guarantees a database can break, as a listing of DB instances shows them, and not those of another
// resource; and that the resource's page lists every guarantee by its name.
func TestListDoc_namesDatabaseGuarantees(t *testing.T) {
	// A database described with nothing set breaks every guarantee.
	var names []string
	for _, p := range (&awsapi.Database{PubliclyAccessible: true, AutoMinorVersionUpgrade: true}).Problems() {
		names = append(names, p.Name)
	}
	if len(names) != 7 {
		t.Fatalf("a database with nothing set breaks %v; the test expects all seven guarantees", names)
	}
	for _, page := range []string{"../../templates/list-resources/database.md.tmpl", "../../docs/list-resources/database.md"} {
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
					t.Errorf("%s shows a database that breaks %q, which is no guarantee of a database (they are %s)", page, name, strings.Join(names, ", "))
				}
			}
		}
	}
	for _, page := range []string{"../../templates/resources/database.md.tmpl", "../../docs/resources/database.md"} {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if !strings.Contains(string(b), "**`"+name+"`**") {
				t.Errorf("%s does not describe the guarantee %s", page, name)
			}
		}
	}
}
