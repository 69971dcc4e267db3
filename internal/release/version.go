package release

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/hashicorp/go-version"
)

var changelogHeading = regexp.MustCompile(`(?m)^## v?([0-9][^ \n]*)`)

// NextVersion is the version CHANGELOG.md is being written for: the version of its first heading, the
// one a release of this checkout would publish.
func NextVersion(root string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, "CHANGELOG.md"))
	if err != nil {
		return "", err
	}
	m := changelogHeading.FindSubmatch(b)
	if m == nil {
		return "", fmt.Errorf("CHANGELOG.md has no heading such as \"## 0.1.0 (Unreleased)\" to take the version from")
	}
	v, err := version.NewSemver(string(m[1]))
	if err != nil {
		return "", fmt.Errorf("CHANGELOG.md's first heading: %w", err)
	}
	return v.String(), nil
}
