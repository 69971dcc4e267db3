package audit

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
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
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	given := ""
	if pub != nil {
		given = Fingerprint(pub)
	}
	var s Summary
	// prevLine is the line of the event before, which blank lines may separate from this one.
	prev, n, prevLine := "", 0, 0
	// unsigned is the first event the key does not verify, and summary what was intact before it.
	var unsigned *BrokenLink
	var summary Summary
	broken := func(reason string) (Summary, error) {
		if unsigned != nil {
			return summary, unsigned
		}
		return s, &BrokenLink{Line: n, Reason: reason}
	}
	for sc.Scan() {
		n++
		line := sc.Bytes()
		if blank(line) {
			continue
		}
		var e Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return broken("not an audit event: " + err.Error())
		}
		if !bytes.Equal(e.encode(), line) {
			return broken("not in the exact form the provider writes: the line was edited")
		}
		if e.Hash != e.computeHash() {
			return broken("the hash does not match the line's content: the line was edited")
		}
		if e.PrevHash != prev {
			if s.Events == 0 {
				return broken("prev_hash is set, but the first event of a file has none: lines were removed " +
					"from the start of the file")
			}
			return broken(fmt.Sprintf("prev_hash does not match the hash of line %d: a line was deleted, "+
				"inserted or moved", prevLine))
		}
		if e.Sig == "" && e.KeyFingerprint != "" {
			return broken("the event names the signing key " + e.KeyFingerprint + " but carries no signature: " +
				"the provider never writes such a line, so it was edited")
		}
		if pub != nil {
			if reason := signatureProblem(e, pub, given); reason != "" {
				if unsigned == nil {
					unsigned, summary = &BrokenLink{Line: n, Reason: reason}, s
				}
				unsigned.Unverified = append(unsigned.Unverified, Unverified{Line: n, Key: e.KeyFingerprint, Signed: e.Sig != ""})
			}
		}
		if e.Sig != "" {
			s.Signed++
			if e.KeyFingerprint != "" && !slices.Contains(s.Keys, e.KeyFingerprint) {
				s.Keys = append(s.Keys, e.KeyFingerprint)
			}
		}
		s.Events++
		prev, prevLine = e.Hash, n
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		n++
		return broken("longer than 16 MiB: not an audit event")
	} else if err != nil {
		return s, err
	}
	if unsigned != nil {
		return summary, unsigned
	}
	return s, nil
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
