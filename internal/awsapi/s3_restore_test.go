package awsapi

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// history builds a key's history from its entries, in the order given, for a restore to the moment to.
func history(key string, to time.Time, entries ...versionEntry) keyHistory {
	h := keyHistory{key: key}
	for _, e := range entries {
		h.add(e, to)
	}
	return h
}

// Each rule of decideRestore, with the moment at noon, now two days later, and a lifecycle rule expiring
// the noncurrent versions under logs/ after one day.
func TestDecideRestore(t *testing.T) {
	to := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := to.Add(48 * time.Hour)
	rules := []expiryRule{{id: "logs", prefix: "logs/", days: 1}, {id: "all", prefix: "", days: 30}}
	at := func(d time.Duration) time.Time { return to.Add(d) }
	v := func(id string, d time.Duration, latest bool) versionEntry {
		return versionEntry{id: id, modified: at(d), latest: latest}
	}
	m := func(id string, d time.Duration, latest bool) versionEntry {
		return versionEntry{id: id, modified: at(d), latest: latest, marker: true}
	}
	archived := versionEntry{id: "cold", modified: at(-time.Hour), archived: true, storageClass: "GLACIER"}
	cases := []struct {
		name    string
		key     string
		entries []versionEntry
		want    restoreStep
		reason  BlockReason
		version string
	}{
		{"untouched since the moment", "a", []versionEntry{v("1", -time.Hour, true)}, restoreKeep, 0, ""},
		{"written exactly at the moment", "a", []versionEntry{v("2", 0, true), v("1", -time.Hour, false)}, restoreKeep, 0, ""},
		{"overwritten after", "a", []versionEntry{v("2", time.Hour, true), v("1", -time.Hour, false)}, restoreCopy, 0, "1"},
		{"deleted after", "a", []versionEntry{m("d", time.Hour, true), v("1", -time.Hour, false)}, restoreCopy, 0, "1"},
		{"overwritten twice after", "a", []versionEntry{v("3", 2*time.Hour, true), v("2", time.Hour, false), v("1", -time.Hour, false)}, restoreCopy, 0, "1"},
		{"added after", "a", []versionEntry{v("1", time.Hour, true)}, restoreHide, 0, ""},
		{"added after and deleted", "a", []versionEntry{m("d", 2*time.Hour, true), v("1", time.Hour, false)}, restoreKeep, 0, ""},
		{"deleted before the moment, back after", "a", []versionEntry{v("2", time.Hour, true), m("d", -time.Hour, false), v("1", -2*time.Hour, false)}, restoreHide, 0, ""},
		{"deleted before the moment, still deleted", "a", []versionEntry{m("d", -time.Hour, true), v("1", -2*time.Hour, false)}, restoreKeep, 0, ""},
		{"hidden by an earlier restore", "a", []versionEntry{m("d2", 3*time.Hour, true), v("1", time.Hour, false)}, restoreKeep, 0, ""},
		{"restored by an earlier restore (compared by content)", "a", []versionEntry{v("3", 3*time.Hour, true), v("2", time.Hour, false), v("1", -time.Hour, false)}, restoreCopy, 0, "1"},
		{"archived version at the moment", "a", []versionEntry{v("2", time.Hour, true), archived}, restoreBlocked, Archived, ""},
		{"archived but current", "a", []versionEntry{{id: "cold", modified: at(-time.Hour), latest: true, archived: true}}, restoreKeep, 0, ""},
		// Under logs/, the noncurrent versions live one day: the version before one written 23 hours after the
		// moment would have expired an hour before now, so the key may have existed at the moment.
		{"predecessor may have expired", "logs/a", []versionEntry{v("2", 23*time.Hour, true)}, restoreBlocked, MayBeExpired, ""},
		{"predecessor may have expired, key deleted", "logs/a", []versionEntry{m("d", 30*time.Hour, true), v("2", 23*time.Hour, false)}, restoreBlocked, MayBeExpired, ""},
		{"predecessor within its noncurrent days", "logs/a", []versionEntry{v("2", 24*time.Hour+time.Minute, true)}, restoreHide, 0, ""},
		{"version at the moment survives", "logs/a", []versionEntry{v("2", 23*time.Hour, true), v("1", -time.Hour, false)}, restoreCopy, 0, "1"},
		// Outside logs/ only the 30-day rule matches.
		{"other prefix, longer rule", "data/a", []versionEntry{v("2", 23*time.Hour, true)}, restoreHide, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := history(c.key, to, c.entries...)
			step, blocked := decideRestore(h, rules, now)
			if step != c.want {
				t.Fatalf("step %d, want %d", step, c.want)
			}
			if (blocked != nil) != (step == restoreBlocked) {
				t.Fatalf("blocked %+v for step %d", blocked, step)
			}
			if blocked != nil && blocked.Reason != c.reason {
				t.Errorf("reason %d, want %d", blocked.Reason, c.reason)
			}
			if c.version != "" && h.target.id != c.version {
				t.Errorf("restores version %s, want %s", h.target.id, c.version)
			}
		})
	}
	// The blocked key names its oldest version, the rule, and when the version before would have expired.
	h := history("logs/a", to, v("3", 26*time.Hour, true), v("2", 23*time.Hour, false))
	_, b := decideRestore(h, rules, now)
	if b == nil || b.VersionID != "2" || !b.Modified.Equal(at(23*time.Hour)) || b.Rule != "logs" || b.Days != 1 || !b.ExpiredSince.Equal(at(47*time.Hour)) {
		t.Errorf("blocked key %+v, want version 2 of %s, rule logs, 1 day, expired since %s", b, at(23*time.Hour), at(47*time.Hour))
	}
	// Without lifecycle rules nothing expires, so nothing is blocked for it.
	if step, _ := decideRestore(h, nil, now); step != restoreHide {
		t.Errorf("without rules: step %d, want hide", step)
	}
}

// A key's entries may come in any order (versions and delete markers in two lists, a key across pages):
// the history is the same. Within one second, the current entry is the newest, and a delete marker counts
// as newer than a version.
func TestKeyHistoryAnyOrder(t *testing.T) {
	to := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	entries := []versionEntry{
		{id: "4", modified: to.Add(time.Hour), latest: true},
		{id: "3", modified: to, marker: true},
		{id: "2", modified: to},
		{id: "1", modified: to.Add(-time.Hour)},
	}
	orders := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}}
	for _, o := range orders {
		var in []versionEntry
		for _, i := range o {
			in = append(in, entries[i])
		}
		h := history("k", to, in...)
		if h.current.id != "4" || h.target.id != "3" || h.oldest.id != "1" {
			t.Errorf("order %v: current %s, target %s, oldest %s; want 4, 3, 1", o, h.current.id, h.target.id, h.oldest.id)
		}
	}
	// The current entry wins a tie whatever it is.
	h := history("k", to, versionEntry{id: "m", modified: to, marker: true}, versionEntry{id: "v", modified: to, latest: true})
	if h.target.id != "v" {
		t.Errorf("tie with the current version: target %s, want v", h.target.id)
	}
}

// Only enabled rules that expire noncurrent versions count, with their prefix in whichever form the rule
// gives it.
func TestExpiryRules(t *testing.T) {
	days := &s3types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(3)}
	rules := expiryRules([]s3types.LifecycleRule{
		{ID: aws.String("whole"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Prefix: aws.String("")}, NoncurrentVersionExpiration: days},
		{ID: aws.String("and"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{And: &s3types.LifecycleRuleAndOperator{Prefix: aws.String("a/"), Tags: []s3types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}, NoncurrentVersionExpiration: days},
		{ID: aws.String("legacy"), Status: s3types.ExpirationStatusEnabled, Prefix: aws.String("old/"), NoncurrentVersionExpiration: days},
		{ID: aws.String("tag"), Status: s3types.ExpirationStatusEnabled, Filter: &s3types.LifecycleRuleFilter{Tag: &s3types.Tag{Key: aws.String("k"), Value: aws.String("v")}}, NoncurrentVersionExpiration: days},
		{ID: aws.String("disabled"), Status: s3types.ExpirationStatusDisabled, NoncurrentVersionExpiration: days},
		{ID: aws.String("current only"), Status: s3types.ExpirationStatusEnabled, Expiration: &s3types.LifecycleExpiration{Days: aws.Int32(1)}},
	})
	want := []expiryRule{{"whole", "", 3}, {"and", "a/", 3}, {"legacy", "old/", 3}, {"tag", "", 3}}
	if len(rules) != len(want) {
		t.Fatalf("rules %+v, want %+v", rules, want)
	}
	for i := range want {
		if rules[i] != want[i] {
			t.Errorf("rule %d is %+v, want %+v", i, rules[i], want[i])
		}
	}
	if r, ok := soonestExpiry([]expiryRule{{"long", "", 30}, {"short", "a/", 2}}, "a/x"); !ok || r.id != "short" {
		t.Errorf("soonest rule for a/x: %+v, want short", r)
	}
	if _, ok := soonestExpiry([]expiryRule{{"short", "a/", 2}}, "b/x"); ok {
		t.Error("a rule for a/ matched b/x")
	}
}

// The lifecycle rule a gdpr_bucket writes sets how far back a restore reaches: with noncurrent_version_days =
// 30, a key whose first surviving version was written nine days ago may have had no version before it, so
// it is hidden; with the one-day default the version before it may have expired, and the key is refused.
func TestDecideRestore_bucketNoncurrentDays(t *testing.T) {
	to := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := to.Add(10 * 24 * time.Hour)
	h := history("invoices/a", to, versionEntry{id: "2", modified: to.Add(24 * time.Hour), latest: true})
	for days, want := range map[int32]restoreStep{30: restoreHide, 8: restoreBlocked, 1: restoreBlocked} {
		in := testBucketInput()
		in.NoncurrentVersionDays = days
		rules := expiryRules([]s3types.LifecycleRule{lifecycleRule(in)})
		if len(rules) != 1 || rules[0].days != days {
			t.Fatalf("noncurrent_version_days = %d: the bucket's rule reads as %+v", days, rules)
		}
		step, blocked := decideRestore(h, rules, now)
		if step != want {
			t.Errorf("noncurrent_version_days = %d: step %d (blocked %+v), want %d", days, step, blocked, want)
		}
		if blocked != nil && (blocked.Reason != MayBeExpired || blocked.Days != days) {
			t.Errorf("noncurrent_version_days = %d: blocked %+v, want MayBeExpired after %d days", days, blocked, days)
		}
	}
}

// A page's versions and delete markers come in one list, in key order, each key's entries together.
func TestPageEntries(t *testing.T) {
	out := &s3.ListObjectVersionsOutput{
		Versions:      []s3types.ObjectVersion{{Key: aws.String("a"), VersionId: aws.String("a1")}, {Key: aws.String("c"), VersionId: aws.String("c1")}},
		DeleteMarkers: []s3types.DeleteMarkerEntry{{Key: aws.String("a"), VersionId: aws.String("am")}, {Key: aws.String("b"), VersionId: aws.String("bm")}},
	}
	var got []string
	for _, e := range pageEntries(out) {
		got = append(got, e.key+":"+e.id)
	}
	want := []string{"a:a1", "a:am", "b:bm", "c:c1"}
	if len(got) != len(want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entries %v, want %v", got, want)
			break
		}
	}
}

// A key whose versions and delete markers span three listing pages reaches the restore once, whole, after
// the keys before it and before the keys after it: its current entry, its entry at the moment and its
// oldest, wherever the pages put them.
func TestRestoreEachPageKeyAcrossPages(t *testing.T) {
	to := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { t := to.Add(d); return &t }
	version := func(key, id string, d time.Duration, latest bool) s3types.ObjectVersion {
		return s3types.ObjectVersion{Key: aws.String(key), VersionId: aws.String(id), LastModified: at(d), IsLatest: aws.Bool(latest)}
	}
	pages := map[string]*s3.ListObjectVersionsOutput{
		"": {IsTruncated: aws.Bool(true), NextKeyMarker: aws.String("b"), NextVersionIdMarker: aws.String("b3"),
			Versions: []s3types.ObjectVersion{version("a", "a1", -time.Hour, true), version("b", "b3", 2*time.Hour, false)}},
		"b/b3": {IsTruncated: aws.Bool(true), NextKeyMarker: aws.String("b"), NextVersionIdMarker: aws.String("b2"),
			DeleteMarkers: []s3types.DeleteMarkerEntry{{Key: aws.String("b"), VersionId: aws.String("bm"), LastModified: at(3 * time.Hour), IsLatest: aws.Bool(true)}},
			Versions:      []s3types.ObjectVersion{version("b", "b2", -time.Minute, false)}},
		"b/b2": {IsTruncated: aws.Bool(false),
			Versions: []s3types.ObjectVersion{version("b", "b1", -2*time.Hour, false), version("c", "c1", time.Hour, true)}},
	}
	c := &Clients{s3: s3Operations{
		listObjectVersions: func(_ context.Context, in *s3.ListObjectVersionsInput, _ ...func(*s3.Options)) (*s3.ListObjectVersionsOutput, error) {
			marker := aws.ToString(in.KeyMarker)
			if marker != "" {
				marker += "/" + aws.ToString(in.VersionIdMarker)
			}
			page, ok := pages[marker]
			if !ok {
				t.Fatalf("listing from an unknown marker %q/%q", aws.ToString(in.KeyMarker), aws.ToString(in.VersionIdMarker))
			}
			return page, nil
		},
	}}
	r := &restorer{c: c, bucket: "records", to: to, now: to.Add(time.Hour * 48)}
	var calls [][]string
	got := map[string]keyHistory{}
	err := r.eachPage(context.Background(), func(keys []keyHistory) error {
		var names []string
		for _, h := range keys {
			names = append(names, h.key)
			if _, seen := got[h.key]; seen {
				t.Errorf("key %s passed twice", h.key)
			}
			got[h.key] = h
		}
		calls = append(calls, names)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]string{{"a"}, {"b"}, {"c"}}; fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("pages of keys %v, want %v: each key once, whole, in order", calls, want)
	}
	if b := got["b"]; b.current == nil || b.current.id != "bm" || b.target == nil || b.target.id != "b2" || b.oldest == nil || b.oldest.id != "b1" {
		t.Errorf("key b: %+v, want current bm, at the moment b2, oldest b1", b)
	} else if step, _ := decideRestore(b, nil, r.now); step != restoreCopy {
		t.Errorf("key b: step %d, want a copy of b2", step)
	}
}
