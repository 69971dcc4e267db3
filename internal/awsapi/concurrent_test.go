package awsapi

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/smithy-go"
)

func TestConcurrently(t *testing.T) {
	ctx := context.Background()
	notFound := &smithy.GenericAPIError{Code: "NoSuchBucket"}
	denied := &smithy.GenericAPIError{Code: "AccessDenied"}

	t.Run("every read runs", func(t *testing.T) {
		var a, b, c bool
		err := concurrently(ctx,
			func(context.Context) error { a = true; return nil },
			func(context.Context) error { b = true; return nil },
			func(context.Context) error { c = true; return nil })
		if err != nil || !a || !b || !c {
			t.Errorf("err = %v, ran = %v %v %v", err, a, b, c)
		}
	})
	t.Run("the first error cancels the rest", func(t *testing.T) {
		err := concurrently(ctx,
			func(context.Context) error { return denied },
			func(ctx context.Context) error {
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(10 * time.Second):
					return errors.New("not cancelled")
				}
			})
		if !errors.Is(err, denied) {
			t.Errorf("err = %v, want the access denied error", err)
		}
	})
	t.Run("not found wins over an earlier error", func(t *testing.T) {
		err := concurrently(ctx,
			func(context.Context) error { return denied },
			func(ctx context.Context) error { time.Sleep(50 * time.Millisecond); return notFound })
		if !IsNotFound(err) {
			t.Errorf("err = %v, want the not-found error", err)
		}
	})
}
