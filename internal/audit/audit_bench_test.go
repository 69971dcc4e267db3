package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFileAppend measures recording one event in the audit file, which every create and delete does:
// open, lock, read the last line, write and sync. The file grows by one line per iteration, which the
// provider reads from its end, so its size should not matter.
func BenchmarkFileAppend(b *testing.B) {
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	f := NewFile(path)
	first, err := f.Append(event(0))
	if err != nil || first.Hash == "" || first.PrevHash != "" {
		b.Fatalf("Append = %+v, %v; want the first event of a chain", first, err)
	}
	b.ReportAllocs()
	i := 1
	for b.Loop() {
		if _, err := f.Append(event(i)); err != nil {
			b.Fatal(err)
		}
		i++
	}
	b.StopTimer()
	if n, err := VerifyFile(path); err != nil || n != i {
		b.Fatalf("VerifyFile = %d, %v; want %d events and an intact chain", n, err, i)
	}
}

// BenchmarkTrailRecord measures a trail with neither file nor webhook, which only chains the event in
// memory: the cost the audit adds to an apply before any I/O.
func BenchmarkTrailRecord(b *testing.B) {
	ctx := b.Context()
	tr := NewTrail("", "", "", Retry{})
	e, errs := tr.Record(ctx, event(0))
	if len(errs) != 0 || e.Hash == "" {
		b.Fatalf("Record = %+v, %v; want a chained event and no errors", e, errs)
	}
	b.ReportAllocs()
	for b.Loop() {
		e, _ = tr.Record(ctx, event(1))
	}
	if e.Hash == "" || e.PrevHash == "" {
		b.Fatalf("Record in the loop = %+v, want it chained", e)
	}
}

// benchTrailEvents is the length of the trail BenchmarkVerifyFile checks.
const benchTrailEvents = 1000

// BenchmarkVerifyFile measures terraform-provider-gdpr audit verify on a trail of benchTrailEvents events.
// The trail is chained in memory and written once, because appending it line by line would sync the file
// a thousand times before the benchmark starts.
func BenchmarkVerifyFile(b *testing.B) {
	var buf bytes.Buffer
	prev := ""
	for i := range benchTrailEvents {
		e := event(i).chain(prev)
		buf.Write(e.encode())
		buf.WriteByte('\n')
		prev = e.Hash
	}
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	if n, err := VerifyFile(path); err != nil || n != benchTrailEvents {
		b.Fatalf("VerifyFile = %d, %v; want %d events and an intact chain", n, err, benchTrailEvents)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := VerifyFile(path); err != nil {
			b.Fatal(err)
		}
	}
}
