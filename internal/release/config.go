// Package release builds the provider's release artifacts as the release does (see .goreleaser.yml): one
// zip per platform with the registry's names, the registry manifest, the SHA256SUMS file and its detached
// OpenPGP signature. It reads every platform, flag and name from .goreleaser.yml, so the rehearsal that
// `make release-check` runs cannot drift from what is published.
package release

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

// Config is the part of .goreleaser.yml that decides what a release contains.
type Config struct {
	ProjectName string     `yaml:"project_name"`
	Builds      []build    `yaml:"builds"`
	Archives    []archive  `yaml:"archives"`
	Checksum    checksum   `yaml:"checksum"`
	Signs       []sign     `yaml:"signs"`
	Release     releaseCfg `yaml:"release"`
}

type build struct {
	Env          []string `yaml:"env"`
	ModTimestamp string   `yaml:"mod_timestamp"`
	Flags        []string `yaml:"flags"`
	Ldflags      []string `yaml:"ldflags"`
	Goos         []string `yaml:"goos"`
	Goarch       []string `yaml:"goarch"`
	Binary       string   `yaml:"binary"`
}

type archive struct {
	Formats      []string      `yaml:"formats"`
	NameTemplate string        `yaml:"name_template"`
	Files        []archiveFile `yaml:"files"`
}

// archiveFile is one extra file of every zip, with the time and mode it is stored with: taken from the
// checkout, they would differ from one clone to the next.
type archiveFile struct {
	Src  string `yaml:"src"`
	Info struct {
		Mtime string `yaml:"mtime"`
		Mode  uint32 `yaml:"mode"`
	} `yaml:"info"`
}

type checksum struct {
	NameTemplate string      `yaml:"name_template"`
	Algorithm    string      `yaml:"algorithm"`
	ExtraFiles   []extraFile `yaml:"extra_files"`
}

type extraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

type sign struct {
	Artifacts string `yaml:"artifacts"`
	Signature string `yaml:"signature"`
}

type releaseCfg struct {
	ExtraFiles []extraFile `yaml:"extra_files"`
}

// Platform is one operating system and architecture the release builds for.
type Platform struct {
	OS, Arch string
}

func (p Platform) String() string { return p.OS + "_" + p.Arch }

// LoadConfig reads .goreleaser.yml and refuses what this rehearsal does not do the way GoReleaser would, so
// a change to the release configuration fails the rehearsal instead of being ignored by it.
func LoadConfig(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	switch {
	case c.ProjectName == "":
		return nil, fmt.Errorf("%s: project_name is empty", path)
	case len(c.Builds) != 1:
		return nil, fmt.Errorf("%s: the rehearsal handles exactly one build, there are %d", path, len(c.Builds))
	case len(c.Archives) != 1 || len(c.Archives[0].Formats) != 1 || c.Archives[0].Formats[0] != "zip":
		return nil, fmt.Errorf("%s: the registry takes one zip per platform: archives must be one entry with formats [zip]", path)
	case c.Checksum.Algorithm != "sha256":
		return nil, fmt.Errorf("%s: the registry protocol needs sha256 checksums, the configuration says %q", path, c.Checksum.Algorithm)
	case len(c.Signs) != 1 || c.Signs[0].Artifacts != "checksum":
		return nil, fmt.Errorf("%s: the registry verifies a signature of the checksum file: signs must be one entry with artifacts: checksum", path)
	case c.Builds[0].ModTimestamp != "{{ .CommitTimestamp }}":
		return nil, fmt.Errorf("%s: mod_timestamp must be {{ .CommitTimestamp }} for builds to be reproducible, it is %q", path, c.Builds[0].ModTimestamp)
	}
	for _, f := range c.Archives[0].Files {
		if f.Info.Mtime == "" || f.Info.Mode == 0 {
			return nil, fmt.Errorf("%s: archive file %s needs info.mtime and info.mode, or each clone would zip it differently", path, f.Src)
		}
	}
	return &c, nil
}

// Platforms lists every operating system and architecture of the build, in the configuration's order.
func (c *Config) Platforms() []Platform {
	var ps []Platform
	for _, os := range c.Builds[0].Goos {
		for _, arch := range c.Builds[0].Goarch {
			ps = append(ps, Platform{OS: os, Arch: arch})
		}
	}
	return ps
}

// vars are the template fields of GoReleaser's that the configuration uses.
type vars struct {
	ProjectName     string
	Version         string
	Commit          string
	CommitTimestamp int64
	CommitDate      string
	Os, Arch        string
	Env             map[string]string
}

// render fills in a GoReleaser template; a field GoReleaser has and this rehearsal does not is an error,
// not an empty string.
func render(text string, v vars) (string, error) {
	t, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		return "", fmt.Errorf("template %q: %w", text, err)
	}
	return strings.TrimSpace(b.String()), nil
}
