package audit

import (
	"bytes"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// t0 is the start of the incident the tests' trail records.
var t0 = time.Date(2025, 11, 24, 8, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return t0.Add(time.Duration(minutes) * time.Minute) }

// ranBy records who ran the change, as an HCP Terraform run does.
func ranBy(e Event) Event {
	e.CallerAccount, e.CallerARN = "123456789012", "arn:aws:iam::123456789012:role/tfc-records"
	e.TFCRunID, e.TFCWorkspaceID, e.TFCWorkspaceName = "run-CKuwsxMGgMd4W7Ui", "ws-4mWzYVt7", "records-prod"
	e.TFCOrganization, e.TFCProject = "acme", "customer-data"
	e.TFCGitCommitSHA, e.TFCGitBranch = "4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e", "main"
	e.Region, e.Jurisdiction = "eu-central-1", "EU"
	return e
}

// incident is a trail of every kind of event: a key, a bucket replaced with its data moved, a database
// replaced through its snapshots, a server isolated then replaced by create and delete, a restore and an
// erasure. Its lines are the index plus one.
func incident() []Event {
	return []Event{
		ranBy(Event{Time: at(0), Action: Create, ResourceType: "gdpr_key", CloudID: "key-1"}),
		ranBy(Event{Time: at(1), Action: Create, ResourceType: "gdpr_bucket", CloudID: "records-old"}),
		ranBy(Event{Time: at(10), Action: Create, ResourceType: "gdpr_bucket", CloudID: "records-new"}),
		ranBy(Event{Time: at(11), Action: Move, ResourceType: "gdpr_bucket", CloudID: "records-old", MovedTo: "records-new",
			MovedObjects: "200", MovedBytes: "52428800", ManifestSHA256: strings.Repeat("ef", 32)}),
		ranBy(Event{Time: at(12), Action: Delete, ResourceType: "gdpr_bucket", CloudID: "records-old"}),
		ranBy(Event{Time: at(20), Action: Delete, ResourceType: "gdpr_database", CloudID: "db-1"}),
		ranBy(Event{Time: at(21), Action: Move, ResourceType: "gdpr_database", CloudID: "db-1", MovedTo: "db-1",
			Snapshots: "gdpr-move-db-1,gdpr-move-db-1-0123abcd"}),
		ranBy(Event{Time: at(22), Action: Create, ResourceType: "gdpr_database", CloudID: "db-1"}),
		ranBy(Event{Time: at(30), Action: Isolate, ResourceType: "gdpr_isolate_server", CloudID: "i-0abc", IncidentID: "INC-7",
			IsolationGroup: "sg-0123", Stopped: "true", Snapshots: "snap-1,snap-2"}),
		ranBy(Event{Time: at(31), Action: Restore, ResourceType: "gdpr_restore_objects", CloudID: "records-new",
			RestoredToTime: "2025-11-24T07:30:00Z", RestoredKeys: "3", HiddenKeys: "2", UnchangedKeys: "5", KeysSHA256: strings.Repeat("9a", 32)}),
		ranBy(Event{Time: at(32), Action: Erase, ResourceType: "gdpr_erase_objects", CloudID: "records-new",
			ErasedVersions: "4", ErasedDeleteMarkers: "1", ErasedBytes: "100", KeysSHA256: strings.Repeat("9b", 32)}),
		ranBy(Event{Time: at(40), Action: Create, ResourceType: "gdpr_server", CloudID: "i-0def"}),
		ranBy(Event{Time: at(41), Action: Delete, ResourceType: "gdpr_server", CloudID: "i-0abc"}),
	}
}

// trailOf writes the events, chained and signed with key (unsigned when nil), to a new audit file and
// returns its path.
func trailOf(t *testing.T, key ed25519.PrivateKey, events []Event) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, chained(key, events), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func chained(key ed25519.PrivateKey, events []Event) []byte {
	var buf bytes.Buffer
	prev := ""
	for _, e := range events {
		e = e.sealed(prev, key)
		buf.Write(e.encode())
		buf.WriteByte('\n')
		prev = e.Hash
	}
	return buf.Bytes()
}

// publicKeyFile writes the public half of key as the PEM file audit keygen writes.
func publicKeyFile(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(publicOf(key))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "audit.pub.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// editLine replaces old with new in the given line (from 1) of the file, without recomputing any hash.
func editLine(t *testing.T, path string, line int, old, replacement string) {
	t.Helper()
	l := lines(t, path)
	if !strings.Contains(l[line-1], old) {
		t.Fatalf("line %d does not hold %q", line, old)
	}
	l[line-1] = strings.Replace(l[line-1], old, replacement, 1)
	if err := os.WriteFile(path, []byte(strings.Join(l, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

func timelineOf(t *testing.T, path string, opts TimelineOptions) *Timeline {
	t.Helper()
	if opts.Since.IsZero() {
		opts.Since, opts.Until = at(0), at(60)
	}
	tl, err := TimelineFile(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

// statuses lists the line and status of each event of the timeline, with the start of its reason.
func statuses(tl *Timeline) []string {
	var s []string
	for _, e := range tl.Events {
		reason, _, _ := strings.Cut(e.Reason, ":")
		s = append(s, strings.TrimSpace(fmt.Sprintf("%02d %s %s", e.Line, e.Status, reason)))
	}
	return s
}

func markdownOf(t *testing.T, tl *Timeline) string {
	t.Helper()
	var b strings.Builder
	if err := tl.Markdown(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// markdownRow returns the row of the Markdown events table of the event at line.
func markdownRow(t *testing.T, markdown string, line int) string {
	t.Helper()
	for _, l := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(l, "| "+strconv.Itoa(line)+" | ") {
			return l
		}
	}
	t.Fatalf("no row for line %d in:\n%s", line, markdown)
	return ""
}

// Each event's status says what vouches for it: the chain and the key's signature (verified), the chain
// alone when no key was given (chain-only), nothing when the chain broke at or before it or the key does
// not verify it (unverified, with the reason).
func TestTimeline_statusOfEachEvent(t *testing.T) {
	events := incident()[:4]
	t.Run("no key: chain-only", func(t *testing.T) {
		tl := timelineOf(t, trailOf(t, seedKey(), events), TimelineOptions{})
		if got := statuses(tl); !slices.Equal(got, []string{"01 chain-only", "02 chain-only", "03 chain-only", "04 chain-only"}) {
			t.Errorf("statuses = %q, want every event chain-only", got)
		}
		if !tl.TrailVerified || len(tl.Gaps) != 0 || !slices.Contains(tl.CannotTell, chainOnlyCaveat) {
			t.Errorf("an intact trail without a key: verified %v, gaps %+v, cannot tell %q", tl.TrailVerified, tl.Gaps, tl.CannotTell)
		}
	})
	t.Run("the signing key: verified", func(t *testing.T) {
		tl := timelineOf(t, trailOf(t, seedKey(), events), TimelineOptions{PublicKey: publicOf(seedKey())})
		if got := statuses(tl); !slices.Equal(got, []string{"01 verified", "02 verified", "03 verified", "04 verified"}) {
			t.Errorf("statuses = %q, want every event verified", got)
		}
		if tl.PublicKey != Fingerprint(publicOf(seedKey())) || slices.Contains(tl.CannotTell, chainOnlyCaveat) {
			t.Errorf("public key %q, cannot tell %q", tl.PublicKey, tl.CannotTell)
		}
	})
	t.Run("another key: unverified, naming the key", func(t *testing.T) {
		tl := timelineOf(t, trailOf(t, seedKey(), events), TimelineOptions{PublicKey: publicOf(otherKey())})
		for _, e := range tl.Events {
			if e.Status != StatusUnverified || !strings.Contains(e.Reason, "signed with another key, "+Fingerprint(publicOf(seedKey()))) {
				t.Errorf("line %d: %s %q, want unverified naming the key that signed it", e.Line, e.Status, e.Reason)
			}
		}
		// One gap for the run of lines the key does not verify for the same reason.
		if len(tl.Gaps) != 1 || tl.Gaps[0].Line != 1 || tl.Gaps[0].LastLine != 4 || tl.Gaps[0].Count != 4 {
			t.Errorf("gaps = %+v, want one for lines 1 to 4", tl.Gaps)
		}
	})
	t.Run("an unsigned event in a signed trail", func(t *testing.T) {
		var buf bytes.Buffer
		prev := ""
		for i, e := range events {
			key := seedKey()
			if i == 2 {
				key = nil
			}
			e = e.sealed(prev, key)
			buf.Write(append(e.encode(), '\n'))
			prev = e.Hash
		}
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		tl := timelineOf(t, path, TimelineOptions{PublicKey: publicOf(seedKey())})
		if got := statuses(tl); !slices.Equal(got, []string{"01 verified", "02 verified", "03 unverified the event is not signed, but every event must be signed by the given public key SHA256", "04 verified"}) {
			t.Errorf("statuses = %q, want line 3 alone unverified", got)
		}
	})
	t.Run("an edited line and every event after it", func(t *testing.T) {
		path := trailOf(t, seedKey(), events)
		editLine(t, path, 2, `"region":"eu-central-1"`, `"region":"us-east-1"`)
		tl := timelineOf(t, path, TimelineOptions{PublicKey: publicOf(seedKey())})
		want := []string{"01 verified", "02 unverified the hash does not match the line's content", "03 unverified the chain is broken at line 2, before this event, so nothing vouches for it",
			"04 unverified the chain is broken at line 2, before this event, so nothing vouches for it"}
		if got := statuses(tl); !slices.Equal(got, want) {
			t.Errorf("statuses = %q, want %q", got, want)
		}
		// The edited event is still shown, as the file holds it, flagged.
		if tl.Events[1].Event.Region != "us-east-1" {
			t.Errorf("the edited event shows region %q, want what the file holds", tl.Events[1].Event.Region)
		}
		if tl.TrailVerified || len(tl.Gaps) != 1 || tl.Gaps[0].Line != 2 || tl.Gaps[0].LastLine != 4 ||
			!strings.Contains(tl.Gaps[0].Message, "none of the 2 events after it can be verified") {
			t.Errorf("verified %v, gaps %+v; want one gap at line 2 naming the 2 events after it", tl.TrailVerified, tl.Gaps)
		}
		row := markdownRow(t, markdownOf(t, tl), 2)
		if !strings.Contains(row, "| **unverified**: the hash does not match the line's content") {
			t.Errorf("the edited event's row does not flag it:\n%s", row)
		}
	})
}

// The status is decided from what verification found at the line, in this order.
func TestStatusOf(t *testing.T) {
	for _, tc := range []struct {
		name     string
		c        lineCheck
		keyGiven bool
		want     Status
		reason   string
	}{
		{"intact, no key", lineCheck{isEvent: true}, false, StatusChainOnly, ""},
		{"intact, signed by the key", lineCheck{isEvent: true}, true, StatusVerified, ""},
		{"the chain breaks here", lineCheck{isEvent: true, broken: "the hash does not match"}, false, StatusUnverified, "the hash does not match"},
		{"the chain breaks here, with a key", lineCheck{isEvent: true, broken: "edited"}, true, StatusUnverified, "edited"},
		{"after a break", lineCheck{isEvent: true, after: 7}, false, StatusUnverified, "the chain is broken at line 7"},
		{"after a break, with a key", lineCheck{isEvent: true, after: 7}, true, StatusUnverified, "the chain is broken at line 7"},
		{"not signed by the key", lineCheck{isEvent: true, unsigned: "the event is not signed"}, true, StatusUnverified, "the event is not signed"},
	} {
		status, reason := statusOf(tc.c, tc.keyGiven)
		if status != tc.want || !strings.Contains(reason, tc.reason) || (tc.reason == "" && reason != "") {
			t.Errorf("%s: statusOf = %s %q, want %s %q", tc.name, status, reason, tc.want, tc.reason)
		}
	}
}

// The range takes the events from --since to --until, both included, and only those; stores and counts
// are those of the range.
func TestTimeline_range(t *testing.T) {
	path := trailOf(t, nil, incident())
	for _, tc := range []struct {
		name         string
		since, until time.Time
		lines        []int
	}{
		{"everything", at(0), at(60), []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}},
		{"both ends included", at(20), at(22), []int{6, 7, 8}},
		{"a nanosecond inside each end excludes them", at(20).Add(time.Nanosecond), at(22).Add(-time.Nanosecond), []int{7}},
		{"between events", at(13), at(19), nil},
		{"the incident's actions", at(30), at(32), []int{9, 10, 11}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := timelineOf(t, path, TimelineOptions{Since: tc.since, Until: tc.until})
			var got []int
			for _, e := range tl.Events {
				got = append(got, e.Line)
			}
			if !slices.Equal(got, tc.lines) || tl.Counts.Events != len(tc.lines) || tl.Counts.ChainOnly != len(tc.lines) {
				t.Errorf("lines %v, counts %+v; want lines %v", got, tl.Counts, tc.lines)
			}
		})
	}
	tl := timelineOf(t, path, TimelineOptions{Since: at(30), Until: at(32)})
	var stores []string
	for _, s := range tl.Stores {
		stores = append(stores, s.Kind+" "+s.CloudID+" "+strings.Join(s.ResourceTypes, ",")+" "+strings.Join(s.Regions, ",")+" "+
			strings.Join(s.Jurisdictions, ",")+" "+strconv.Itoa(s.Events))
	}
	// The actions count under the store they act on: the restore and the erasure under the bucket.
	want := []string{"server i-0abc gdpr_isolate_server eu-central-1 EU 1",
		"bucket records-new gdpr_restore_objects,gdpr_erase_objects eu-central-1 EU 2"}
	if !slices.Equal(stores, want) {
		t.Errorf("stores = %q, want %q", stores, want)
	}
}

// A replacement is shown as one only where the trail proves it: a bucket's move event links the bucket
// created before it to the one deleted after it, and a database's move comes between the delete and the
// create of one identifier. A create and a delete without a move, a move by the move action (its source
// stays) and a move the chain does not vouch for are listed as they are.
func TestTimeline_replacements(t *testing.T) {
	tl := timelineOf(t, trailOf(t, nil, incident()), TimelineOptions{})
	want := []Replacement{
		{Number: 1, Kind: "bucket", From: "records-old", To: "records-new", CreateLine: 3, MoveLine: 4, DeleteLine: 5},
		{Number: 2, Kind: "database", From: "db-1", To: "db-1", CreateLine: 8, MoveLine: 7, DeleteLine: 6},
	}
	if !slices.Equal(tl.Replacements, want) {
		t.Errorf("replacements = %+v, want %+v", tl.Replacements, want)
	}
	var parts []int
	for _, e := range tl.Events {
		parts = append(parts, e.Replacement)
	}
	// The server created on line 12 and the one deleted on line 13 are not shown as a replacement.
	if wantParts := []int{0, 0, 1, 1, 1, 2, 2, 2, 0, 0, 0, 0, 0}; !slices.Equal(parts, wantParts) {
		t.Errorf("replacement of each event = %v, want %v", parts, wantParts)
	}
	md := markdownOf(t, tl)
	for _, line := range []string{
		"1. bucket `records-old` replaced by `records-new`: the new bucket created (line 3), the data moved (line 4), the old one deleted (line 5).",
		"2. database `db-1` replaced by `db-1`: the old database deleted (line 6), the data moved (line 7), the new one created (line 8).",
	} {
		if !strings.Contains(md, "\n"+line+"\n") {
			t.Errorf("the Markdown lacks the line\n%s\nin:\n%s", line, md)
		}
	}
	if row := markdownRow(t, md, 4); !strings.Contains(row, "| move (replacement 1) |") {
		t.Errorf("the move's row does not name its replacement: %s", row)
	}

	t.Run("a part in range shows the whole replacement", func(t *testing.T) {
		tl := timelineOf(t, trailOf(t, nil, incident()), TimelineOptions{Since: at(12), Until: at(12)})
		if len(tl.Replacements) != 1 || tl.Replacements[0].CreateLine != 3 || len(tl.Events) != 1 || tl.Events[0].Replacement != 1 {
			t.Errorf("replacements %+v, events %+v; want the bucket's replacement through its delete", tl.Replacements, tl.Events)
		}
	})
	t.Run("the move action is not a replacement", func(t *testing.T) {
		events := []Event{
			{Time: at(0), Action: Create, ResourceType: "gdpr_bucket", CloudID: "target"},
			{Time: at(1), Action: Move, ResourceType: "gdpr_move_objects", CloudID: "legacy", MovedTo: "target", MovedObjects: "5", MovedBytes: "10"},
		}
		tl := timelineOf(t, trailOf(t, nil, events), TimelineOptions{})
		if len(tl.Replacements) != 0 || tl.Events[1].Changed != "5 objects (10 bytes) moved to target, each verified" {
			t.Errorf("replacements %+v, changed %q", tl.Replacements, tl.Events[1].Changed)
		}
	})
	t.Run("an unverified move proves nothing", func(t *testing.T) {
		path := trailOf(t, nil, incident()[:5])
		editLine(t, path, 4, `"moved_objects":"200"`, `"moved_objects":"201"`)
		tl := timelineOf(t, path, TimelineOptions{})
		if len(tl.Replacements) != 0 {
			t.Errorf("replacements = %+v, want none from an edited move", tl.Replacements)
		}
	})
	t.Run("events the key does not verify prove nothing", func(t *testing.T) {
		path := trailOf(t, seedKey(), incident()[:5])
		tl := timelineOf(t, path, TimelineOptions{PublicKey: publicOf(otherKey())})
		if len(tl.Replacements) != 0 {
			t.Errorf("replacements = %+v, want none from events the key does not verify", tl.Replacements)
		}
	})
	t.Run("an unverified create is not part of one", func(t *testing.T) {
		// The new bucket's create (line 3) was written without the key; the move and the delete were signed.
		var buf bytes.Buffer
		prev := ""
		for i, e := range incident()[:5] {
			key := seedKey()
			if i == 2 {
				key = nil
			}
			e = e.sealed(prev, key)
			buf.Write(append(e.encode(), '\n'))
			prev = e.Hash
		}
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		tl := timelineOf(t, path, TimelineOptions{PublicKey: publicOf(seedKey())})
		want := []Replacement{{Number: 1, Kind: "bucket", From: "records-old", To: "records-new", MoveLine: 4, DeleteLine: 5}}
		if !slices.Equal(tl.Replacements, want) {
			t.Errorf("replacements = %+v, want %+v: the unverified create left out", tl.Replacements, want)
		}
		if tl.Events[2].Replacement != 0 {
			t.Errorf("the unverified create is shown as part of replacement %d", tl.Events[2].Replacement)
		}
		if md := markdownOf(t, tl); !strings.Contains(md, "\n1. bucket `records-old` replaced by `records-new`: the new bucket created "+
			"(not in the trail, or unverified), the data moved (line 4), the old one deleted (line 5).\n") {
			t.Errorf("the Markdown does not say the create is not proven:\n%s", md)
		}
	})
}

// Events queued in the outbox next to the file are a gap, with their count and times; so is an outbox
// that cannot be read. A trail starting after --since, and a file without events, are gaps too.
func TestTimeline_gaps(t *testing.T) {
	t.Run("events queued in the outbox", func(t *testing.T) {
		events := incident()
		path := trailOf(t, nil, events)
		var queued []Event
		for _, l := range lines(t, path)[11:] {
			e, err := parseEvent([]byte(l))
			if err != nil {
				t.Fatal(err)
			}
			queued = append(queued, e)
		}
		if err := (outbox{path + OutboxSuffix}).write(queued); err != nil {
			t.Fatal(err)
		}
		tl := timelineOf(t, path, TimelineOptions{})
		if len(tl.Gaps) != 1 || tl.Gaps[0].Kind != GapOutbox || tl.Gaps[0].Count != 2 ||
			!slices.Equal(tl.Gaps[0].Times, []time.Time{at(40), at(41)}) {
			t.Fatalf("gaps = %+v, want the outbox's 2 events and their times", tl.Gaps)
		}
		// The trail itself verifies: what waits for the webhook is a gap of the receiver's copy.
		if !tl.TrailVerified {
			t.Error("an outbox made the trail unverified")
		}
		want := "- The outbox " + text(path+OutboxSuffix) + " holds 2 events not yet delivered to the webhook, so the receiver's " +
			"copy stops before them; deliver them with audit deliver. Their times: 2025-11-24T08:40:00Z, 2025-11-24T08:41:00Z."
		if md := markdownOf(t, tl); !strings.Contains(md, "\n"+want+"\n") {
			t.Errorf("the Markdown lacks\n%s\nin:\n%s", want, md)
		}
	})
	t.Run("an outbox that cannot be read", func(t *testing.T) {
		path := trailOf(t, nil, incident())
		if err := os.WriteFile(path+OutboxSuffix, []byte("{\"time\":\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		tl := timelineOf(t, path, TimelineOptions{})
		if len(tl.Gaps) != 1 || tl.Gaps[0].Kind != GapOutbox || !strings.Contains(tl.Gaps[0].Message, "not a complete audit event") {
			t.Errorf("gaps = %+v, want the damaged outbox named", tl.Gaps)
		}
	})
	t.Run("a trail starting after --since", func(t *testing.T) {
		tl := timelineOf(t, trailOf(t, nil, incident()[2:]), TimelineOptions{Since: at(5), Until: at(60)})
		if len(tl.Gaps) != 1 || tl.Gaps[0].Kind != GapStartsAfterSince || !tl.Gaps[0].First.Equal(at(10)) ||
			!strings.Contains(tl.Gaps[0].Message, "The trail starts at 2025-11-24T08:10:00Z, after --since") {
			t.Errorf("gaps = %+v, want the trail's start at 08:10 named", tl.Gaps)
		}
		if tl := timelineOf(t, trailOf(t, nil, incident()[2:]), TimelineOptions{Since: at(10), Until: at(60)}); len(tl.Gaps) != 0 {
			t.Errorf("a trail starting at --since has gaps %+v", tl.Gaps)
		}
	})
	t.Run("no events", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, []byte("\n\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		tl := timelineOf(t, path, TimelineOptions{})
		if len(tl.Gaps) != 1 || tl.Gaps[0].Kind != GapNoEvents || !tl.TrailVerified {
			t.Errorf("gaps %+v, verified %v; want the empty file named, and verified as audit verify says", tl.Gaps, tl.TrailVerified)
		}
	})
}

// The JSON form holds the same content as the Markdown, under the field names the guide documents.
func TestTimeline_JSON(t *testing.T) {
	path := trailOf(t, seedKey(), incident())
	editLine(t, path, 13, `"cloud_id":"i-0abc"`, `"cloud_id":"i-0abd"`)
	tl := timelineOf(t, path, TimelineOptions{PublicKey: publicOf(seedKey()), Since: at(30), Until: at(60)})
	var b bytes.Buffer
	if err := tl.JSON(&b); err != nil {
		t.Fatal(err)
	}
	var got struct {
		FormatVersion string `json:"format_version"`
		File          string
		Since, Until  string
		PublicKey     string `json:"public_key"`
		TrailVerified bool   `json:"trail_verified"`
		Summary       string
		Counts        map[string]int
		Stores        []struct {
			Kind                   string
			CloudID                string   `json:"cloud_id"`
			ResourceTypes          []string `json:"resource_types"`
			Regions, Jurisdictions []string
			Events                 int
		}
		Events []struct {
			Line           int
			Status, Reason string
			StoreKind      string `json:"store_kind"`
			Who, Changed   string
			Replacement    int
			Event          map[string]any
		}
		Replacements []map[string]any
		Gaps         []map[string]any
		CannotTell   []string `json:"cannot_tell"`
	}
	dec := json.NewDecoder(&b)
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if got.FormatVersion != "1" || got.File != path || got.Since != "2025-11-24T08:30:00Z" || got.Until != "2025-11-24T09:00:00Z" ||
		got.PublicKey != Fingerprint(publicOf(seedKey())) || got.TrailVerified {
		t.Errorf("header = %q %q %q %q %q %v", got.FormatVersion, got.File, got.Since, got.Until, got.PublicKey, got.TrailVerified)
	}
	if want := map[string]int{"events": 5, "verified": 4, "chain_only": 0, "unverified": 1}; !mapsEqual(got.Counts, want) {
		t.Errorf("counts = %v, want %v", got.Counts, want)
	}
	if len(got.Events) != 5 {
		t.Fatalf("%d events, want 5", len(got.Events))
	}
	isolate := got.Events[0]
	if isolate.Line != 9 || isolate.Status != "verified" || isolate.StoreKind != "server" || isolate.Event["action"] != "isolate" ||
		isolate.Event["incident_id"] != "INC-7" || isolate.Event["snapshots"] != "snap-1,snap-2" || isolate.Event["cloud_id"] != "i-0abc" ||
		isolate.Changed != "isolated for incident INC-7 in the security group sg-0123, stopped; forensic snapshots snap-1, snap-2" ||
		isolate.Who != "arn:aws:iam::123456789012:role/tfc-records; HCP Terraform run run-CKuwsxMGgMd4W7Ui; workspace acme/records-prod (ws-4mWzYVt7); "+
			"project customer-data; commit 4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e, branch main" {
		t.Errorf("the isolate event = %+v", isolate)
	}
	restore := got.Events[1]
	if restore.Changed != "restored to 2025-11-24T07:30:00Z: 3 keys restored, 2 keys hidden behind a delete marker, 5 keys already right" ||
		restore.Event["restored_keys"] != "3" || restore.Event["keys_sha256"] != strings.Repeat("9a", 32) {
		t.Errorf("the restore event = %+v", restore)
	}
	if erase := got.Events[2]; erase.Changed != "4 object versions (100 bytes) and 1 delete marker erased" {
		t.Errorf("the erase event = %+v", erase)
	}
	edited := got.Events[4]
	if edited.Line != 13 || edited.Status != "unverified" || !strings.Contains(edited.Reason, "hash does not match") || edited.Event["cloud_id"] != "i-0abd" {
		t.Errorf("the edited event = %+v", edited)
	}
	if len(got.Stores) != 4 || got.Stores[0].Kind != "server" || got.Stores[0].CloudID != "i-0abc" || got.Stores[0].Events != 1 ||
		!slices.Equal(got.Stores[0].ResourceTypes, []string{"gdpr_isolate_server"}) ||
		!slices.Equal(got.Stores[0].Regions, []string{"eu-central-1"}) || !slices.Equal(got.Stores[0].Jurisdictions, []string{"EU"}) {
		t.Errorf("stores = %v", got.Stores)
	}
	if len(got.Gaps) != 1 || got.Gaps[0]["kind"] != "verification" || got.Gaps[0]["line"] != float64(13) {
		t.Errorf("gaps = %v", got.Gaps)
	}
	if len(got.CannotTell) < 4 || !strings.HasPrefix(got.CannotTell[0], "What personal data a store held") {
		t.Errorf("cannot_tell = %q", got.CannotTell)
	}
	if !strings.HasPrefix(got.Summary, "5 events in 4 stores from 2025-11-24T08:30:00Z to 2025-11-24T09:00:00Z: 4 verified, 0 chain-only, 1 unverified.") {
		t.Errorf("summary = %q", got.Summary)
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// The Markdown form has a heading, a summary, one row per event with who, what and the status, the
// stores with their region and jurisdiction, and the sections of gaps and of what the trail cannot tell.
func TestTimeline_markdown(t *testing.T) {
	tl := timelineOf(t, trailOf(t, seedKey(), incident()), TimelineOptions{PublicKey: publicOf(seedKey())})
	md := markdownOf(t, tl)
	for _, line := range []string{
		"# Audit timeline",
		"**Summary:** 13 events in 6 stores from 2025-11-24T08:00:00Z to 2025-11-24T09:00:00Z: 13 verified, 0 chain-only, 0 unverified. " +
			"The trail verifies: chain intact, every event signed by the given key " + Fingerprint(publicOf(seedKey())) + ".",
		"## Events",
		"| Line | Time (UTC) | Action | Store | Who | What changed | Status |",
		"| 9 | 2025-11-24T08:30:00Z | isolate | server `i-0abc` | `arn:aws:iam::123456789012:role/tfc-records`; HCP Terraform run `run-CKuwsxMGgMd4W7Ui`; " +
			"workspace `acme/records-prod` (`ws-4mWzYVt7`); project `customer-data`; commit `4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e`, branch `main` | " +
			"isolated for incident `INC-7` in the security group `sg-0123`, stopped; forensic snapshots `snap-1`, `snap-2` | verified |",
		"| 10 | 2025-11-24T08:31:00Z | restore | bucket `records-new` | `arn:aws:iam::123456789012:role/tfc-records`; HCP Terraform run `run-CKuwsxMGgMd4W7Ui`; " +
			"workspace `acme/records-prod` (`ws-4mWzYVt7`); project `customer-data`; commit `4f2a9c1e0b7d3a5f6e8c9b0a1d2e3f4a5b6c7d8e`, branch `main` | " +
			"restored to `2025-11-24T07:30:00Z`: 3 keys restored, 2 keys hidden behind a delete marker, 5 keys already right | verified |",
		"## Stores",
		"| bucket `records-new` | `eu-central-1` | `EU` | 3 |",
		"## Replacements",
		"## Gaps",
		"None found: every line is an event, the chain is intact, and no event waits in the outbox.",
		"## What this trail cannot tell",
		"- What happened outside Terraform: changes made in the console, with the AWS CLI or by someone holding the cloud credentials " +
			"are not recorded here (look in AWS CloudTrail). The provider reports such a change at the next plan and replaces the " +
			"resource, which the trail then records as a delete and a create.",
	} {
		if !strings.Contains(md, "\n"+line+"\n") && !strings.HasPrefix(md, line+"\n") {
			t.Errorf("the Markdown lacks the line\n%s\nin:\n%s", line, md)
		}
	}
}

// The command's exit code is 0 when the trail verifies (chain-only without a key), 1 when it does not or
// an event is unverified, with the timeline still printed, and 2 for a usage or file error, which names
// what is wrong.
func TestMain_timelineExitCodes(t *testing.T) {
	intact := trailOf(t, seedKey(), incident())
	edited := trailOf(t, seedKey(), incident())
	editLine(t, edited, 10, `"restored_keys":"3"`, `"restored_keys":"0"`)
	// An event after the range (its time in 2099) is left out when --until defaults to now.
	future := trailOf(t, nil, append(incident(), Event{Time: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), Action: Create,
		ResourceType: "gdpr_key", CloudID: "key-from-the-future"}))
	pub, otherPub := publicKeyFile(t, seedKey()), publicKeyFile(t, otherKey())
	dir := t.TempDir()
	notAKey := filepath.Join(dir, "not-a-key.pem")
	if err := os.WriteFile(notAKey, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	since := []string{"--since", "2025-11-24T08:00:00Z"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		// out and errOut are substrings of what Main prints on stdout and stderr.
		out, errOut string
	}{
		{"intact, no key", append([]string{"timeline", intact}, since...), 0, "0 verified, 13 chain-only, 0 unverified", ""},
		{"intact, its key", append([]string{"timeline", intact, "--public-key", pub}, since...), 0, "13 verified, 0 chain-only, 0 unverified", ""},
		{"flags before the file", append(append([]string{"timeline"}, since...), "--until", "2025-11-24T08:30:00Z", intact), 0, "9 events in 5 stores", ""},
		{"json", append([]string{"timeline", intact, "--format", "json"}, since...), 0, `"format_version": "1"`, ""},
		{"until defaults to now", append([]string{"timeline", future}, since...), 0, "13 events in 6 stores", ""},
		{"an edited line", append([]string{"timeline", edited}, since...), 1, "| 10 | 2025-11-24T08:31:00Z | restore | bucket `records-new` |",
			"UNVERIFIED " + edited + ": the trail does not verify, and 4 of the 13 events in the range are unverified"},
		{"an edited line, json", append([]string{"timeline", edited, "--format", "json"}, since...), 1, `"status": "unverified"`, "UNVERIFIED"},
		{"another key", append([]string{"timeline", intact, "--public-key", otherPub}, since...), 1, "13 unverified", "UNVERIFIED"},
		{"a break outside the range", []string{"timeline", edited, "--since", "2025-11-24T08:00:00Z", "--until", "2025-11-24T08:01:00Z"}, 1,
			"0 unverified. The trail does NOT verify", "UNVERIFIED " + edited + ": the trail does not verify outside the range, though none of the 2 events in it is unverified"},
		{"no --since", []string{"timeline", intact}, 2, "", "ERROR --since is required"},
		{"a date without a time", []string{"timeline", intact, "--since", "2026-12-07"}, 2, "",
			`ERROR --since "2026-12-07" is not an RFC 3339 time: give a date, a time and a UTC offset, such as 2026-12-07T09:00:00Z`},
		{"no offset", append([]string{"timeline", intact, "--until", "2025-11-24T09:00:00"}, since...), 2, "", `ERROR --until "2025-11-24T09:00:00" is not an RFC 3339 time`},
		{"until before since", append([]string{"timeline", intact, "--until", "2025-11-24T07:00:00+01:00"}, since...), 2, "",
			"ERROR --until (2025-11-24T06:00:00Z) is before --since (2025-11-24T08:00:00Z)"},
		{"since in the future", []string{"timeline", intact, "--since", "2999-01-01T00:00:00Z"}, 2, "",
			"ERROR --since (2999-01-01T00:00:00Z) is in the future: give the start of the range, which ends now unless --until says otherwise."},
		{"an unknown format", append([]string{"timeline", intact, "--format", "html"}, since...), 2, "", `ERROR --format "html" is not a format of the timeline: give markdown (the default) or json.`},
		{"no file", append([]string{"timeline"}, since...), 2, "", "ERROR give one audit file; 0 were given."},
		{"two files", append([]string{"timeline", intact, edited}, since...), 2, "", "ERROR give one audit file; 2 were given."},
		{"an unknown flag", append([]string{"timeline", intact, "--from", "x"}, since...), 2, "", "flag provided but not defined: -from"},
		{"a missing file", append([]string{"timeline", filepath.Join(dir, "missing.jsonl")}, since...), 2, "", "ERROR cannot read"},
		{"a directory", append([]string{"timeline", dir}, since...), 2, "", "ERROR cannot read " + dir},
		{"a key that is not one", append([]string{"timeline", intact, "--public-key", notAKey}, since...), 2, "", "ERROR cannot read the public key"},
		{"help", []string{"timeline", "-h"}, 0, "terraform-provider-gdpr audit timeline FILE --since T", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := Main(tc.args, &out, &errOut)
			if code != tc.code || !strings.Contains(out.String(), tc.out) || !strings.Contains(errOut.String(), tc.errOut) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q, stderr with %q",
					code, out.String(), errOut.String(), tc.code, tc.out, tc.errOut)
			}
			if tc.code == 2 && out.Len() > 0 && tc.name != "help" {
				t.Errorf("a usage or file error printed a timeline: %q", out.String())
			}
		})
	}
}

// Hostile files never stop the timeline: a line too long to be an event, a line that is not JSON and one
// holding bytes that are not UTF-8 are verification failures, and the events after them are still shown,
// unverified; values that could break the Markdown table or hide text are escaped.
func TestTimeline_hostileInput(t *testing.T) {
	valid := chained(nil, incident()[:3])
	for _, tc := range []struct {
		name   string
		insert []byte
		reason string
		// shown says whether the bad line is shown as an event: only a line that decodes as one is.
		shown bool
	}{
		{"a huge line", bytes.Repeat([]byte("x"), 17<<20), "longer than 16 MiB: not an audit event", false},
		{"a huge line without a newline before the end", nil, "", false},
		{"invalid JSON", []byte(`{"time":"2025-11-24T08:00:30Z","action":`), "not an audit event: unexpected EOF", false},
		{"not UTF-8", []byte("{\"time\":\"2025-11-24T08:00:30Z\",\"action\":\"create\",\"resource_type\":\"gdpr_key\",\"cloud_id\":\"\xff\xfe\",\"arguments_sha256\":\"\",\"prev_hash\":\"\"}"),
			"not in the exact form the provider writes", true},
		{"NUL bytes", []byte("\x00\x00\x00"), "not an audit event", false},
		{"JSON null", []byte("null"), "not an audit event: the line is not a JSON object", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := bytes.SplitAfter(valid, []byte("\n"))
			var data []byte
			if tc.insert == nil {
				// At the very end, without a newline: the scan must still end.
				data = append(append([]byte(nil), valid...), bytes.Repeat([]byte("y"), 17<<20)...)
				tc.reason = "longer than 16 MiB"
			} else {
				data = append(append(append(append([]byte(nil), l[0]...), tc.insert...), '\n'), bytes.Join(l[1:], nil)...)
			}
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			var out, errOut bytes.Buffer
			code := Main([]string{"timeline", path, "--since", "2025-11-24T08:00:00Z", "--until", "2025-11-24T09:00:00Z"}, &out, &errOut)
			if code != 1 || !strings.Contains(errOut.String(), "UNVERIFIED") {
				t.Errorf("exit %d, stderr %q; want 1, flagged", code, errOut.String())
			}
			md := out.String()
			brokenLine := 2
			if tc.insert == nil {
				brokenLine = 4
			}
			if !strings.Contains(md, "\n- Line "+strconv.Itoa(brokenLine)+": "+text(tc.reason)) {
				t.Errorf("the gaps do not name line %d: %s", brokenLine, md)
			}
			if tc.insert != nil {
				if shown := strings.Contains(md, "\n| 2 | "); shown != tc.shown {
					t.Errorf("the bad line is shown as an event: %v, want %v:\n%s", shown, tc.shown, md)
				}
				// The two events after the bad line are shown, unverified.
				for _, line := range []int{3, 4} {
					if row := markdownRow(t, md, line); !strings.Contains(row, "**unverified**: the chain is broken at line 2") {
						t.Errorf("line %d: %s", line, row)
					}
				}
			}
			if len(md) > 64<<10 {
				t.Errorf("the timeline is %d bytes: a hostile line was copied into it", len(md))
			}
		})
	}

	t.Run("times at the ends of what RFC 3339 can write", func(t *testing.T) {
		// A chain rehashed by someone who can write the file may hold times whose UTC form falls outside
		// the years 0000 to 9999, which no JSON encoder writes; the timeline must still be written.
		var buf bytes.Buffer
		prev := ""
		for _, at := range []time.Time{
			time.Date(0, 1, 1, 0, 0, 0, 0, time.FixedZone("", 3600)),
			time.Date(9999, 12, 31, 23, 59, 59, 0, time.FixedZone("", -3600)),
		} {
			e := Event{Time: at, Action: Create, ResourceType: "gdpr_key", CloudID: "k", PrevHash: prev}
			e.Hash = e.computeHash()
			buf.Write(append(e.encode(), '\n'))
			prev = e.Hash
		}
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, format := range []string{"json", "markdown"} {
			var out, errOut bytes.Buffer
			code := Main([]string{"timeline", path, "--since", "0000-01-01T00:00:00+01:00", "--until", "9999-12-31T23:59:59-01:00",
				"--format", format}, &out, &errOut)
			if code != 0 || !strings.Contains(out.String(), "2 events in 1 store") {
				t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 0 and both events", format, code, out.String(), errOut.String())
			}
		}
	})

	t.Run("a long trail of moves into one bucket", func(t *testing.T) {
		// Each move finds the create and the delete it links by a search among the creates and deletes of a
		// store, not by a walk through the trail, which would take the square of the trail's length.
		events := []Event{{Time: at(0), Action: Create, ResourceType: "gdpr_bucket", CloudID: "b"}}
		for range 40000 {
			events = append(events, Event{Time: at(1), Action: Move, ResourceType: "gdpr_bucket", CloudID: "a", MovedTo: "b"})
		}
		events = append(events, Event{Time: at(2), Action: Delete, ResourceType: "gdpr_bucket", CloudID: "a"})
		data := chained(nil, events)
		tl, err := BuildTimeline(bytes.NewReader(data), "audit.jsonl", TimelineOptions{Since: at(0), Until: at(2)})
		if err != nil {
			t.Fatal(err)
		}
		// The first move claims the create; the others have none the trail proves.
		if len(tl.Replacements) != 40000 || tl.Replacements[0].CreateLine != 1 || tl.Replacements[0].DeleteLine != 40002 ||
			tl.Replacements[1].CreateLine != 0 || tl.Replacements[1].DeleteLine != 0 {
			t.Errorf("%d replacements, the first two %+v", len(tl.Replacements), tl.Replacements[:min(2, len(tl.Replacements))])
		}
	})

	t.Run("values that would break the Markdown", func(t *testing.T) {
		// A chain rehashed by someone who can write the file: the chain holds, so every value is shown, and
		// must be shown as it is, inside its cell.
		events := []Event{
			{Time: at(1), Action: "create | injected", ResourceType: "gdpr_bucket", CloudID: "a|b`c``d\nnew line\u202egnp.exe",
				Region: "<script>alert(1)</script>", Jurisdiction: "**EU**", CallerARN: "[click](http://evil)"},
			{Time: at(2), Action: Erase, ResourceType: "gdpr_erase_objects", CloudID: strings.Repeat("long", 1000),
				ErasedVersions: "12 | 13", ErasedBytes: "1e9", ErasedDeleteMarkers: "-1"},
		}
		tl := timelineOf(t, trailOf(t, nil, events), TimelineOptions{})
		md := markdownOf(t, tl)
		for _, line := range []int{1, 2} {
			row := markdownRow(t, md, line)
			if cells := unescapedPipes(row); cells != 8 {
				t.Errorf("row %d has %d unescaped pipes, want 8 (7 cells):\n%s", line, cells, row)
			}
		}
		row := markdownRow(t, md, 1)
		for _, want := range []string{"```a\\|b`c``d\\u000anew line\\u202egnp.exe```", "`create \\| injected`", "`[click](http://evil)`"} {
			if !strings.Contains(row, want) {
				t.Errorf("row 1 lacks %s:\n%s", want, row)
			}
		}
		if strings.Contains(md, "\u202e") || strings.Contains(md, "\nnew line") {
			t.Error("a control or format character reached the Markdown")
		}
		if !strings.Contains(md, "| `<script>alert(1)</script>` | `**EU**` |") {
			t.Errorf("the store's region and jurisdiction are not shown as code:\n%s", md)
		}
		row = markdownRow(t, md, 2)
		if !strings.Contains(row, "… (3800 more bytes)") || !strings.Contains(row, "`12 \\| 13` object versions (`1e9` bytes) and `-1` delete markers erased") {
			t.Errorf("row 2 does not cut the long value or show the odd counts as code:\n%s", row)
		}
	})
}

// unescapedPipes counts the pipes of a Markdown table row that separate cells.
func unescapedPipes(row string) int {
	n := 0
	for i := range len(row) {
		if row[i] == '|' && (i == 0 || row[i-1] != '\\') {
			n++
		}
	}
	return n
}

// The audit guide documents every field of the JSON form, so that scripts can rely on them: each field of
// the timeline has a row of the guide's table, and each field of the objects inside it is named in the
// row of the field that holds them.
func TestTimeline_guideDocumentsTheJSONForm(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "docs", "guides", "audit-trail.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "### The JSON form")
	if !ok {
		t.Fatal(`the audit guide has no "### The JSON form" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	// rows maps the field each row of the table names in its first cell to the row's second cell.
	rows := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "| `") || len(cells) < 4 {
			continue
		}
		for _, name := range strings.Split(cells[1], ",") {
			rows[strings.TrimSuffix(strings.Trim(strings.TrimSpace(name), "`"), "[]")] = cells[2]
		}
	}
	inner := map[string]reflect.Type{"counts": reflect.TypeFor[Counts](), "stores": reflect.TypeFor[Store](),
		"events": reflect.TypeFor[Entry](), "replacements": reflect.TypeFor[Replacement](), "gaps": reflect.TypeFor[Gap]()}
	for _, field := range jsonFields(reflect.TypeFor[Timeline]()) {
		row, ok := rows[field]
		if !ok {
			t.Errorf("the guide's table of the JSON form has no row for %s", field)
			continue
		}
		if typ, ok := inner[field]; ok {
			for _, name := range jsonFields(typ) {
				if !strings.Contains(row, "`"+name+"`") {
					t.Errorf("the guide's row for %s does not name its field %s", field, name)
				}
			}
		}
	}
	if len(rows) != len(jsonFields(reflect.TypeFor[Timeline]())) {
		t.Errorf("the guide's table names %d fields, the timeline has %d: %v", len(rows), len(jsonFields(reflect.TypeFor[Timeline]())), rows)
	}
}

// jsonFields lists the names the JSON encoder gives the fields of a struct type.
func jsonFields(typ reflect.Type) []string {
	var names []string
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

// BenchmarkBuildTimeline_manyMoves reads a trail of 40,000 moves into one bucket: the grouping of replacements
// searches each store's creates and deletes, so its time grows with the trail, not with its square (`make gobench`).
func BenchmarkBuildTimeline_manyMoves(b *testing.B) {
	events := []Event{{Time: at(0), Action: Create, ResourceType: "gdpr_bucket", CloudID: "b"}}
	for range 40000 {
		events = append(events, Event{Time: at(1), Action: Move, ResourceType: "gdpr_bucket", CloudID: "a", MovedTo: "b"})
	}
	events = append(events, Event{Time: at(2), Action: Delete, ResourceType: "gdpr_bucket", CloudID: "a"})
	data := chained(nil, events)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := BuildTimeline(bytes.NewReader(data), "audit.jsonl", TimelineOptions{Since: at(0), Until: at(2)}); err != nil {
			b.Fatal(err)
		}
	}
}
