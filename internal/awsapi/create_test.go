package awsapi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// fakeCreates answers CreateKey and CreateBucket after a pause; arrived is closed when the first request
// comes in, so a test can interrupt the caller while the request is in flight.
func fakeCreates(t *testing.T, pause time.Duration) (c *Clients, requests *atomic.Int32, arrived <-chan struct{}) {
	t.Helper()
	isolate(t)
	requests = new(atomic.Int32)
	ch := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if requests.Add(1) == 1 {
			close(ch)
		}
		time.Sleep(pause)
		if r.Header.Get("X-Amz-Target") == "TrentService.CreateKey" {
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			_, _ = w.Write([]byte(`{"KeyMetadata":{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab",` +
				`"Arn":"arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","KeyState":"Enabled"}}`))
			return
		}
		w.WriteHeader(http.StatusOK) // CreateBucket answers with an empty body.
	}))
	t.Cleanup(srv.Close)
	c, err := New(context.Background(), Config{Region: "eu-central-1", AccessKey: "a", SecretKey: "b", MaxRetries: 0,
		S3UsePathStyle: true, Endpoints: Endpoints{KMS: srv.URL, S3: srv.URL}})
	if err != nil {
		t.Fatal(err)
	}
	return c, requests, ch
}

// creates are the calls that make something with an id AWS chooses or a name others could take.
var creates = map[string]func(context.Context, *Clients) error{
	"CreateKey": func(ctx context.Context, c *Clients) error {
		k, err := c.CreateKey(ctx, KeyInput{Description: "test"}, "test")
		if err == nil && k.ID != "1234abcd-12ab-34cd-56ef-1234567890ab" {
			return errors.New("CreateKey returned key " + k.ID)
		}
		return err
	},
	"CreateBucket": func(ctx context.Context, c *Clients) error {
		_, err := c.CreateBucket(ctx, "gdpr-interrupted", false, "test")
		return err
	},
}

// TestCreate_interruptedInFlightFinishes interrupts a create while its request is with AWS: the call must
// still return what it made, or the resource would exist with nobody knowing its id.
func TestCreate_interruptedInFlightFinishes(t *testing.T) {
	for name, create := range creates {
		t.Run(name, func(t *testing.T) {
			c, _, arrived := fakeCreates(t, 200*time.Millisecond)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				<-arrived
				cancel()
			}()
			if err := create(ctx, c); err != nil {
				t.Fatalf("%s interrupted in flight: %v, want it to finish", name, err)
			}
			if ctx.Err() == nil {
				t.Fatal("the interrupt never came; the test proves nothing")
			}
		})
	}
}

// TestCreate_interruptedBeforeStartDoesNothing interrupts before the create: no request may go out.
func TestCreate_interruptedBeforeStartDoesNothing(t *testing.T) {
	for name, create := range creates {
		t.Run(name, func(t *testing.T) {
			c, requests, _ := fakeCreates(t, 0)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := create(ctx, c); !errors.Is(err, context.Canceled) {
				t.Errorf("%s after the interrupt: %v, want context.Canceled", name, err)
			}
			if n := requests.Load(); n != 0 {
				t.Errorf("%s sent %d requests after the interrupt, want none", name, n)
			}
		})
	}
}
