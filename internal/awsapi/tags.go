package awsapi

import (
	"maps"
	"slices"
)

// tagList converts a tag map into a service's tag type, sorted by key so that requests are reproducible.
func tagList[T any](tags map[string]string, tag func(k, v string) T) []T {
	if len(tags) == 0 {
		return nil
	}
	out := make([]T, 0, len(tags))
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		out = append(out, tag(k, tags[k]))
	}
	return out
}
