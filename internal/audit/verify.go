package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
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
// webhook's copy for that.
func Verify(r io.Reader) (int, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	prev, n := "", 0
	for sc.Scan() {
		n++
		line := sc.Bytes()
		var e Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return n - 1, &BrokenLink{n, "not an audit event: " + err.Error()}
		}
		if !bytes.Equal(e.encode(), line) {
			return n - 1, &BrokenLink{n, "not in the exact form the provider writes: the line was edited"}
		}
		if e.Hash != e.computeHash() {
			return n - 1, &BrokenLink{n, "the hash does not match the line's content: the line was edited"}
		}
		if e.PrevHash != prev {
			if n == 1 {
				return 0, &BrokenLink{n, "prev_hash is set, but the first event of a file has none: lines were " +
					"removed from the start of the file"}
			}
			return n - 1, &BrokenLink{n, fmt.Sprintf("prev_hash does not match the hash of line %d: a line was "+
				"deleted, inserted or moved", n-1)}
		}
		prev = e.Hash
	}
	if err := sc.Err(); err != nil {
		return n, err
	}
	return n, nil
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

// Main runs the audit subcommand of the provider binary with the arguments after "audit" and returns the
// exit code: 0 for an intact trail, 1 for a broken one, 2 for a usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 || args[0] != "verify" {
		fmt.Fprintln(stderr, "usage: terraform-provider-gdpr audit verify FILE")
		return 2
	}
	n, err := VerifyFile(args[1])
	if err != nil {
		fmt.Fprintf(stderr, "BROKEN %s: %v\n", args[1], err)
		return 1
	}
	fmt.Fprintf(stdout, "OK %s: %d events, chain intact\n", args[1], n)
	return 0
}
