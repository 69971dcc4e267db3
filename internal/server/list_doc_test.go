package server_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestListDoc_namesServerGuarantees checks that the sample listing on the list resource's page names only
// guarantees a server can break, as a listing of instances shows them, and not those of another resource.
func TestListDoc_namesServerGuarantees(t *testing.T) {
	// Between them, these instances break every guarantee of a server: without a root volume, only
	// root_volume is reported of the three about it, hence two.
	var names []string
	for _, s := range []awsapi.Server{
		{PublicIP: "203.0.113.7", ShutdownBehavior: "terminate", Root: &awsapi.Volume{}},
		{},
	} {
		for _, p := range s.Problems() {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	for _, page := range []string{"../../templates/list-resources/server.md.tmpl", "../../docs/list-resources/server.md"} {
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
					t.Errorf("%s shows a server that breaks %q, which is no guarantee of a server (they are %s)", page, name, strings.Join(names, ", "))
				}
			}
		}
	}
}
