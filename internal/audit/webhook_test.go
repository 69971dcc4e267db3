package audit

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// countingServer answers every request with status and header, and counts the requests.
func countingServer(t *testing.T, status int, header http.Header) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	requests := &atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		for k, v := range header {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(srv.Close)
	return srv, requests
}

func TestWebhook_redirectIsAFailedDelivery(t *testing.T) {
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			target, targetRequests := countingServer(t, http.StatusOK, nil)
			location := target.URL + "/elsewhere"
			srv, requests := countingServer(t, status, http.Header{"Location": {location}})
			err := NewWebhook(srv.URL, "", fast).Send(context.Background(), event(1).chain(""))
			if err == nil {
				t.Fatalf("a %d redirect counted as a delivery; the target got %d requests", status, targetRequests.Load())
			}
			for _, want := range []string{http.StatusText(status), location, "1 attempt"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %q", err, want)
				}
			}
			if n := targetRequests.Load(); n != 0 {
				t.Errorf("the redirect target got %d requests, want none", n)
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("the webhook got %d requests, want 1: a redirect is not retried", n)
			}
		})
	}
}

func TestWebhook_retriesOnlyWhatCanSucceedLater(t *testing.T) {
	for _, tc := range []struct {
		status   int
		requests int32
		attempts string
	}{
		{http.StatusBadRequest, 1, "1 attempt"},
		{http.StatusUnauthorized, 1, "1 attempt"},
		{http.StatusNotFound, 1, "1 attempt"},
		{http.StatusRequestTimeout, 4, "4 attempts"},
		{http.StatusTooManyRequests, 4, "4 attempts"},
		{http.StatusInternalServerError, 4, "4 attempts"},
		{http.StatusServiceUnavailable, 4, "4 attempts"},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv, requests := countingServer(t, tc.status, nil)
			err := NewWebhook(srv.URL, "", fast).Send(context.Background(), event(1).chain(""))
			if n := requests.Load(); n != tc.requests {
				t.Errorf("the webhook got %d requests, want %d", n, tc.requests)
			}
			if err == nil || !strings.Contains(err.Error(), http.StatusText(tc.status)) ||
				!strings.Contains(err.Error(), tc.attempts) {
				t.Errorf("error %v, want one naming %q and %q", err, http.StatusText(tc.status), tc.attempts)
			}
		})
	}
}

func TestWebhook_unreachableSaysHowManyAttempts(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more: every attempt is a connection error
	err := NewWebhook(url, "", fast).Send(context.Background(), event(1).chain(""))
	if err == nil || !strings.Contains(err.Error(), "4 attempts") {
		t.Errorf("error %v, want one saying 4 attempts were made", err)
	}
}
