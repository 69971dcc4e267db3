package audit

import (
	"context"
	"fmt"
	"sync"
)

// Trail records events in the configured sinks: a file, a webhook, or both.
type Trail struct {
	file    *File
	webhook *Webhook
	// Without a file the chain links the events of one provider process, so a receiver can still tell
	// whether it missed one.
	mu   sync.Mutex
	last string
}

// NewTrail returns a trail writing to a file at path and POSTing to webhookURL; either may be empty.
func NewTrail(path, webhookURL, secret string, r Retry) *Trail {
	t := &Trail{}
	if path != "" {
		t.file = NewFile(path)
	}
	if webhookURL != "" {
		t.webhook = NewWebhook(webhookURL, secret, r)
	}
	return t
}

// SinkError is a sink that did not take an event: Sink is "file" or "webhook".
type SinkError struct {
	Sink string
	Err  error
}

func (e *SinkError) Error() string { return e.Err.Error() }
func (e *SinkError) Unwrap() error { return e.Err }

// Check tells why the trail could not record an event, before anything is changed: a file sink that cannot
// take one. A webhook is only known to fail when it is called.
func (t *Trail) Check() error {
	if t.file == nil {
		return nil
	}
	return t.file.Check()
}

// HasFile reports whether the trail writes to a file.
func (t *Trail) HasFile() bool { return t.file != nil }

// HasWebhook reports whether the trail delivers to a webhook.
func (t *Trail) HasWebhook() bool { return t.webhook != nil }

// Record chains and stores the event. The returned errors are for warnings: a failed sink does not undo
// what was done in the cloud, and the other sink still has the event.
func (t *Trail) Record(ctx context.Context, e Event) (Event, []error) {
	var errs []error
	inFile := false
	if t.file != nil {
		chained, err := t.file.Append(e)
		if err != nil {
			errs = append(errs, &SinkError{"file", fmt.Errorf("appending to the audit file %s: %w", t.file.Path(), err)})
		} else {
			e, inFile = chained, true
		}
	}
	if !inFile {
		t.mu.Lock()
		e = e.chain(t.last)
		t.last = e.Hash
		t.mu.Unlock()
	}
	if t.webhook != nil {
		if err := t.webhook.Send(ctx, e); err != nil {
			errs = append(errs, &SinkError{"webhook", fmt.Errorf("delivering to the audit webhook: %w", err)})
		}
	}
	return e, errs
}
