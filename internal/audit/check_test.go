package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// appendEvents writes two events to a new file in dir and returns its path.
func appendEvents(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "audit.jsonl")
	f := NewFile(path)
	for i := range 2 {
		if _, err := f.Append(Event{Time: time.Unix(int64(i), 0), Action: Create, ResourceType: "gdpr_key", CloudID: "k"}); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// Check finds, before anything is written, every file the next event could not be appended to.
func TestFileCheck(t *testing.T) {
	dir := t.TempDir()
	intact := appendEvents(t, t.TempDir())
	torn := appendEvents(t, t.TempDir())
	data, _ := os.ReadFile(torn)
	if err := os.WriteFile(torn, data[:len(data)-20], 0o600); err != nil {
		t.Fatal(err)
	}
	noNewline := appendEvents(t, t.TempDir())
	data, _ = os.ReadFile(noNewline)
	if err := os.WriteFile(noNewline, data[:len(data)-1], 0o600); err != nil {
		t.Fatal(err)
	}
	notADir := filepath.Join(dir, "plain")
	if err := os.WriteFile(notADir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		path string
		want string // "" for no error
	}{
		"new file in an existing directory": {path: filepath.Join(dir, "new.jsonl")},
		"intact file":                       {path: intact},
		"last newline removed":              {path: noNewline},
		"missing directory":                 {path: filepath.Join(dir, "missing", "audit.jsonl"), want: "cannot be read"},
		"directory under a file":            {path: filepath.Join(notADir, "audit.jsonl"), want: "is not a directory"},
		"path is a directory":               {path: dir, want: "is a directory, not an audit file"},
		"torn last line":                    {path: torn, want: "not a complete audit event"},
	} {
		err := NewFile(tc.path).Check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: Check = %v, want nil", name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: Check = %v, want an error saying %q", name, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "new.jsonl")); err == nil {
		t.Error("Check created the file it checked")
	}
}

// An event appended after a last line that lost its newline gets a line of its own, and the trail verifies.
func TestFileAppend_afterAMissingNewline(t *testing.T) {
	path := appendEvents(t, t.TempDir())
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)-1], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := NewFile(path).Append(Event{Time: time.Unix(9, 0), Action: Delete, ResourceType: "gdpr_key", CloudID: "k"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := Verify(f); err != nil || n != 3 {
		t.Errorf("Verify = %d, %v; want 3 events intact", n, err)
	}
}

// Blank lines hold no event, at the end of a file (an editor's newline) or between events: verify passes
// over them, the plan's check and the append find the last event behind them, and a line blanked out still
// breaks the chain at the next event.
func TestFile_blankLinesAreNotTampering(t *testing.T) {
	for name, tail := range map[string]string{
		"a blank line at the end":             "\n",
		"blank lines at the end":              "\n\n\n",
		"spaces, a tab and a carriage return": " \t\r\n",
		"a blank line without its newline":    "  ",
	} {
		t.Run(name, func(t *testing.T) {
			path := appendEvents(t, t.TempDir())
			data, _ := os.ReadFile(path)
			if err := os.WriteFile(path, append(data, tail...), 0o600); err != nil {
				t.Fatal(err)
			}
			if n, err := VerifyFile(path); err != nil || n != 2 {
				t.Errorf("VerifyFile = %d, %v; want 2 events intact", n, err)
			}
			var out, errOut bytes.Buffer
			if code := Main([]string{"verify", path}, &out, &errOut); code != 0 || !strings.Contains(out.String(), "2 events, chain intact") {
				t.Errorf("audit verify: exit %d, %q %q; want 0 and 2 events", code, out.String(), errOut.String())
			}
			f := NewFile(path)
			if err := f.Check(); err != nil {
				t.Errorf("Check = %v, want nil", err)
			}
			// The next event follows the blank lines, which are now between events.
			if _, err := f.Append(Event{Time: time.Unix(9, 0), Action: Delete, ResourceType: "gdpr_key", CloudID: "k"}); err != nil {
				t.Fatal(err)
			}
			if n, err := VerifyFile(path); err != nil || n != 3 {
				t.Errorf("after an append, VerifyFile = %d, %v; want 3 events intact", n, err)
			}
		})
	}
	t.Run("a file of blank lines only", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "audit.jsonl")
		if err := os.WriteFile(path, []byte("\n\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if n, err := VerifyFile(path); err != nil || n != 0 {
			t.Errorf("VerifyFile = %d, %v; want no events", n, err)
		}
		if _, err := NewFile(path).Append(Event{Time: time.Unix(1, 0), Action: Create, ResourceType: "gdpr_key", CloudID: "k"}); err != nil {
			t.Fatal(err)
		}
		if n, err := VerifyFile(path); err != nil || n != 1 {
			t.Errorf("after an append, VerifyFile = %d, %v; want the first event, with no prev_hash", n, err)
		}
	})
}
