package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// OutboxSuffix is added to the audit file's path to name its outbox.
const OutboxSuffix = ".outbox"

// outbox holds the events of the audit file that the webhook has not accepted yet, oldest first, one JSON
// line each, exactly as the file holds them. Every event in it is also in the file: the outbox only
// remembers what is still owed to the receiver. It is read and replaced only while its audit file is
// locked (File.locked), so the processes sharing a file agree on what is pending and in which order.
type outbox struct{ path string }

// read returns the pending events; a missing outbox has none. A line that is not a complete event (a write
// cut short by a crash on a file system without atomic renames, or an edit) stops the delivery: sending the
// lines around it would break the order the receiver relies on.
func (o outbox) read() ([]Event, error) {
	b, err := os.ReadFile(o.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the outbox %s: %w", o.path, err)
	}
	var events []Event
	for i, line := range bytes.Split(b, []byte{'\n'}) {
		if len(line) == 0 {
			continue
		}
		var e Event
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil || e.Hash == "" || e.Hash != e.computeHash() {
			return nil, fmt.Errorf("line %d of the outbox %s is not a complete audit event (a write cut short, "+
				"or an edit), so the events queued for the webhook cannot be delivered in order. Every event "+
				"in the outbox is also in the audit file: remove the damaged line, deliver its event from the "+
				"audit file by hand, and run again", i+1, o.path)
		}
		events = append(events, e)
	}
	return events, nil
}

// write replaces the outbox with events; with none it removes it. The new content goes to a temporary file
// that is renamed over the outbox, so a crash leaves the old outbox or the new one, never a torn line.
func (o outbox) write(events []Event) error {
	if len(events) == 0 {
		if err := os.Remove(o.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	var buf bytes.Buffer
	for _, e := range events {
		buf.Write(e.encode())
		buf.WriteByte('\n')
	}
	dir := filepath.Dir(o.path)
	tmp, err := os.CreateTemp(dir, filepath.Base(o.path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), o.path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp.Name()))
	}
	// The rename is durable once the directory is synced; where directories cannot be synced, the file
	// system orders it on its own.
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}

// check tells, without writing anything, why the outbox could not take an event: the directory does not
// let a new outbox be renamed into it, the path is a directory, or a line is not a complete event.
func (o outbox) check() error {
	info, err := os.Stat(o.path)
	switch {
	case err == nil && info.IsDir():
		return fmt.Errorf("%s, the outbox of the audit file, is a directory", o.path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("the outbox %s cannot be read: %w", o.path, err)
	}
	if err := writable(filepath.Dir(o.path)); err != nil {
		return fmt.Errorf("the outbox %s cannot be written, because its directory does not let files be "+
			"created in it: %w", o.path, err)
	}
	_, err = o.read()
	return err
}

// DeliverOutbox delivers the events in the outbox at outboxPath through w, oldest first, holding the audit
// file next to it as the provider does, and keeps in the outbox those the webhook did not accept. It
// returns how many were delivered and how many are left.
func DeliverOutbox(ctx context.Context, outboxPath string, w *Webhook) (delivered, left int, err error) {
	auditPath, ok := strings.CutSuffix(outboxPath, OutboxSuffix)
	if !ok || auditPath == "" {
		return 0, 0, fmt.Errorf("%s does not end in %s: name the outbox next to the audit file", outboxPath, OutboxSuffix)
	}
	if _, err := os.Stat(outboxPath); err != nil {
		return 0, 0, err
	}
	if _, err := os.Stat(auditPath); err != nil {
		return 0, 0, fmt.Errorf("the audit file of the outbox: %w", err)
	}
	o := outbox{outboxPath}
	err = NewFile(auditPath).locked(func(*os.File) error {
		pending, err := o.read()
		if err != nil {
			return err
		}
		var sendErr error
		for delivered < len(pending) {
			if sendErr = w.Send(ctx, pending[delivered]); sendErr != nil {
				break
			}
			delivered++
		}
		left = len(pending) - delivered
		if delivered > 0 {
			if err := o.write(pending[delivered:]); err != nil {
				return fmt.Errorf("%d events were delivered, but the outbox could not be updated, so they will "+
					"be delivered again (with the same Idempotency-Key): %w", delivered, err)
			}
		}
		return sendErr
	})
	return delivered, left, err
}
