package awsapi

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"golang.org/x/sync/errgroup"
)

// concurrently runs independent reads of one resource at once and waits for them all. The first error
// cancels the others and is returned, with one exception: when any read found the resource gone, that
// not-found error is returned, so callers tell a missing resource from a failed read whichever read
// answered first. Each read must write only its own fields of the result.
func concurrently(ctx context.Context, reads ...func(context.Context) error) error {
	g, ctx := errgroup.WithContext(ctx)
	errs := make([]error, len(reads))
	for i, read := range reads {
		g.Go(func() error {
			errs[i] = read(ctx)
			return errs[i]
		})
	}
	err := g.Wait()
	for _, e := range errs {
		if IsNotFound(e) {
			return e
		}
	}
	return err
}

// boundedEach calls f for each item, at most eight at a time, and returns the first error.
func boundedEach[T any](ctx context.Context, items []T, f func(context.Context, T) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for _, it := range items {
		g.Go(func() error { return f(ctx, it) })
	}
	return g.Wait()
}

// listConcurrency is how many resources a listing reads at once. Each read is a handful of small requests,
// so the bound is what the endpoint accepts without throttling, and it also bounds the memory a listing
// holds: the resources being read, never the whole account.
const listConcurrency = 16

// ItemError is the failure to read one listed resource; the listing goes on past it. Any other error a
// listing yields ends it.
type ItemError struct {
	// ID is the resource that could not be read: a bucket name, key id or instance id.
	ID  string
	Err error
}

func (e *ItemError) Error() string { return fmt.Sprintf("reading %s: %v", e.ID, e.Err) }
func (e *ItemError) Unwrap() error { return e.Err }

// readAhead reads each item of items with read, at most limit at once, and yields the results in the order
// of items as soon as each is ready, so the first results arrive while the rest are read. A read that
// returns ok false is skipped (the resource belongs elsewhere or vanished). An error of items ends the
// sequence; a read's error is yielded as an *ItemError naming id(item), and the sequence goes on. Stopping
// the iteration cancels the reads in flight.
func readAhead[T, R any](ctx context.Context, items iter.Seq2[T, error], limit int, id func(T) string,
	read func(context.Context, T) (r R, ok bool, err error)) iter.Seq2[R, error] {
	return func(yield func(R, error) bool) {
		ctx, cancel := context.WithCancel(ctx)
		type pending struct {
			done chan struct{}
			r    R
			ok   bool
			err  error
		}
		// The queue holds the reads in order; its capacity is how many run ahead of the one yielded next.
		queue := make(chan *pending, limit)
		var reads sync.WaitGroup
		go func() {
			defer close(queue)
			for item, err := range items {
				p := &pending{done: make(chan struct{})}
				if err != nil {
					p.err = err
					close(p.done)
				}
				select {
				case queue <- p:
				case <-ctx.Done():
					return
				}
				if err != nil {
					return
				}
				reads.Add(1)
				go func() {
					defer reads.Done()
					defer close(p.done)
					p.r, p.ok, p.err = read(ctx, item)
					if p.err != nil {
						p.err = &ItemError{ID: id(item), Err: p.err}
					}
				}()
			}
		}()
		defer func() {
			cancel()
			for range queue { //nolint:revive // draining lets the producer end
			}
			reads.Wait()
		}()
		for p := range queue {
			<-p.done
			if p.err == nil && !p.ok {
				continue
			}
			var zero R
			if p.err != nil {
				if !yield(zero, p.err) {
					return
				}
				var item *ItemError
				if !errors.As(p.err, &item) {
					return
				}
				continue
			}
			if !yield(p.r, nil) {
				return
			}
		}
	}
}
