package audit

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// File appends events to a JSON lines file. Terraform runs one provider process per command and applies
// in parallel inside it, and several commands may share a file: a mutex orders the goroutines and an
// exclusive file lock orders the processes, so reading the last hash and appending the next line are one
// step. Earlier lines are never rewritten.
type File struct {
	path string
	// key signs every event; nil leaves them unsigned. A file is signed by one key, or by none, from its
	// first line to its last, so the file refuses an event signed otherwise than its last.
	key ed25519.PrivateKey
	mu  sync.Mutex
}

// NewFile returns a sink for the file at path, which is created on first use; its events are unsigned.
func NewFile(path string) *File { return &File{path: path} }

// Path is the file's path.
func (f *File) Path() string { return f.path }

// Append chains the event after the file's last line, writes it, and returns it with its hashes.
func (f *File) Append(e Event) (Event, error) {
	var out Event
	err := f.locked(func(file *os.File) error {
		var err error
		out, err = f.appendTo(file, e)
		return err
	})
	if err != nil {
		return e, err
	}
	return out, nil
}

// locked runs fn with the file open for appending and held: the mutex against the provider's other
// goroutines, the exclusive file lock against other processes. The outbox is read and written only inside
// it too, so the order of lines in the file is the order in which their deliveries are attempted.
func (f *File) locked(fn func(*os.File) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := lock(file); err != nil {
		return fmt.Errorf("locking %s: %w", f.path, err)
	}
	defer unlock(file)
	return fn(file)
}

// appendTo chains the event after the last line of file, which the caller holds, signs it with the file's
// key when there is one, and writes it. It refuses to follow an event that was signed otherwise.
func (f *File) appendTo(file *os.File, e Event) (Event, error) {
	last, err := lastLine(file)
	if err != nil {
		return e, fmt.Errorf("reading the last event of %s: %w", f.path, err)
	}
	prev := ""
	if len(last) > 0 {
		var before Event
		if err := json.Unmarshal(last, &before); err != nil || before.Hash == "" {
			return e, fmt.Errorf("the last line of %s is not an audit event, so the chain cannot be extended; "+
				"run terraform-provider-gdpr audit verify %s", f.path, f.path)
		}
		if err := checkSigner(f.path, before, f.key); err != nil {
			return e, err
		}
		prev = before.Hash
	}
	e = e.sealed(prev, f.key)
	line := append(e.encode(), '\n')
	if !endsWithNewline(file) {
		// The last line is complete but lost its newline (an editor, a copy): end it first, so the new
		// event gets a line of its own instead of being glued onto it.
		line = append([]byte{'\n'}, line...)
	}
	if _, err := file.Write(line); err != nil {
		return e, err
	}
	return e, file.Sync()
}

// endsWithNewline reports whether the file's last byte is a newline; an empty file counts as ending one.
func endsWithNewline(f *os.File) bool {
	info, err := f.Stat()
	if err != nil || info.Size() == 0 {
		return true
	}
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, info.Size()-1); err != nil {
		return true
	}
	return b[0] == '\n'
}

// Check tells, without writing anything, why the file could not take the next event: its directory is
// missing, the path is a directory, the file cannot be opened for appending, or its last line is not a
// complete event (a write torn by a crash, say), or it was signed otherwise than the file signs (a
// *SignerError). Nil means Append should succeed.
func (f *File) Check() error {
	info, err := os.Stat(f.path)
	switch {
	case errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR):
		dir := filepath.Dir(f.path)
		d, err := os.Stat(dir)
		if err != nil {
			return fmt.Errorf("the directory %s of the audit file cannot be read: %w", dir, err)
		}
		if !d.IsDir() {
			return fmt.Errorf("%s, where the audit file would go, is not a directory", dir)
		}
		return nil
	case err != nil:
		return err
	case info.IsDir():
		return fmt.Errorf("%s is a directory, not an audit file", f.path)
	}
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_APPEND, 0)
	if err != nil {
		return fmt.Errorf("the audit file cannot be opened for appending: %w", err)
	}
	defer file.Close()
	last, err := lastLine(file)
	if err != nil {
		return fmt.Errorf("reading the last event of %s: %w", f.path, err)
	}
	if len(last) == 0 {
		return nil
	}
	var before Event
	if err := json.Unmarshal(last, &before); err != nil || before.Hash == "" || before.computeHash() != before.Hash {
		return fmt.Errorf("the last line of %s is not a complete audit event (a write cut short, or an edit), so "+
			"the chain cannot be extended", f.path)
	}
	return checkSigner(f.path, before, f.key)
}

// lastLine returns the last line of the file that is not blank (see blank), as written but without its
// newline; nil for a file of blank lines only, or an empty one.
func lastLine(f *os.File) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := info.Size()
	chunk := int64(4096)
	for {
		start := max(size-chunk, 0)
		buf := make([]byte, size-start)
		if _, err := f.ReadAt(buf, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		// Blank lines hold no event: the last line is the last one with anything else in it.
		trimmed := bytes.TrimRight(buf, blankBytes+"\n")
		i := bytes.LastIndexByte(trimmed, '\n')
		if i >= 0 || start == 0 {
			if len(trimmed) == 0 {
				return nil, nil
			}
			line := buf[i+1:]
			if end := bytes.IndexByte(line, '\n'); end >= 0 {
				line = line[:end]
			}
			return line, nil
		}
		chunk *= 2
	}
}

// blankBytes are the bytes a blank line may hold: a line of nothing else carries no event, whatever an
// editor put there.
const blankBytes = " \t\r"

// blank reports whether the line holds nothing but blankBytes.
func blank(line []byte) bool { return len(bytes.Trim(line, blankBytes)) == 0 }
