package planrules

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
)

// Limits bound the memory Evaluate uses, whatever the plan holds: the plan is read as a stream, no string is
// held longer than MaxStringBytes, and no value the rules decode whole is larger than MaxValueBytes. The zero
// value of each field means its default.
type Limits struct {
	// MaxValueBytes bounds one value the rules decode whole: one entry of resource_changes, or the plan's
	// configuration (default 8 MiB). A plan with a larger one is refused with a *LimitError.
	MaxValueBytes int64
	// MaxStringBytes bounds the strings the rules read (default 64 KiB). A longer string is read through
	// without being held and stands, for the rules, as a short text naming its length and SHA-256, so two
	// long values still compare equal exactly when their bytes are equal.
	MaxStringBytes int
	// MaxFindings bounds the findings a Result keeps (default 1000); Result.ByRule counts every finding.
	MaxFindings int
	// MaxPendingBytes bounds what waits for the plan's configuration, which Terraform writes after the
	// changes: the planned values of gdpr_* resources that stay, and the addresses of aws_* resources
	// without a region (default 32 MiB; a workspace of 10,000 gdpr_* resources holds about 5 MB).
	MaxPendingBytes int64
}

// Defaults of Limits.
const (
	DefaultMaxValueBytes   = 8 << 20
	DefaultMaxStringBytes  = 64 << 10
	DefaultMaxFindings     = 1000
	DefaultMaxPendingBytes = 32 << 20
	// maxNumberBytes bounds a number's characters: a plan's numbers are at most a few dozen long.
	maxNumberBytes = 256
)

func (l Limits) withDefaults() Limits {
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxStringBytes <= 0 {
		l.MaxStringBytes = DefaultMaxStringBytes
	}
	if l.MaxFindings <= 0 {
		l.MaxFindings = DefaultMaxFindings
	}
	if l.MaxPendingBytes <= 0 {
		l.MaxPendingBytes = DefaultMaxPendingBytes
	}
	return l
}

// LimitError reports a plan that one of the Limits refuses.
type LimitError struct {
	// What names the value, such as "resource change 12" or "the configuration".
	What  string
	Limit int64
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("%s is larger than %s, the most the rules hold at once", e.What, byteSize(e.Limit))
}

// byteSize writes n in MiB or KiB when it is a whole number of them.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

var (
	errValueTooLarge = errors.New("value too large")
	errNumberTooLong = fmt.Errorf("a number of more than %d characters", maxNumberBytes)
)

// window hands the decoder no more bytes than MaxValueBytes past the decoder's position: the bytes the
// decoder holds are those it has read and not yet consumed, so a value it must hold whole (one Decode, or
// one token) can never grow past the limit, however large the plan.
type window struct {
	r    io.Reader
	dec  *json.Decoder
	read int64
	max  int64
}

func (w *window) Read(p []byte) (int, error) {
	held := w.read - w.dec.InputOffset()
	if held >= w.max {
		return 0, errValueTooLarge
	}
	if room := w.max - held; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := w.r.Read(p)
	w.read += int64(n)
	return n, err
}

// lexer states of stringBound.
const (
	outside = iota
	inString
	inEscape
	inNumber
)

// stringBound passes a JSON document through, token by token at the byte level, so that no token is held
// whole by what reads it: a string longer than max is replaced by a stand-in naming its length and SHA-256,
// a run of whitespace between tokens becomes one space, and a number longer than maxNumberBytes is an error.
// The document means the same to the rules, and its memory is that of max bytes, whatever one value holds.
type stringBound struct {
	r     io.Reader
	max   int
	chunk []byte
	out   bytes.Buffer
	err   error

	state   int
	space   bool
	number  int
	held    []byte
	length  int64
	overrun hash.Hash
}

func newStringBound(r io.Reader, limit int) *stringBound {
	return &stringBound{r: r, max: limit, chunk: make([]byte, 32<<10), held: make([]byte, 0, 1024)}
}

func (b *stringBound) Read(p []byte) (int, error) {
	for b.out.Len() == 0 && b.err == nil {
		n, err := b.r.Read(b.chunk)
		if perr := b.process(b.chunk[:n]); perr != nil {
			err = perr
		}
		if err != nil {
			b.err = err
		}
	}
	if b.out.Len() > 0 {
		return b.out.Read(p)
	}
	return 0, b.err
}

func (b *stringBound) process(in []byte) error {
	for i := 0; i < len(in); {
		switch b.state {
		case inString:
			// Take the run of ordinary characters at once; only a quote or a backslash changes the state.
			j := bytes.IndexAny(in[i:], `"\`)
			if j < 0 {
				b.keep(in[i:])
				return nil
			}
			b.keep(in[i : i+j])
			i += j
			if in[i] == '\\' {
				b.keep(in[i : i+1])
				b.state = inEscape
			} else {
				b.closeString()
				b.state = outside
			}
			i++
		case inEscape:
			b.keep(in[i : i+1])
			b.state = inString
			i++
		case inNumber:
			c := in[i]
			if (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-' {
				b.number++
				if b.number > maxNumberBytes {
					return errNumberTooLong
				}
				b.out.WriteByte(c)
				i++
				continue
			}
			b.state = outside
		default:
			c := in[i]
			i++
			switch {
			case c == ' ' || c == '\t' || c == '\n' || c == '\r':
				if !b.space {
					b.out.WriteByte(' ')
				}
				b.space = true
				continue
			case c == '"':
				b.state, b.held, b.length, b.overrun = inString, b.held[:0], 0, nil
			case c == '-' || (c >= '0' && c <= '9'):
				b.state, b.number = inNumber, 1
				b.out.WriteByte(c)
			default:
				b.out.WriteByte(c)
			}
			b.space = false
		}
	}
	return nil
}

// keep adds bytes of the current string: held while the string is within max, hashed once it is not.
func (b *stringBound) keep(p []byte) {
	b.length += int64(len(p))
	if b.overrun != nil {
		b.overrun.Write(p)
		return
	}
	if len(b.held)+len(p) <= b.max {
		b.held = append(b.held, p...)
		return
	}
	b.overrun = sha256.New()
	b.overrun.Write(b.held)
	b.overrun.Write(p)
	b.held = b.held[:0]
}

func (b *stringBound) closeString() {
	b.out.WriteByte('"')
	if b.overrun == nil {
		b.out.Write(b.held)
	} else {
		fmt.Fprintf(&b.out, "[a string of %d bytes, not held; sha256:%x]", b.length, b.overrun.Sum(nil))
	}
	b.out.WriteByte('"')
	if cap(b.held) > 64<<10 {
		// A long string grew the buffer; do not keep that much for the short ones that follow.
		b.held = make([]byte, 0, 1024)
	}
}
