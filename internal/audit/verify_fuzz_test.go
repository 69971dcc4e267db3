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
// panic; it must accept the valid trail; and whenever it accepts a file, every line it counted must be an
// event in the exact form the provider writes, chained to the line before, which the test checks on its own.
func FuzzVerify(f *testing.F) {
	valid := validTrail()
	f.Add(valid)
	f.Add([]byte{})
	f.Add([]byte("{}\n"))
	f.Add(bytes.Replace(valid, []byte("gdpr_key"), []byte("gdpr_bucket"), 1))
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(strings.Repeat("x", 70000)))
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
		lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
		if len(data) == 0 {
			lines = nil
		}
		if n != len(lines) {
			t.Fatalf("accepted %d events in a file of %d lines", n, len(lines))
		}
		prev := ""
		for i, line := range lines {
			// An independent check: recomputing the chain over the parsed events must give back the file.
			e, perr := parseEvent(line)
			if perr != nil {
				t.Fatalf("line %d was accepted but does not parse: %v", i+1, perr)
			}
			if e.PrevHash != prev || !bytes.Equal(e.chain(prev).encode(), line) {
				t.Fatalf("line %d was accepted but is not chained to the one before", i+1)
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
