package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"slices"
)

// BrokenLink is the first line at which a trail stops being a valid chain, or, with a public key, the
// first event that key does not verify.
type BrokenLink struct {
	Line   int
	Reason string
	// Unverified are the events the public key does not verify, from Line on, up to the end of the file
	// or the first break in the chain: when keys were swapped, every line signed by another key is named
	// with its key, not only the first.
	Unverified []Unverified
}

// Unverified is an event a public key does not verify: Key is the key the event names ("" when it names
// none), Signed whether it carries a signature at all.
type Unverified struct {
	Line   int
	Key    string
	Signed bool
}

func (b *BrokenLink) Error() string { return fmt.Sprintf("line %d: %s", b.Line, b.Reason) }

// Verify reads a trail and returns how many events it holds, or the first broken link. Every line must be
// an event exactly as the provider writes it, hash its own content, and name the hash of the event before
// (none for the first event). Blank lines hold no event and are passed over wherever they are: the chain
// links events, so a blank line cannot hide, add or reorder one. Verify cannot tell that lines were cut off
// the end: compare the count with the webhook's copy for that. Signatures are not checked; VerifySigned
// checks them.
func Verify(r io.Reader) (int, error) {
	s, err := VerifySigned(r, nil)
	return s.Events, err
}

// Summary is what a verification found in an intact trail.
type Summary struct {
	// Events is the number of events; Signed how many of them carry a signature.
	Events, Signed int
	// Keys are the fingerprints of the keys the signed events name, each once, in the order they first
	// appear; signed events written before events named their key add none.
	Keys []string
}

// VerifySigned verifies the chain as Verify does and, with a public key, requires every event to carry a
// signature of its hash by that key: an unsigned event, a signature that does not verify and a signature
// by another key are each a broken link, whose reason names the key the event names; the chain is followed
// on past such an event, so that the broken link lists every event the key does not verify. Without a key,
// signatures are counted but not checked. On a broken link the summary counts the intact events before it.
func VerifySigned(r io.Reader, pub ed25519.PublicKey) (Summary, error) {
	var s Summary
	// unsigned is the first event the key does not verify, and summary what was intact before it.
	var unsigned *BrokenLink
	var summary Summary
	var broken *BrokenLink
	err := checkLines(r, pub, func(c lineCheck) bool {
		if c.broken != "" {
			broken = &BrokenLink{Line: c.line, Reason: c.broken}
			return false
		}
		if c.unsigned != "" {
			if unsigned == nil {
				unsigned, summary = &BrokenLink{Line: c.line, Reason: c.unsigned}, s
			}
			unsigned.Unverified = append(unsigned.Unverified, Unverified{Line: c.line, Key: c.event.KeyFingerprint, Signed: c.event.Sig != ""})
		}
		if c.event.Sig != "" {
			s.Signed++
			if c.event.KeyFingerprint != "" && !slices.Contains(s.Keys, c.event.KeyFingerprint) {
				s.Keys = append(s.Keys, c.event.KeyFingerprint)
			}
		}
		s.Events++
		return true
	})
	switch {
	case unsigned != nil && (broken != nil || err == nil):
		return summary, unsigned
	case broken != nil:
		return s, broken
	}
	return s, err
}

// maxLine is the longest line an audit file may hold; an event is a few hundred bytes.
const maxLine = 16 * 1024 * 1024

// lineCheck is what verification found at one line of a trail that is not blank.
type lineCheck struct {
	line int
	// event is the line's event when the line decodes as one, even one that was edited; isEvent says so.
	event   Event
	isEvent bool
	// broken says why the chain breaks at this line; after is the line of the break an event follows.
	broken string
	after  int
	// unsigned says why the given public key does not verify the event, whose chain is intact.
	unsigned string
}

// checkLines reads a trail and calls fn with what verification finds at each line that is not blank, in
// order, until fn returns false. Every line must be an event exactly as the provider writes it, hash its
// own content, and name the hash of the event before (none for the first event); with a public key, it
// must carry a signature of its hash by that key. After the first break in the chain, the lines are still
// read, so that what they claim can be shown, but none is checked: only the chain could vouch for them.
// Blank lines hold no event and are passed over wherever they are: the chain links events, so a blank line
// cannot hide, add or reorder one. A line longer than maxLine is not an event, and the lines after it are
// read on.
func checkLines(r io.Reader, pub ed25519.PublicKey, fn func(lineCheck) bool) error {
	split := &lineSplitter{max: maxLine}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	sc.Split(split.split)
	given := ""
	if pub != nil {
		given = Fingerprint(pub)
	}
	// prevLine is the line of the event before, which blank lines may separate from this one; events
	// counts the events of the intact chain, and brokenAt is the line where it broke.
	prev, n, prevLine, events, brokenAt := "", 0, 0, 0, 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		overlong := split.overlong
		split.overlong = false
		if !overlong && blank(line) {
			continue
		}
		c := lineCheck{line: n}
		if overlong {
			c.broken = "longer than 16 MiB: not an audit event"
		} else {
			c.event, c.isEvent, c.broken = decodeLine(line)
		}
		switch {
		case brokenAt > 0:
			c.broken, c.after = "", brokenAt
		case c.broken != "":
		case c.event.Hash != c.event.computeHash():
			c.broken = "the hash does not match the line's content: the line was edited"
		case c.event.PrevHash != prev && events == 0:
			c.broken = "prev_hash is set, but the first event of a file has none: lines were removed from " +
				"the start of the file"
		case c.event.PrevHash != prev:
			c.broken = fmt.Sprintf("prev_hash does not match the hash of line %d: a line was deleted, "+
				"inserted or moved", prevLine)
		case c.event.Sig == "" && c.event.KeyFingerprint != "":
			c.broken = "the event names the signing key " + c.event.KeyFingerprint + " but carries no " +
				"signature: the provider never writes such a line, so it was edited"
		case pub != nil:
			c.unsigned = signatureProblem(c.event, pub, given)
		}
		if c.broken != "" {
			brokenAt = n
		} else if c.after == 0 {
			events++
			prev, prevLine = c.event.Hash, n
		}
		if !fn(c) {
			return nil
		}
	}
	return sc.Err()
}

// decodeLine reads an event from a line and says why the line is not one exactly as the provider writes
// it; an event that decodes but was edited is returned with the reason.
func decodeLine(line []byte) (e Event, isEvent bool, problem string) {
	// The decoder takes null for an empty event, which the timeline would show as one.
	if !bytes.HasPrefix(bytes.TrimLeft(line, " \t\r"), []byte("{")) {
		return Event{}, false, "not an audit event: the line is not a JSON object"
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Event{}, false, "not an audit event: " + err.Error()
	}
	if !bytes.Equal(e.encode(), line) {
		return e, true, "not in the exact form the provider writes: the line was edited"
	}
	return e, true, ""
}

// lineSplitter splits lines as bufio.ScanLines does, but passes over a line longer than max instead of
// stopping the scan: it returns an empty token for it with overlong set, and the lines after it follow.
type lineSplitter struct {
	max      int
	skipping bool
	overlong bool
}

func (s *lineSplitter) split(data []byte, atEOF bool) (int, []byte, error) {
	if s.skipping {
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			s.skipping, s.overlong = false, true
			return i + 1, []byte{}, nil
		}
		if atEOF {
			s.skipping, s.overlong = false, true
			return len(data), []byte{}, nil
		}
		return len(data), nil, nil
	}
	advance, token, err := bufio.ScanLines(data, atEOF)
	if advance == 0 && token == nil && err == nil && len(data) >= s.max {
		s.skipping = true
		return len(data), nil, nil
	}
	return advance, token, err
}

// signatureProblem says why e is not signed by pub, whose fingerprint is given, naming the key e names;
// "" when it is.
func signatureProblem(e Event, pub ed25519.PublicKey, given string) string {
	valid := e.Sig != "" && verifySig(pub, e.Hash, e.Sig)
	switch {
	case e.Sig == "":
		return "the event is not signed, but every event must be signed by the given public key " + given +
			": it was written without the signing key, or added by someone who does not hold it"
	case valid && e.KeyFingerprint != "" && e.KeyFingerprint != given:
		return "the signature verifies with the given public key " + given + ", but the event names the key " +
			e.KeyFingerprint + ": the line was made to mislead"
	case valid:
		return ""
	case e.KeyFingerprint == given:
		return "the signature does not verify with the given public key " + given + ", the key the event " +
			"names: the event was forged or changed"
	case e.KeyFingerprint != "":
		return "the event was signed with another key, " + e.KeyFingerprint + ", not the given public key " +
			given + ": verify with the public key of " + e.KeyFingerprint + ", or the event was forged"
	}
	return "the signature does not verify with the given public key " + given + ": the event was forged, " +
		"or signed with another key (the event does not name its key: it was written before events named " +
		"the key that signed them)"
}

// VerifyFile verifies the trail in the file at path.
func VerifyFile(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return Verify(f)
}
