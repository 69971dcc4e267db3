package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDiffInventories(t *testing.T) {
	ours := []string{"bucket a", "bucket a", "key k"}
	theirs := []string{"bucket a", "key k", "server s"}
	got := diffInventories(ours, theirs)
	want := []string{"only aws (1x): server s", "only gdpr (1x): bucket a"}
	if !slices.Equal(got, want) {
		t.Errorf("diffInventories = %q, want %q", got, want)
	}
	if d := diffInventories(theirs, []string{"server s", "key k", "bucket a"}); d != nil {
		t.Errorf("the same lines in another order differ: %q", d)
	}
}

func TestNormalJSONComparesByMeaning(t *testing.T) {
	a, err := normalJSON(`{"b": [1, 2], "a": {"y": true, "x": "s"}}`)
	if err != nil {
		t.Fatal(err)
	}
	b, err := normalJSON(`{"a":{"x":"s","y":true},"b":[1,2]}`)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("equal documents normalise differently: %s and %s", a, b)
	}
	if c, _ := normalJSON(`{"a":{"x":"s","y":true},"b":[2,1]}`); c == a {
		t.Error("a reordered list must not compare equal")
	}
	if _, err := normalJSON("{"); err == nil {
		t.Error("broken JSON must be an error")
	}
}

func TestMedianAndRatios(t *testing.T) {
	pr := &providerResult{runs: [][]measure{
		{{wall: 3 * time.Second, rssKiB: 2048, requests: map[string]int{"s3:PUT": 2, "kms:CreateKey": 1}}},
		{{wall: 1 * time.Second, rssKiB: 1024, requests: map[string]int{"s3:PUT": 2, "kms:CreateKey": 1}}},
		{{wall: 2 * time.Second, rssKiB: 4096, requests: map[string]int{"s3:PUT": 4}}},
	}}
	if got := seconds(pr, 0); got != 2 {
		t.Errorf("median time = %v, want 2", got)
	}
	if got := mib(pr, 0); got != 2 {
		t.Errorf("median RSS = %v MiB, want 2", got)
	}
	if got := requests(pr, 0, "s3:"); got != 2 {
		t.Errorf("median S3 requests = %d, want 2", got)
	}
	if got := requests(pr, 0, ""); got != 3 {
		t.Errorf("median requests = %d, want 3", got)
	}
	pr.runs = pr.runs[:2]
	if got := seconds(pr, 0); got != 2 {
		t.Errorf("median of two = %v, want their mean 2", got)
	}
	if got := ratio(1, 4); got != "0.25" {
		t.Errorf("ratio = %s", got)
	}
	if got := ratio(1, 0); got != "-" {
		t.Errorf("ratio against nothing = %s, want -", got)
	}
}

func TestPeakRSS(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rss")
	if err := os.WriteFile(file, []byte("1200\n56000\n3000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := peakRSS(file); err != nil || got != 56000 {
		t.Errorf("peakRSS = %d, %v; want 56000", got, err)
	}
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := peakRSS(file); err == nil || !strings.Contains(err.Error(), "wrapper") {
		t.Errorf("an empty record must say the wrapper did not run, got %v", err)
	}
}

func TestScenariosConfigureEveryProvider(t *testing.T) {
	for _, sc := range []scenario{smallScenario(), serversScenario(2), bucketsScenario(3)} {
		g, a := sc.config(gdpr, "http://127.0.0.1:1"), sc.config(aws, "http://127.0.0.1:1")
		if !strings.Contains(g, `provider "gdpr"`) || strings.Contains(g, "aws_") {
			t.Errorf("%s: the gdpr configuration uses hashicorp/aws:\n%s", sc.name, g)
		}
		if !strings.Contains(a, `provider "aws"`) || strings.Contains(a, "gdpr_") {
			t.Errorf("%s: the aws configuration uses gdpr:\n%s", sc.name, a)
		}
	}
}
