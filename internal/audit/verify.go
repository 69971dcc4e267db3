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
)

// BrokenLink is the first line at which a trail stops being a valid chain.
type BrokenLink struct {
	Line   int
	Reason string
}

func (b *BrokenLink) Error() string { return fmt.Sprintf("line %d: %s", b.Line, b.Reason) }

// Verify reads a trail and returns how many events it holds, or the first broken link. Every line must be
// an event exactly as the provider writes it, hash its own content, and name the hash of the line before
// (none on the first line). It cannot tell that lines were cut off the end: compare the count with the
// webhook's copy for that. Signatures are not checked; VerifySigned checks them.
func Verify(r io.Reader) (int, error) {
	s, err := VerifySigned(r, nil)
	return s.Events, err
}

// Summary is what a verification found in an intact trail.
type Summary struct {
	// Events is the number of events; Signed how many of them carry a signature.
	Events, Signed int
}

// VerifySigned verifies the chain as Verify does and, with a public key, requires every line to carry a
// signature of its hash by that key: an unsigned line, a signature that does not verify and a signature by
// another key are each a broken link. Without a key, signatures are counted but not checked. On a broken
// link the summary counts the intact lines before it.
func VerifySigned(r io.Reader, pub ed25519.PublicKey) (Summary, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	prev, n, signed := "", 0, 0
	broken := func(reason string) (Summary, error) {
		return Summary{Events: n - 1, Signed: signed}, &BrokenLink{n, reason}
	}
	for sc.Scan() {
		n++
		line := sc.Bytes()
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
			if n == 1 {
				return broken("prev_hash is set, but the first event of a file has none: lines were removed " +
					"from the start of the file")
			}
			return broken(fmt.Sprintf("prev_hash does not match the hash of line %d: a line was deleted, "+
				"inserted or moved", n-1))
		}
		if pub != nil {
			switch {
			case e.Sig == "":
				return broken("the event is not signed, but every event must be signed by the given public " +
					"key: it was written without the signing key, or added by someone who does not hold it")
			case !verifySig(pub, e.Hash, e.Sig):
				return broken("the signature does not verify with the given public key: the event was " +
					"forged, or signed with another key")
			}
		}
		if e.Sig != "" {
			signed++
		}
		prev = e.Hash
	}
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return Summary{Events: n, Signed: signed}, &BrokenLink{n + 1, "longer than 16 MiB: not an audit event"}
	} else if err != nil {
		return Summary{Events: n, Signed: signed}, err
	}
	return Summary{Events: n, Signed: signed}, nil
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
