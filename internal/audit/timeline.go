package audit

import (
	"crypto/ed25519"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
)

// Status is what verification says of one event of a timeline.
type Status string

// The statuses of an event. Only the chain and the signatures vouch for an event: a line edited, or read
// after the chain broke, says what someone wrote, not what the provider recorded.
const (
	// StatusVerified: the chain is intact up to the event, and the given public key verifies its signature.
	StatusVerified Status = "verified"
	// StatusChainOnly: the chain is intact up to the event, and no public key was given to check signatures.
	StatusChainOnly Status = "chain-only"
	// StatusUnverified: the chain breaks at the event or before it, or the given key does not verify it.
	StatusUnverified Status = "unverified"
)

// TimelineFormatVersion is the format_version of the JSON timeline. It changes only when a field is
// renamed, removed or changes meaning; new fields may be added without a change.
const TimelineFormatVersion = "1"

// Timeline is what an audit file says happened between two moments, with what verification found about
// each event and what the trail cannot tell. Its JSON form is documented in the audit guide.
type Timeline struct {
	FormatVersion string    `json:"format_version"`
	File          string    `json:"file"`
	Since         time.Time `json:"since"`
	Until         time.Time `json:"until"`
	// PublicKey is the fingerprint of the key given to check signatures, "" when none was.
	PublicKey string `json:"public_key,omitempty"`
	// TrailVerified is true when the whole file verifies, as audit verify with the same key would say:
	// every line an event, the chain intact and, with a key, every event signed by it.
	TrailVerified bool `json:"trail_verified"`
	// Summary is the sentence the Markdown form opens with.
	Summary      string        `json:"summary"`
	Counts       Counts        `json:"counts"`
	Stores       []Store       `json:"stores"`
	Events       []Entry       `json:"events"`
	Replacements []Replacement `json:"replacements"`
	Gaps         []Gap         `json:"gaps"`
	CannotTell   []string      `json:"cannot_tell"`
}

// Counts are the events of the range by status.
type Counts struct {
	Events     int `json:"events"`
	Verified   int `json:"verified"`
	ChainOnly  int `json:"chain_only"`
	Unverified int `json:"unverified"`
}

// Store is a key, bucket, server or database that events of the range name, with where the events say
// it is. The events of the actions count under the store they act on: an erasure or a restore under its
// bucket, an isolation under its server.
type Store struct {
	Kind    string `json:"kind"`
	CloudID string `json:"cloud_id"`
	// ResourceTypes, Regions and Jurisdictions are the distinct values the store's events record, in the
	// order they first appear; a store whose events disagree lists each.
	ResourceTypes []string `json:"resource_types"`
	Regions       []string `json:"regions"`
	Jurisdictions []string `json:"jurisdictions"`
	Events        int      `json:"events"`
}

// Entry is one event of the range.
type Entry struct {
	// Line is the event's line in the file, counting from 1.
	Line   int    `json:"line"`
	Status Status `json:"status"`
	// Reason says why an unverified event is unverified.
	Reason    string `json:"reason,omitempty"`
	StoreKind string `json:"store_kind"`
	// Who and Changed are the sentences of the Markdown form's columns of the same names.
	Who     string `json:"who"`
	Changed string `json:"changed"`
	// Replacement is the number of the replacement the event is part of, 0 (left out) when none.
	Replacement int `json:"replacement,omitempty"`
	// Event is the event as the file holds it, with the field names of the audit guide's event table.
	Event Event `json:"event"`
}

// Replacement is a store replaced by another, as the trail proves it: a gdpr_bucket's move event names
// the bucket that replaced it (created before it, the old one deleted after), and a gdpr_database's move
// event comes between the delete and the create of one identifier. A line of 0 (left out) is a part the
// trail does not hold, or holds unverified.
type Replacement struct {
	Number     int    `json:"number"`
	Kind       string `json:"kind"`
	From       string `json:"from"`
	To         string `json:"to"`
	CreateLine int    `json:"create_line,omitempty"`
	MoveLine   int    `json:"move_line"`
	DeleteLine int    `json:"delete_line,omitempty"`
}

// The kinds of gap.
const (
	GapVerification     = "verification"
	GapOutbox           = "outbox"
	GapStartsAfterSince = "starts_after_since"
	GapNoEvents         = "no_events"
)

// Gap is a reason the timeline may be incomplete or untrustworthy.
type Gap struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	// Line and LastLine are the lines of a verification failure (LastLine for a run of lines failing
	// for the same reason, or the end of the file after a broken chain).
	Line     int `json:"line,omitempty"`
	LastLine int `json:"last_line,omitempty"`
	// Count is how many events the gap concerns: queued in the outbox, or left unverified.
	Count int `json:"count,omitempty"`
	// Times are the times of the events queued in the outbox; First is the first event of the file.
	Times []time.Time `json:"times,omitempty"`
	First *time.Time  `json:"first_event,omitempty"`
}

// TimelineOptions say which events a timeline shows and how they are checked.
type TimelineOptions struct {
	Since, Until time.Time
	// PublicKey, when set, must verify the signature of every event.
	PublicKey ed25519.PublicKey
	// OutboxPath is the outbox next to the file; "" when there is none to look at.
	OutboxPath string
}

// cannotTell is what no audit trail tells, whatever it holds.
var cannotTell = []string{
	"What personal data a store held, of which categories, and whose: the trail records infrastructure, never " +
		"the data, and erase and restore events carry only a digest of the object keys.",
	"How many people or records are concerned: counts of objects, versions and keys are not counts of people.",
	"What happened outside Terraform: changes made in the console, with the AWS CLI or by someone holding " +
		"the cloud credentials are not recorded here (look in AWS CloudTrail). The provider reports such a " +
		"change at the next plan and replaces the resource, which the trail then records as a delete and a create.",
	"Whether events were cut off the end of the file: a trail truncated after any line is a valid, shorter " +
		"trail. Compare the number of events and the last hash with the webhook receiver's copy.",
	"What was attempted and failed: a create that failed, a plan that stopped and an action that changed " +
		"nothing because retention stopped it record no event.",
}

// chainOnlyCaveat is added to what the trail cannot tell when no public key was given.
const chainOnlyCaveat = "Without --public-key, that the trail was not rewritten: anyone who can write the file " +
	"can change a line and recompute every later hash. Give the public key of the signing key to rule that out."

// TimelineFile reads the audit file at path, and the outbox next to it, into a timeline.
func TimelineFile(path string, opts TimelineOptions) (*Timeline, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if opts.OutboxPath == "" {
		opts.OutboxPath = path + OutboxSuffix
	}
	return BuildTimeline(f, path, opts)
}

// indexed is what replacements are found from, for every event of the file.
type indexed struct {
	line                  int
	action                Action
	resourceType, cloudID string
	movedTo               string
	unverified, inRange   bool
}

// BuildTimeline verifies the trail read from r, named name, and returns the events between opts.Since and
// opts.Until, both included, in the order of the file, which the chain proves. It fails only when r cannot
// be read: a damaged trail is a timeline with unverified events and gaps.
func BuildTimeline(r io.Reader, name string, opts TimelineOptions) (*Timeline, error) {
	t := &Timeline{FormatVersion: TimelineFormatVersion, File: name, Since: utc(opts.Since), Until: utc(opts.Until),
		Stores: []Store{}, Events: []Entry{}, Replacements: []Replacement{}, Gaps: []Gap{}}
	if opts.PublicKey != nil {
		t.PublicKey = Fingerprint(opts.PublicKey)
	}
	var all []indexed
	var first *time.Time
	// breakGap is the gap of the break in the chain, -1 before one.
	breakGap := -1
	// sigGap is the gap of the last event the key did not verify, which the next one joins for the same reason.
	sigGap, lastEventLine := -1, 0
	err := checkLines(r, opts.PublicKey, func(c lineCheck) bool {
		switch {
		case c.broken != "":
			t.Gaps = append(t.Gaps, Gap{Kind: GapVerification, Line: c.line, Message: c.broken})
			breakGap = len(t.Gaps) - 1
		case c.after > 0 && c.isEvent:
			t.Gaps[breakGap].Count++
		case c.unsigned != "":
			if g := len(t.Gaps) - 1; g >= 0 && sigGap == g && t.Gaps[g].Message == c.unsigned && t.Gaps[g].LastLine == lastEventLine {
				t.Gaps[g].LastLine, t.Gaps[g].Count = c.line, t.Gaps[g].Count+1
			} else {
				t.Gaps = append(t.Gaps, Gap{Kind: GapVerification, Line: c.line, LastLine: c.line, Count: 1, Message: c.unsigned})
				sigGap = len(t.Gaps) - 1
			}
		}
		if breakGap >= 0 {
			t.Gaps[breakGap].LastLine = c.line
		}
		if !c.isEvent {
			return true
		}
		lastEventLine = c.line
		e := c.event
		if first == nil {
			at := utc(e.Time)
			first = &at
		}
		status, reason := statusOf(c, opts.PublicKey != nil)
		in := !e.Time.Before(opts.Since) && !e.Time.After(opts.Until)
		all = append(all, indexed{line: c.line, action: e.Action, resourceType: e.ResourceType, cloudID: e.CloudID,
			movedTo: e.MovedTo, unverified: status == StatusUnverified, inRange: in})
		if in {
			t.Events = append(t.Events, Entry{Line: c.line, Status: status, Reason: reason,
				StoreKind: storeKind(e.ResourceType), Who: who(e, plain), Changed: changed(e, plain), Event: e})
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	if breakGap >= 0 && t.Gaps[breakGap].Count > 0 {
		t.Gaps[breakGap].Message += fmt.Sprintf("; the chain is broken there, so none of the %d events after "+
			"it can be verified", t.Gaps[breakGap].Count)
	}
	t.TrailVerified = len(t.Gaps) == 0
	t.replacements(all)
	t.stores()
	for _, e := range t.Events {
		t.Counts.Events++
		switch e.Status {
		case StatusVerified:
			t.Counts.Verified++
		case StatusChainOnly:
			t.Counts.ChainOnly++
		default:
			t.Counts.Unverified++
		}
	}
	switch {
	case first == nil:
		t.Gaps = append(t.Gaps, Gap{Kind: GapNoEvents, Message: "The file holds no events: either nothing was " +
			"recorded in it, or it is not the file the provider's audit block names."})
	case first.After(t.Since):
		t.Gaps = append(t.Gaps, Gap{Kind: GapStartsAfterSince, First: first, Message: fmt.Sprintf("The trail "+
			"starts at %s, after --since: what happened between %s and then is not in this file (an older file, "+
			"or the audit block was added later).", first.Format(time.RFC3339), t.Since.Format(time.RFC3339))})
	}
	if opts.OutboxPath != "" {
		if g := outboxGap(opts.OutboxPath); g != nil {
			t.Gaps = append(t.Gaps, *g)
		}
	}
	t.CannotTell = slices.Clone(cannotTell)
	if opts.PublicKey == nil {
		t.CannotTell = append(t.CannotTell, chainOnlyCaveat)
	}
	t.Summary = t.summary()
	return t, nil
}

// statusOf decides the status of an event from what verification found at its line; keyGiven says
// whether a public key checked the signatures.
func statusOf(c lineCheck, keyGiven bool) (Status, string) {
	switch {
	case c.broken != "":
		return StatusUnverified, c.broken
	case c.after > 0:
		return StatusUnverified, fmt.Sprintf("the chain is broken at line %d, before this event, so nothing "+
			"vouches for it", c.after)
	case c.unsigned != "":
		return StatusUnverified, c.unsigned
	case keyGiven:
		return StatusVerified, ""
	}
	return StatusChainOnly, ""
}

// outboxGap says how many events wait in the outbox for the webhook, and when they happened; nil when
// none does.
func outboxGap(path string) *Gap {
	events, err := outbox{path}.read()
	switch {
	case err != nil:
		return &Gap{Kind: GapOutbox, Message: "The outbox cannot be read, so the events waiting for the webhook " +
			"are unknown: " + err.Error()}
	case len(events) == 0:
		return nil
	}
	g := &Gap{Kind: GapOutbox, Count: len(events)}
	for _, e := range events {
		g.Times = append(g.Times, utc(e.Time))
	}
	g.Message = fmt.Sprintf("The outbox %s holds %s not yet delivered to the webhook, so the receiver's copy "+
		"stops before them; deliver them with audit deliver.", path, counted(len(events), "event"))
	return g
}

// storeKind names the kind of store an event's resource type is or acts on.
func storeKind(resourceType string) string {
	switch resourceType {
	case "gdpr_key":
		return "key"
	case "gdpr_bucket", "gdpr_erase_objects", "gdpr_restore_objects", "gdpr_move_objects":
		return "bucket"
	case "gdpr_server", "gdpr_isolate_server":
		return "server"
	case "gdpr_database":
		return "database"
	}
	return resourceType
}

// stores lists the stores of the events in range, in the order they first appear.
func (t *Timeline) stores() {
	index := map[[2]string]int{}
	for _, e := range t.Events {
		k := [2]string{e.StoreKind, e.Event.CloudID}
		i, ok := index[k]
		if !ok {
			i = len(t.Stores)
			index[k] = i
			t.Stores = append(t.Stores, Store{Kind: k[0], CloudID: k[1], ResourceTypes: []string{}, Regions: []string{},
				Jurisdictions: []string{}})
		}
		s := &t.Stores[i]
		s.Events++
		s.ResourceTypes = addDistinct(s.ResourceTypes, e.Event.ResourceType)
		s.Regions = addDistinct(s.Regions, e.Event.Region)
		s.Jurisdictions = addDistinct(s.Jurisdictions, e.Event.Jurisdiction)
	}
}

func addDistinct(list []string, v string) []string {
	if v == "" || slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

// replacements groups into replacements the events the trail proves to be one, and numbers those with a
// part in range. Unverified events prove nothing, so they are never part of one.
func (t *Timeline) replacements(all []indexed) {
	// lives lists the verified creates and deletes of each store, in the order of the file: the only
	// events a move links, so that finding them takes a search, not a walk through the whole trail.
	lives := map[[2]string][]int{}
	for j, x := range all {
		if !x.unverified && (x.action == Create || x.action == Delete) {
			k := [2]string{x.resourceType, x.cloudID}
			lives[k] = append(lives[k], j)
		}
	}
	used := map[int]bool{}
	// find returns the index of the store's create or delete nearest to the move at i in direction step
	// (-1 or +1) when it is the action wanted and no other move claimed it, and -1 otherwise: a delete
	// before a create, or another replacement between, leaves nothing the trail proves.
	find := func(i, step int, resourceType, cloudID string, want Action) int {
		list := lives[[2]string{resourceType, cloudID}]
		// i is a move, so it is not in list: p is the first event of the store after it.
		p, _ := slices.BinarySearch(list, i)
		if step < 0 {
			p--
		}
		if p < 0 || p >= len(list) || all[list[p]].action != want || used[list[p]] {
			return -1
		}
		return list[p]
	}
	lines := map[int]int{}
	for i, m := range all {
		if m.action != Move || m.unverified || m.movedTo == "" {
			continue
		}
		var create, del int
		switch {
		case m.resourceType == "gdpr_bucket" && m.movedTo != m.cloudID:
			create = find(i, -1, m.resourceType, m.movedTo, Create)
			del = find(i, +1, m.resourceType, m.cloudID, Delete)
		case m.resourceType == "gdpr_database" && m.movedTo == m.cloudID:
			del = find(i, -1, m.resourceType, m.cloudID, Delete)
			create = find(i, +1, m.resourceType, m.cloudID, Create)
		default:
			continue
		}
		r := Replacement{Kind: storeKind(m.resourceType), From: m.cloudID, To: m.movedTo, MoveLine: m.line}
		parts := []int{i}
		if create >= 0 {
			r.CreateLine, used[create] = all[create].line, true
			parts = append(parts, create)
		}
		if del >= 0 {
			r.DeleteLine, used[del] = all[del].line, true
			parts = append(parts, del)
		}
		if !slices.ContainsFunc(parts, func(p int) bool { return all[p].inRange }) {
			continue
		}
		r.Number = len(t.Replacements) + 1
		t.Replacements = append(t.Replacements, r)
		for _, p := range parts {
			lines[all[p].line] = r.Number
		}
	}
	for i := range t.Events {
		t.Events[i].Replacement = lines[t.Events[i].Line]
	}
}

// summary is the timeline's opening sentence: how many events, of how many stores, with which status, and
// whether the trail verifies.
func (t *Timeline) summary() string {
	c := t.Counts
	s := fmt.Sprintf("%s in %s from %s to %s: %d verified, %d chain-only, %d unverified.", counted(c.Events, "event"),
		counted(len(t.Stores), "store"), t.Since.Format(time.RFC3339), t.Until.Format(time.RFC3339), c.Verified,
		c.ChainOnly, c.Unverified)
	switch {
	case !t.TrailVerified:
		return s + " The trail does NOT verify: see Gaps."
	case t.PublicKey != "":
		return s + " The trail verifies: chain intact, every event signed by the given key " + t.PublicKey + "."
	}
	return s + " The trail's chain is intact; signatures were not checked (no --public-key)."
}

// utc is the time in UTC, as the timeline gives every time, unless that would take it out of the years
// 0000 to 9999, the only ones RFC 3339 can write: an edited line may hold a time at either end, which then
// keeps the offset the file gives it, so that the JSON form can still be written.
func utc(at time.Time) time.Time {
	if u := at.UTC(); u.Year() >= 0 && u.Year() <= 9999 {
		return u
	}
	return at
}

// counted writes a number of things, in the singular for one.
func counted(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// plain formats a value from the file for the JSON form, which escapes it.
func plain(s string) string { return s }

// who says who ran the change, from the event's caller and HCP Terraform run, each value formatted by v.
func who(e Event, v func(string) string) string {
	var parts []string
	switch {
	case e.CallerARN != "" && e.CallerAccount != "" && !strings.Contains(e.CallerARN, ":"+e.CallerAccount+":"):
		parts = append(parts, v(e.CallerARN)+" in account "+v(e.CallerAccount))
	case e.CallerARN != "":
		parts = append(parts, v(e.CallerARN))
	case e.CallerAccount != "":
		parts = append(parts, "account "+v(e.CallerAccount))
	}
	if e.TFCRunID != "" {
		parts = append(parts, "HCP Terraform run "+v(e.TFCRunID))
	}
	workspace := e.TFCWorkspaceName
	if e.TFCOrganization != "" && workspace != "" {
		workspace = e.TFCOrganization + "/" + workspace
	}
	switch {
	case workspace != "" && e.TFCWorkspaceID != "":
		parts = append(parts, "workspace "+v(workspace)+" ("+v(e.TFCWorkspaceID)+")")
	case workspace != "":
		parts = append(parts, "workspace "+v(workspace))
	case e.TFCWorkspaceID != "":
		parts = append(parts, "workspace "+v(e.TFCWorkspaceID))
	}
	if e.TFCOrganization != "" && e.TFCWorkspaceName == "" {
		parts = append(parts, "organisation "+v(e.TFCOrganization))
	}
	if e.TFCProject != "" {
		parts = append(parts, "project "+v(e.TFCProject))
	}
	if e.TFCGitCommitSHA != "" || e.TFCGitBranch != "" || e.TFCGitTag != "" {
		var git []string
		if e.TFCGitCommitSHA != "" {
			git = append(git, "commit "+v(e.TFCGitCommitSHA))
		}
		if e.TFCGitBranch != "" {
			git = append(git, "branch "+v(e.TFCGitBranch))
		}
		if e.TFCGitTag != "" {
			git = append(git, "tag "+v(e.TFCGitTag))
		}
		parts = append(parts, strings.Join(git, ", "))
	}
	if len(parts) == 0 {
		return "not recorded"
	}
	return strings.Join(parts, "; ")
}

// changed says what the event changed, each value from the file formatted by v.
func changed(e Event, v func(string) string) string {
	// n writes a count from the file and the noun it counts, in the singular for one.
	n := func(s, noun string) string {
		if s != "1" {
			noun += "s"
		}
		return count(s, v) + " " + noun
	}
	switch e.Action {
	case Create:
		return "created"
	case Delete:
		return "deleted"
	case Move:
		switch {
		case e.ResourceType == "gdpr_database":
			s := "data carried into the new database " + v(e.MovedTo)
			if e.Snapshots != "" {
				s += " through the snapshots " + list(e.Snapshots, v)
			}
			return s
		case e.MovedObjects != "" || e.MovedBytes != "":
			return n(e.MovedObjects, "object") + " (" + n(e.MovedBytes, "byte") + ") moved to " + v(e.MovedTo) +
				", each verified"
		}
		return "moved to " + v(e.MovedTo)
	case Erase:
		return n(e.ErasedVersions, "object version") + " (" + n(e.ErasedBytes, "byte") + ") and " +
			n(e.ErasedDeleteMarkers, "delete marker") + " erased"
	case Restore:
		return "restored to " + v(e.RestoredToTime) + ": " + n(e.RestoredKeys, "key") + " restored, " +
			n(e.HiddenKeys, "key") + " hidden behind a delete marker, " + n(e.UnchangedKeys, "key") + " already right"
	case Isolate:
		s := "isolated for incident " + v(e.IncidentID)
		if e.IsolationGroup != "" {
			s += " in the security group " + v(e.IsolationGroup)
		}
		if e.Stopped == "true" {
			s += ", stopped"
		}
		if e.Snapshots != "" {
			s += "; forensic snapshots " + list(e.Snapshots, v)
		} else {
			s += "; no forensic snapshot recorded"
		}
		return s
	}
	return "an action this version does not know: " + v(string(e.Action))
}

// count writes a count as it is when it is a decimal number, and formatted by v otherwise; an absent
// count is written as unknown.
func count(s string, v func(string) string) string {
	if s == "" {
		return "an unknown number of"
	}
	if len(s) <= 20 && strings.Trim(s, "0123456789") == "" {
		return s
	}
	return v(s)
}

// list formats the items of a comma-separated list one by one.
func list(s string, v func(string) string) string {
	items := strings.Split(s, ",")
	for i, item := range items {
		items[i] = v(item)
	}
	return strings.Join(items, ", ")
}
