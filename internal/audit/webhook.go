package audit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// The headers of a webhook delivery.
const (
	// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body under the webhook secret.
	SignatureHeader = "X-GDPR-Signature"
	// IdempotencyHeader carries the event's hash: a receiver that has seen it already has the event.
	IdempotencyHeader = "Idempotency-Key"
)

// Webhook POSTs events as JSON, retrying with exponential backoff what may succeed later: connection
// errors, 408, 429 and 5xx other than 501. Any other status outside 2xx fails at once, redirects included:
// following one would turn the POST into a body-less GET, or deliver the event to an address nobody chose.
type Webhook struct {
	url    string
	secret []byte
	client *retryablehttp.Client
}

// Retry bounds of a webhook: a delivery gives up after RetryMax retries, waiting WaitMin doubling up to
// WaitMax between them, or what the server asks for with Retry-After, never more than WaitMax.
type Retry struct {
	RetryMax         int
	WaitMin, WaitMax time.Duration
	// Timeout bounds each attempt.
	Timeout time.Duration
	// Cooldown is how long, after a failed delivery, a trail with an outbox queues new events without
	// trying the webhook again.
	Cooldown time.Duration
}

// DefaultRetry keeps a failing webhook from holding an apply for more than about a minute per event, and
// for more than one round of retries a minute when its events wait in an outbox.
var DefaultRetry = Retry{RetryMax: 3, WaitMin: time.Second, WaitMax: 10 * time.Second, Timeout: 10 * time.Second,
	Cooldown: time.Minute}

// NewWebhook returns a sink that POSTs to url, signing with secret when it is not empty.
func NewWebhook(url, secret string, r Retry) *Webhook {
	c := retryablehttp.NewClient()
	c.RetryMax = r.RetryMax
	c.RetryWaitMin, c.RetryWaitMax = r.WaitMin, r.WaitMax
	c.HTTPClient.Timeout = r.Timeout
	c.Logger = nil
	// DefaultBackoff honours Retry-After on 429 and 503 but without a bound; an apply must not hang on it.
	c.Backoff = func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		return min(retryablehttp.DefaultBackoff(minWait, maxWait, attempt, resp), maxWait)
	}
	c.HTTPClient.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.CheckRetry = retryPolicy
	c.ErrorHandler = deliveryError
	return &Webhook{url: url, secret: []byte(secret), client: c}
}

// retryPolicy is retryablehttp's, retrying a 408 too, and ending with an error at any other answer outside
// 2xx, so that deliveryError learns how many attempts were made.
func retryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, err := retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
	switch {
	case retry || err != nil || resp == nil:
		return retry, err
	case resp.StatusCode == http.StatusRequestTimeout:
		return true, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return false, errors.New(resp.Status)
	}
	return false, nil
}

// deliveryError turns the end of a failed delivery into a message naming the last answer and the attempts.
func deliveryError(resp *http.Response, err error, attempts int) (*http.Response, error) {
	tries := fmt.Sprintf("%d attempts", attempts)
	if attempts == 1 {
		tries = "1 attempt"
	}
	if resp == nil {
		return nil, fmt.Errorf("the webhook could not be reached after %s: %w. Check that webhook_url is "+
			"right and that the receiver is up and reachable from where Terraform runs", tries, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, fmt.Errorf("the webhook answered %s, redirecting to %q, after %s. The provider does not "+
			"follow redirects, so the event was not delivered; set webhook_url to the address that accepts "+
			"the POST", resp.Status, resp.Header.Get("Location"), tries)
	}
	return nil, fmt.Errorf("the webhook answered %s after %s. Check webhook_url, webhook_secret and the "+
		"receiver's log", resp.Status, tries)
}

// Sign returns the signature header value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Send delivers one event, retrying until the server accepts it with a 2xx status or the retries run out.
func (w *Webhook) Send(ctx context.Context, e Event) error {
	body := e.encode()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, w.url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, e.Hash)
	if len(w.secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(w.secret, body))
	}
	// retryPolicy ends every answer outside 2xx in deliveryError; the status check below only keeps a
	// change there from turning a failure into a silent success.
	resp, err := w.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the webhook answered %s. Check webhook_url and the receiver's log", resp.Status)
	}
	return nil
}
