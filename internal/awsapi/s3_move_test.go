package awsapi

import (
	"strings"
	"testing"
)

func TestMoved_tagValueReadsBack(t *testing.T) {
	m := Moved{From: "records-20261201120000abcdef", Objects: 10_000, Bytes: 1 << 40, Manifest: strings.Repeat("ab", 32)}
	v := m.tagValue()
	if len(v) > 256 {
		t.Fatalf("tag value is %d characters, S3 allows 256: %s", len(v), v)
	}
	got, ok := parseMoved(v)
	if !ok || got != m {
		t.Fatalf("parseMoved(%q) = %+v, %v; want %+v", v, got, ok, m)
	}
	for _, bad := range []string{"", awaitingData, "bucket=x objects=ten bytes=1", "objects=1 bytes=1", "bucket"} {
		if _, ok := parseMoved(bad); ok {
			t.Errorf("parseMoved(%q) accepted a value the provider does not write", bad)
		}
	}
}

func TestSystemTags_areNotTheUsers(t *testing.T) {
	b := &Bucket{Tags: map[string]string{"team": "crm", MovedFromTag: Moved{From: "old", Objects: 2, Bytes: 3}.tagValue(), MovingToTag: "new"}}
	b.systemTags()
	if len(b.Tags) != 1 || b.Tags["team"] != "crm" {
		t.Errorf("tags after taking the provider's out: %v, want the user's alone", b.Tags)
	}
	if b.MovedFrom == nil || b.MovedFrom.From != "old" || b.MovedFrom.Objects != 2 || b.MovingTo != "new" || b.AwaitsData {
		t.Errorf("MovedFrom %+v, MovingTo %q, AwaitsData %v", b.MovedFrom, b.MovingTo, b.AwaitsData)
	}
	b = &Bucket{Tags: map[string]string{MovedFromTag: awaitingData}}
	b.systemTags()
	if !b.AwaitsData || b.MovedFrom != nil || len(b.Tags) != 0 {
		t.Errorf("a bucket awaiting data: AwaitsData %v, MovedFrom %+v, tags %v", b.AwaitsData, b.MovedFrom, b.Tags)
	}
}

func TestAwaitingValue_namesTheBucketItReplaces(t *testing.T) {
	old := "records-20261201120000abcdef"
	for _, replaces := range []string{"", old, strings.Repeat("a", 63)} {
		v := awaitingValue(replaces)
		if len(v) > 256 {
			t.Fatalf("tag value is %d characters, S3 allows 256: %s", len(v), v)
		}
		got, ok := parseAwaiting(v)
		if !ok || got != replaces {
			t.Errorf("parseAwaiting(%q) = %q, %v; want %q", v, got, ok, replaces)
		}
		if _, ok := parseMoved(v); ok {
			t.Errorf("parseMoved(%q) took a bucket awaiting data for one that received some", v)
		}
		b := &Bucket{Tags: map[string]string{MovedFromTag: v}}
		b.systemTags()
		if !b.AwaitsData || b.MovedFrom != nil || len(b.Tags) != 0 {
			t.Errorf("a bucket tagged %q: AwaitsData %v, MovedFrom %+v, tags %v", v, b.AwaitsData, b.MovedFrom, b.Tags)
		}
	}
	for _, bad := range []string{"", "awaiting bucket=", "awaiting bucket=a b", "awaitingbucket=x", Moved{From: old}.tagValue()} {
		if _, ok := parseAwaiting(bad); ok {
			t.Errorf("parseAwaiting(%q) accepted a value awaitingValue does not write", bad)
		}
	}
}

func TestSuccessors_waitingUntilTaken(t *testing.T) {
	var s Successors
	if got := s.Waiting("records-", "records-1"); got != nil {
		t.Fatalf("an empty list gave %v", got)
	}
	s.Add(Successor{Prefix: "records-", Name: "records-2", Region: "eu-central-1"})
	s.Add(Successor{Prefix: "invoices-", Name: "invoices-2"})
	if got := s.Waiting("records-", "records-1"); len(got) != 1 || got[0].Name != "records-2" || got[0].Region != "eu-central-1" {
		t.Errorf("Waiting = %v, want records-2 in eu-central-1", got)
	}
	if got := s.Waiting("records-", "records-2"); len(got) != 0 {
		t.Errorf("a bucket was given itself as its successor: %v", got)
	}
	s.Add(Successor{Prefix: "invoices-", Name: "invoices-3"})
	if got := s.Waiting("invoices-", "invoices-1"); len(got) != 2 {
		t.Errorf("Waiting = %v, want both buckets of the prefix, for the caller to refuse", got)
	}
	s.Take("records-2")
	if got := s.Waiting("records-", "records-0"); len(got) != 0 {
		t.Errorf("a taken successor is still waiting: %v", got)
	}
}

func TestCopySource_encodesTheKey(t *testing.T) {
	for key, want := range map[string]string{
		"customers/0001/record.json":  "b/customers/0001/record.json?versionId=v%2B1",
		"a key with spaces & ünïcode": "b/a%20key%20with%20spaces%20&%20%C3%BCn%C3%AFcode?versionId=v%2B1",
		"100%/done?":                  "b/100%25/done%3F?versionId=v%2B1",
	} {
		if got := copySource("b", key, "v+1"); got != want {
			t.Errorf("copySource(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestSameKey_arnOrID(t *testing.T) {
	arn := "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, tc := range []struct {
		object, configured string
		want               bool
	}{
		{arn, arn, true},
		{arn, "1234abcd-12ab-34cd-56ef-1234567890ab", true},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", arn, true},
		{arn, "ffffffff-12ab-34cd-56ef-1234567890ab", false},
		{"", arn, false},
	} {
		if got := sameKey(tc.object, tc.configured); got != tc.want {
			t.Errorf("sameKey(%q, %q) = %v", tc.object, tc.configured, got)
		}
	}
}
