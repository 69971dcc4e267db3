// Package awspartitions turns the AWS SDK for Go v2's partition metadata into aws_partitions.json, the copy
// the jurisdiction package embeds (see cmd/awspartitions, which go generate runs).
package awspartitions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// SDKModule is the module whose partition metadata is copied, and SDKFile the metadata's path in it.
const (
	SDKModule = "github.com/aws/aws-sdk-go-v2"
	SDKFile   = "internal/endpoints/awsrulesfn/partitions.json"
)

// output is the committed file: the SDK version it was taken from and each partition's regions.
type output struct {
	Source     string      `json:"source"`
	Partitions []partition `json:"partitions"`
}

type partition struct {
	ID          string   `json:"id"`
	RegionRegex string   `json:"region_regex"`
	Regions     []string `json:"regions"`
}

// Generate writes the copy of the partitions of the SDK version go.mod selects to out.
func Generate(out string) error {
	// go list names the SDK version go.mod selects, and where the module cache holds it.
	listed, err := exec.Command("go", "list", "-m", "-f", "{{.Version}} {{.Dir}}", SDKModule).Output()
	if err != nil {
		return fmt.Errorf("finding %s in the module cache (run go mod download): %w", SDKModule, err)
	}
	version, dir, ok := strings.Cut(strings.TrimSpace(string(listed)), " ")
	if !ok || dir == "" {
		return fmt.Errorf("%s is not in the module cache: run go mod download", SDKModule)
	}
	raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(SDKFile)))
	if err != nil {
		return err
	}
	b, err := Convert(raw, SDKModule+"@"+version+"/"+SDKFile)
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// Convert trims the SDK's partition metadata to the partitions' ids, region patterns and region names.
// The "<partition>-global" entries are endpoints of global services, not regions, and are left out.
func Convert(raw []byte, source string) ([]byte, error) {
	var sdk struct {
		Partitions []struct {
			ID          string                     `json:"id"`
			RegionRegex string                     `json:"regionRegex"`
			Regions     map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(raw, &sdk); err != nil {
		return nil, fmt.Errorf("reading the SDK's partitions: %w", err)
	}
	o := output{Source: source}
	for _, p := range sdk.Partitions {
		q := partition{ID: p.ID, RegionRegex: p.RegionRegex, Regions: []string{}}
		for name := range p.Regions {
			if name != p.ID+"-global" {
				q.Regions = append(q.Regions, name)
			}
		}
		slices.Sort(q.Regions)
		o.Partitions = append(o.Partitions, q)
	}
	slices.SortFunc(o.Partitions, func(a, b partition) int { return strings.Compare(a.ID, b.ID) })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(o); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
