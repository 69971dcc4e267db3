package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// validTrail is a chain of three events as the provider writes it.
func validTrail() []byte {
	var buf bytes.Buffer
	prev := ""
	for i, action := range []Action{Create, Create, Delete} {
		e := Event{Time: time.Date(2026, 11, 25, 6, 0, i, 0, time.UTC), Action: action, ResourceType: "gdpr_key",
			CloudID: "1234abcd", Region: "eu-central-1", Jurisdiction: "EU"}.chain(prev)
		buf.Write(e.encode())
		buf.WriteByte('\n')
		prev = e.Hash
	}
	return buf.Bytes()
}

// FuzzVerify feeds the audit trail parser arbitrary files, and mutations of a valid one. It must never
// panic; it must accept the valid trail; and whenever it accepts a file, every line that is not blank must
// be an event in the exact form the provider writes, chained to the event before, and a signature may only
// come with the key it names, which the test checks on its own.
func FuzzVerify(f *testing.F) {
	valid := validTrail()
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte("{}\n"))
	f.Add(bytes.Replace(valid, []byte("gdpr_key"), []byte("gdpr_bucket"), 1))
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(strings.Repeat("x", 70000)))
	f.Add(append(bytes.Replace(valid, []byte("\n"), []byte("\n \r\n"), 1), "\n\n"...))
	signed := Event{Time: time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC), Action: Create, ResourceType: "gdpr_key",
		CloudID: "1234abcd"}.sealed("", seedKey())
	f.Add(append(signed.encode(), '\n'))
	if n, err := Verify(bytes.NewReader(valid)); err != nil || n != 3 {
		f.Fatalf("the valid trail does not verify: %d events, %v", n, err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Verify(bytes.NewReader(data))
		var broken *BrokenLink
		if err != nil && !errors.As(err, &broken) && !errors.Is(err, bytes.ErrTooLarge) && !strings.Contains(err.Error(), "token too long") {
			t.Fatalf("unexpected kind of error: %v", err)
		}
		if err != nil {
			return
		}
		// Lines as a line reader splits them: on newlines, without a carriage return before one.
		var lines [][]byte
		for line := range bytes.Lines(data) {
			line = bytes.TrimSuffix(bytes.TrimSuffix(line, []byte("\n")), []byte("\r"))
			if len(bytes.Trim(line, " \t\r")) > 0 {
				lines = append(lines, line)
			}
		}
		if n != len(lines) {
			t.Fatalf("accepted %d events in a file of %d lines that are not blank", n, len(lines))
		}
		prev := ""
		for i, line := range lines {
			// An independent check: recomputing the chain over the parsed events must give back the file.
			e, perr := parseEvent(line)
			if perr != nil {
				t.Fatalf("event %d was accepted but does not parse: %v", i+1, perr)
			}
			sig := e.Sig
			rehashed := e.chain(prev)
			rehashed.Sig = sig
			if e.PrevHash != prev || !bytes.Equal(rehashed.encode(), line) {
				t.Fatalf("event %d was accepted but is not chained to the one before", i+1)
			}
			if e.KeyFingerprint != "" && e.Sig == "" {
				t.Fatalf("event %d names a key but carries no signature, and was accepted", i+1)
			}
			prev = e.Hash
		}
	})
}

func parseEvent(line []byte) (Event, error) {
	var e Event
	err := json.Unmarshal(line, &e)
	return e, err
}
