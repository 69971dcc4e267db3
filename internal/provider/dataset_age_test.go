package provider

import (
	"strings"
	"testing"
	"time"
)

func TestDatasetAgeWarning(t *testing.T) {
	asOf := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	if d := datasetAgeWarning(asOf, asOf.Add(365*24*time.Hour)); d != nil {
		t.Errorf("data exactly a year old warns: %v", d)
	}
	d := datasetAgeWarning(asOf, asOf.Add(400*24*time.Hour))
	if d == nil {
		t.Fatal("data 400 days old does not warn")
	}
	if d.Summary() != "Jurisdiction data is over a year old" || !strings.Contains(d.Detail(), "checked on 2026-11-23, 400 days ago") ||
		!strings.Contains(d.Detail(), "upgrade the provider") {
		t.Errorf("warning = %q: %q", d.Summary(), d.Detail())
	}
}
