package jurisdiction

import (
	_ "embed"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// aws_partitions.json is the AWS SDK's own list of partitions and regions (see cmd/awspartitions). It holds no
// jurisdiction facts: those come from data.json and the references it names.
//
//go:generate go run ./cmd/awspartitions aws_partitions.json
//go:embed aws_partitions.json
var rawPartitions []byte

// AWSPartition is an AWS partition as the SDK describes it: its id, the pattern its region names follow and
// the regions the SDK lists.
type AWSPartition struct {
	ID          string   `json:"id"`
	RegionRegex string   `json:"region_regex"`
	Regions     []string `json:"regions"`
	pattern     *regexp.Regexp
}

// Isolated reports whether the partition is one of AWS's isolated partitions (aws-iso, aws-iso-b, ...). The
// project's reference facts record no location for their regions, so the jurisdiction data does not cover
// them and Lookup says so rather than calling them unknown.
func (p AWSPartition) Isolated() bool { return strings.HasPrefix(p.ID, "aws-iso") }

// loadPartitions parses the embedded copy once; like data.json, a malformed file is a build defect, which
// TestAWSPartitionsParse makes unreachable in a tested build.
var loadPartitions = sync.OnceValue(func() []AWSPartition {
	var f struct {
		Partitions []AWSPartition `json:"partitions"`
	}
	if err := json.Unmarshal(rawPartitions, &f); err != nil {
		panic("jurisdiction: embedded aws_partitions.json is invalid: " + err.Error())
	}
	for i := range f.Partitions {
		f.Partitions[i].pattern = regexp.MustCompile(f.Partitions[i].RegionRegex)
	}
	return f.Partitions
})

// AWSPartitions returns the partitions the AWS SDK the provider is built with knows, with their regions.
func AWSPartitions() []AWSPartition {
	return slices.Clone(loadPartitions())
}

// awsPartitionOf returns the partition of an AWS region name as the SDK resolves it: the partition that
// lists the region, else the one whose pattern the name matches.
func awsPartitionOf(region string) (AWSPartition, bool) {
	ps := loadPartitions()
	for _, p := range ps {
		if slices.Contains(p.Regions, region) {
			return p, true
		}
	}
	for _, p := range ps {
		if p.pattern.MatchString(region) {
			return p, true
		}
	}
	return AWSPartition{}, false
}

// isolatedPartitionIDs names the isolated partitions, for the error that says they are not covered.
func isolatedPartitionIDs() []string {
	var ids []string
	for _, p := range loadPartitions() {
		if p.Isolated() {
			ids = append(ids, p.ID)
		}
	}
	return ids
}
