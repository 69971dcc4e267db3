package audit

import (
	"bufio"
	"bytes"
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
	if err := sc.Err(); errors.Is(err, bufio.ErrTooLong) {
		return n, &BrokenLink{n + 1, "longer than 16 MiB: not an audit event"}
	} else if err != nil {
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

// Usage describes the audit subcommand; the provider binary's --help prints it too.
const Usage = `usage: terraform-provider-gdpr audit verify FILE

Checks the hash chain of the audit trail in FILE, as written by the audit block of the provider.
Exit code: 0 for an intact trail (an empty file is one, with no events), 1 for a broken one,
2 when FILE cannot be read or the command is not used as above.
`

// Main runs the audit subcommand of the provider binary with the arguments after "audit" and returns the
// exit code: 0 for an intact trail, empty or not, 1 for a broken one, 2 for a file it cannot read and a
// usage error.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, Usage)
		return 0
	}
	if len(args) != 2 || args[0] != "verify" {
		fmt.Fprint(stderr, Usage)
		return 2
	}
	path := args[1]
	n, err := VerifyFile(path)
	var broken *BrokenLink
	switch {
	case errors.As(err, &broken):
		fmt.Fprintf(stderr, "BROKEN %s: %v\n", path, err)
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "ERROR cannot read %s: %v. Check that the path names the audit file and that it "+
			"is readable; nothing was verified.\n", path, err)
		return 2
	case n == 0:
		fmt.Fprintf(stdout, "OK %s: no events, the file is empty. If the provider should have recorded "+
			"some, check that the path of its audit block names this file.\n", path)
		return 0
	}
	fmt.Fprintf(stdout, "OK %s: %d events, chain intact\n", path, n)
	return 0
}
