package audit

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"os"
	"sync"
	"time"
)

// Trail records events in the configured sinks: a file, a webhook, or both. With both, the file is the
// record and the webhook its copy: events the webhook did not accept wait in the outbox next to the file
// and are delivered, oldest first, before the next event.
type Trail struct {
	file    *File
	outbox  outbox
	webhook *Webhook
	key     ed25519.PrivateKey
	// Without a file the chain links the events of one provider process, so a receiver can still tell
	// whether it missed one.
	mu   sync.Mutex
	last string

	// After a failed delivery, the events of the next cooldown join the outbox without trying the webhook,
	// so that a receiver that is down costs one round of retries, not one per resource of a parallel apply
	// (deliveries are made one at a time, in order, while the file is held).
	cooldown   time.Duration
	breaker    sync.Mutex
	retryAfter time.Time
	lastErr    error
}

// Option configures a Trail.
type Option func(*Trail)

// WithSigningKey signs every event with key: the event's sig is the ed25519 signature of its hash.
func WithSigningKey(key ed25519.PrivateKey) Option { return func(t *Trail) { t.key = key } }

// NewTrail returns a trail writing to a file at path and POSTing to webhookURL; either may be empty.
func NewTrail(path, webhookURL, secret string, r Retry, opts ...Option) *Trail {
	t := &Trail{cooldown: r.Cooldown}
	if webhookURL != "" {
		t.webhook = NewWebhook(webhookURL, secret, r)
	}
	for _, o := range opts {
		o(t)
	}
	if path != "" {
		t.file = &File{path: path, key: t.key}
		t.outbox = outbox{path + OutboxSuffix}
	}
	return t
}

// SinkError is a sink that did not take an event: Sink is "file" or "webhook". Queued names the outbox
// when a webhook's event waits there, behind Pending-1 older ones, to be delivered by a later Record.
type SinkError struct {
	Sink    string
	Queued  string
	Pending int
	Err     error
}

func (e *SinkError) Error() string { return e.Err.Error() }
func (e *SinkError) Unwrap() error { return e.Err }

// Check tells why the trail could not record an event, before anything is changed: a file sink that cannot
// take one, or, with a webhook too, an outbox that could not queue one. A webhook is only known to fail
// when it is called.
func (t *Trail) Check() error {
	if t.file == nil {
		return nil
	}
	if err := t.file.Check(); err != nil {
		return err
	}
	if t.webhook != nil {
		return t.outbox.check()
	}
	return nil
}

// HasFile reports whether the trail writes to a file.
func (t *Trail) HasFile() bool { return t.file != nil }

// HasWebhook reports whether the trail delivers to a webhook.
func (t *Trail) HasWebhook() bool { return t.webhook != nil }

// Record chains and stores the event. The returned errors are for warnings: a failed sink does not undo
// what was done in the cloud, and the other sink, or the outbox, may still have the event.
func (t *Trail) Record(ctx context.Context, e Event) (Event, []error) {
	if t.file == nil {
		e = t.chainInMemory(e)
		if err := t.webhook.Send(ctx, e); err != nil {
			return e, []error{&SinkError{Sink: "webhook", Err: fmt.Errorf("delivering to the audit webhook: %w", err)}}
		}
		return e, nil
	}
	var errs []error
	var appendErr error
	inFile, held := false, false
	lockErr := t.file.locked(func(f *os.File) error {
		held = true
		chained, err := t.file.appendTo(f, e)
		if err != nil {
			appendErr = err
			if t.webhook != nil {
				e = t.chainInMemory(e)
				errs = append(errs, t.deliverUnfiled(ctx, e, true))
			}
			return nil
		}
		e, inFile = chained, true
		if t.webhook != nil {
			errs = append(errs, t.deliverFiled(ctx, e))
		}
		return nil
	})
	if !held {
		appendErr = lockErr
		if t.webhook != nil {
			e = t.chainInMemory(e)
			errs = append(errs, t.deliverUnfiled(ctx, e, false))
		}
	}
	if !inFile {
		if t.webhook == nil {
			e = t.chainInMemory(e)
		}
		errs = append([]error{&SinkError{Sink: "file", Err: fmt.Errorf("appending to the audit file %s: %w", t.file.Path(), appendErr)}}, errs...)
	}
	var out []error
	for _, err := range errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return e, out
}

// chainInMemory links the event after the last one this process chained in memory, and signs it.
func (t *Trail) chainInMemory(e Event) Event {
	t.mu.Lock()
	defer t.mu.Unlock()
	e = e.sealed(t.last, t.key)
	t.last = e.Hash
	return e
}

// deliverFiled delivers the outbox's events, oldest first, then e, which was just appended to the file the
// caller holds; what the webhook does not accept stays in, or joins, the outbox, in order. The returned
// error is about e: a *SinkError that says whether e is queued.
func (t *Trail) deliverFiled(ctx context.Context, e Event) error {
	pending, err := t.outbox.read()
	if err != nil {
		return &SinkError{Sink: "webhook", Err: fmt.Errorf("the event was neither delivered to the webhook nor "+
			"queued for it: %w", err)}
	}
	queue := append(pending, e)
	sent, sendErr := t.sendInOrder(ctx, queue)
	if sent == len(queue) {
		// An outbox that cannot be removed is delivered again later; the Idempotency-Key tells the
		// receiver it has those events already, so nothing is lost and nothing needs saying here.
		_ = t.outbox.write(nil)
		return nil
	}
	if err := t.outbox.write(queue[sent:]); err != nil {
		return &SinkError{Sink: "webhook", Err: fmt.Errorf("delivering to the audit webhook: %w; and the event "+
			"could not be queued for a later delivery either, because the outbox %s could not be written: %v",
			sendErr, t.outbox.path, err)}
	}
	return &SinkError{Sink: "webhook", Queued: t.outbox.path, Pending: len(queue) - sent,
		Err: fmt.Errorf("delivering to the audit webhook: %w", sendErr)}
}

// deliverUnfiled delivers an event that the file could not take. It has no place in the file's chain or
// its outbox, so it is sent at once, but only after the events that wait in the outbox: a new event is
// never delivered ahead of older ones. Only a caller that holds the file (held) may drain the outbox; an
// outbox that cannot be read does not stop the delivery, since the event is nowhere else.
func (t *Trail) deliverUnfiled(ctx context.Context, e Event, held bool) error {
	pending, err := t.outbox.read()
	if err == nil && len(pending) > 0 && !held {
		return &SinkError{Sink: "webhook", Err: fmt.Errorf("not delivered to the audit webhook, because %d "+
			"older events wait in the outbox %s, which cannot be drained while the audit file cannot be locked",
			len(pending), t.outbox.path)}
	}
	if err == nil && len(pending) > 0 {
		sent, sendErr := t.sendInOrder(ctx, pending)
		if sent > 0 {
			_ = t.outbox.write(pending[sent:])
		}
		if sent < len(pending) {
			return &SinkError{Sink: "webhook", Err: fmt.Errorf("not delivered to the audit webhook, because %d "+
				"older events wait in the outbox %s and the webhook did not take them: %w",
				len(pending)-sent, t.outbox.path, sendErr)}
		}
	}
	if _, err := t.sendInOrder(ctx, []Event{e}); err != nil {
		return &SinkError{Sink: "webhook", Err: fmt.Errorf("delivering to the audit webhook: %w", err)}
	}
	return nil
}

// sendInOrder sends the events one by one, stopping at the first the webhook does not accept, and returns
// how many it accepted. Within the cooldown after a failure it sends nothing.
func (t *Trail) sendInOrder(ctx context.Context, events []Event) (int, error) {
	t.breaker.Lock()
	retryAfter, lastErr := t.retryAfter, t.lastErr
	t.breaker.Unlock()
	if now := time.Now(); now.Before(retryAfter) {
		return 0, fmt.Errorf("not tried, because a delivery failed %s ago in this run (it is tried again from "+
			"%s): %w", now.Sub(retryAfter.Add(-t.cooldown)).Round(time.Second), retryAfter.UTC().Format(time.RFC3339), lastErr)
	}
	for i, e := range events {
		if err := t.webhook.Send(ctx, e); err != nil {
			t.breaker.Lock()
			t.retryAfter, t.lastErr = time.Now().Add(t.cooldown), err
			t.breaker.Unlock()
			return i, err
		}
	}
	return len(events), nil
}
