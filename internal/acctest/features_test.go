package acctest

import (
	"strings"
	"testing"

	"github.com/hashicorp/go-version"
)

// The output of `version` from the two CLIs the tests run in CI, as they print it on standard output: OpenTofu
// puts its warnings about a missing CLI configuration there, before the version.
const (
	terraformVersionOutput = "Terraform v1.15.9\non linux_amd64\n"
	openTofuVersionOutput  = "\nWarning: Unable to open CLI configuration file\n\nThe CLI configuration file at " +
		"\"/root/.terraformrc\" does not exist.\nOpenTofu v1.12.6\non linux_amd64\n"
)

func TestParseCLIVersion(t *testing.T) {
	for out, want := range map[string]string{
		terraformVersionOutput: "Terraform 1.15.9",
		openTofuVersionOutput:  "OpenTofu 1.12.6",
		"Terraform v1.11.4\non linux_amd64\n\nYour version of Terraform is out of date! The latest version\nis 1.15.9.\n": "Terraform 1.11.4",
	} {
		c, err := parseCLIVersion(out)
		if err != nil || c.String() != want {
			t.Errorf("parseCLIVersion(%q) = %v, %v; want %s", out, c, err, want)
		}
	}
	if _, err := parseCLIVersion("tofu: command not found\n"); err == nil {
		t.Error("parseCLIVersion of an output naming no CLI: want an error")
	}
}

// A feature is judged by the CLI's own releases: OpenTofu's version numbers say nothing about Terraform's
// features, so an OpenTofu numbered as a Terraform that has actions or list resources still lacks them.
func TestFeature_missing(t *testing.T) {
	terraform := func(v string) CLI { return CLI{Version: version.Must(version.NewVersion(v))} }
	openTofu := func(v string) CLI { return CLI{OpenTofu: true, Version: version.Must(version.NewVersion(v))} }
	for _, tc := range []struct {
		cli     CLI
		feature Feature
		skip    string // "" when the test runs; else a part of the reason given
	}{
		{terraform("1.15.9"), Actions, ""},
		{terraform("1.15.9"), ListResources, ""},
		{terraform("1.15.9"), ResourceIdentity, ""},
		{terraform("1.11.4"), WriteOnly, ""},
		{terraform("1.11.4"), ResourceIdentity, "Resource identity: needs Terraform 1.12.0 or later, and this is Terraform 1.11.4"},
		{terraform("1.11.4"), Actions, "Actions: needs Terraform 1.14.0 or later"},
		{openTofu("1.12.6"), ResourceIdentity, ""},
		{openTofu("1.12.6"), WriteOnly, ""},
		{openTofu("1.12.6"), ProviderFunctions, ""},
		{openTofu("1.12.6"), Actions, "Actions: not in OpenTofu 1.12.6, the CLI under test"},
		{openTofu("1.12.6"), ListResources, "List resources and terraform query: not in OpenTofu 1.12.6"},
		{openTofu("1.14.0"), Actions, "Actions: not in OpenTofu 1.14.0"},
		{openTofu("1.15.9"), ListResources, "not in OpenTofu 1.15.9"},
		{openTofu("1.10.0"), WriteOnly, "Write-only arguments: needs OpenTofu 1.11.0 or later, and this is OpenTofu 1.10.0"},
		{openTofu("1.11.0"), ResourceIdentity, "Resource identity: needs OpenTofu 1.12.0 or later"},
	} {
		got := tc.feature.missing(tc.cli)
		switch {
		case tc.skip == "" && got != "":
			t.Errorf("%s with %s: want the test to run, got the skip %q", tc.feature.Name, tc.cli, got)
		case tc.skip != "" && !strings.Contains(got, tc.skip):
			t.Errorf("%s with %s: want a skip saying %q, got %q", tc.feature.Name, tc.cli, tc.skip, got)
		}
	}
}

// Without runs a test only where the feature is missing: with Terraform before 1.11, not with OpenTofu 1.12.
func TestWithout(t *testing.T) {
	check := without{WriteOnly}
	for c, runs := range map[CLI]bool{
		{Version: version.Must(version.NewVersion("1.10.5"))}:                 true,
		{Version: version.Must(version.NewVersion("1.15.9"))}:                 false,
		{OpenTofu: true, Version: version.Must(version.NewVersion("1.10.0"))}: true,
		{OpenTofu: true, Version: version.Must(version.NewVersion("1.12.6"))}: false,
	} {
		if got := check.skip(c) == ""; got != runs {
			t.Errorf("Without(%s) with %s: want the test to run %v, got %v", WriteOnly.Name, c, runs, got)
		}
	}
}
