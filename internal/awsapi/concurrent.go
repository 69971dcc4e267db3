package awsapi

import (
	"context"

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
