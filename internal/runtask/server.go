// Package runtask is an HCP Terraform and Terraform Enterprise run task that checks every plan, whatever its
// providers, against the gdpr provider's rules (internal/planrules): HCP Terraform POSTs a signed request
// after the plan, the server answers at once, fetches the plan's JSON, evaluates it and PATCHes the result
// to the callback URL, as the run task integration API describes.
package runtask

import (
	"context"
	"crypto/hmac"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/planrules"
)

// Options configure a Server. Zero values take the defaults named on each field.
type Options struct {
	// HMACKey is the run task's HMAC key; New refuses an empty one, since an unsigned request could
	// make the server fetch and report on any URL with any token.
	HMACKey []byte
	// Rules are the allowed jurisdictions, maximum retention and personal-data tag key.
	Rules planrules.Config
	// Concurrency bounds the evaluations that run at once (default 4).
	Concurrency int
	// Queue bounds the accepted requests that wait for an evaluation (default 64); past it the server
	// answers 503, and HCP Terraform sends the request again later.
	Queue int
	// MaxRequestBytes bounds a request's body (default 1 MiB; HCP Terraform's are a few KiB).
	MaxRequestBytes int64
	// MaxPlanBytes bounds the plan's JSON (default DefaultMaxPlanBytes), which is read as a stream; what
	// the server holds of it is bounded by Rules.Limits, not by this size.
	MaxPlanBytes int64
	// Deadline bounds one request from its acceptance to the delivery of its result (default 9 minutes:
	// HCP Terraform fails a task result that has had no update for 10 minutes, and the server sends a
	// running update as soon as it accepts a request).
	Deadline time.Duration
	// FetchTimeout bounds the plan's download and evaluation, also counted from the acceptance (default
	// five ninths of Deadline: 5 minutes), so that the rest of Deadline is left to deliver the result.
	FetchTimeout time.Duration
	// RetryMax, RetryWaitMin and RetryWaitMax govern the retries of the plan download and the callbacks
	// (defaults 5, 1s and 30s), AttemptTimeout each attempt (default 2 minutes).
	RetryMax       int
	RetryWaitMin   time.Duration
	RetryWaitMax   time.Duration
	AttemptTimeout time.Duration
	// Transport is the HTTP transport for the plan download and the callback (default: a clone of
	// http.DefaultTransport); tests set one that trusts their CA.
	Transport http.RoundTripper
	// Logger receives one line per request and per result, never an access token or a plan's values.
	Logger *slog.Logger
}

// Server is the run task's HTTP handler and the pool that evaluates the plans it accepts.
type Server struct {
	opts Options
	// client fetches plans, following HCP Terraform's redirect to its archivist; callbacks follows no
	// redirect, since one turns the PATCH into a GET that delivers nothing.
	client    *retryablehttp.Client
	callbacks *retryablehttp.Client
	log       *slog.Logger
	jobs      chan job
	wg        sync.WaitGroup

	mu     sync.Mutex
	closed bool
	// seen remembers the task results accepted lately, so that HCP Terraform's retry of a request whose
	// 200 it did not receive does not evaluate the plan twice.
	seen     map[string]time.Time
	seenList []string
}

const seenCapacity = 4096

// DefaultMaxPlanBytes is the default bound of a plan's JSON. terraform show -json writes about 1.9 KB
// per created hashicorp/aws resource (a plan of 1,000 buckets, keys, instances and roles made with the
// real CLI: 1.9 MB), about 2.9 KB per resource once prior state and before values are added, so a
// workspace of 10,000 resources plans 20 to 30 MB; 256 MiB leaves room for ten times that, and is read in
// 10 to 15 seconds. What the server holds of a plan is bounded by Rules.Limits, not by this size.
const DefaultMaxPlanBytes = 256 << 20

// job is one accepted request. The deadlines count from accepted, not from when a worker takes the job,
// and the result waits for running, closed once the running update has been sent or given up, so that it
// never overtakes that update.
type job struct {
	req      Request
	accepted time.Time
	running  chan struct{}
}

// New starts a server's workers; Close stops them.
func New(opts Options) (*Server, error) {
	if len(opts.HMACKey) == 0 {
		return nil, errors.New("the run task needs an HMAC key: HCP Terraform signs its requests with the key set on the run task, and the server refuses to run unsigned")
	}
	setDefault(&opts.Concurrency, 4)
	setDefault(&opts.Queue, 64)
	setDefault(&opts.MaxRequestBytes, 1<<20)
	setDefault(&opts.MaxPlanBytes, DefaultMaxPlanBytes)
	setDefault(&opts.Deadline, 9*time.Minute)
	setDefault(&opts.FetchTimeout, opts.Deadline*5/9)
	if opts.FetchTimeout >= opts.Deadline {
		return nil, fmt.Errorf("the fetch timeout (%s) must be shorter than the deadline (%s), which must leave time to deliver the result", opts.FetchTimeout, opts.Deadline)
	}
	setDefault(&opts.RetryMax, 5)
	setDefault(&opts.RetryWaitMin, time.Second)
	setDefault(&opts.RetryWaitMax, 30*time.Second)
	setDefault(&opts.AttemptTimeout, 2*time.Minute)
	if opts.Transport == nil {
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			opts.Transport = t.Clone()
		} else {
			opts.Transport = http.DefaultTransport
		}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	opts.Rules = opts.Rules.WithDefaults()
	s := &Server{
		opts:      opts,
		client:    newClient(opts),
		callbacks: newCallbackClient(opts),
		log:       opts.Logger,
		jobs:      make(chan job, opts.Queue),
		seen:      map[string]time.Time{},
	}
	for range opts.Concurrency {
		s.wg.Add(1)
		go s.work()
	}
	return s, nil
}

func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// newClient is the retrying client for HCP Terraform's API: bounded retries with exponential backoff on
// connection errors, 429 and 5xx, a timeout per attempt, and redirects that drop the bearer token when they
// leave the origin. HCP Terraform answers the plan download with a 307 to its archivist; net/http would
// forward the Authorization header to another port of the same host, so the client decides itself.
func newClient(opts Options) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil // retryablehttp logs every URL it retries; the server logs what it needs itself.
	c.RetryMax = opts.RetryMax
	c.RetryWaitMin = opts.RetryWaitMin
	c.RetryWaitMax = opts.RetryWaitMax
	c.HTTPClient = &http.Client{
		Transport: opts.Transport,
		Timeout:   opts.AttemptTimeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("stopped after 5 redirects")
			}
			origin := via[0].URL
			if req.URL.Scheme != origin.Scheme || req.URL.Host != origin.Host {
				req.Header.Del("Authorization")
			}
			return nil
		},
	}
	return c
}

// newCallbackClient is the retrying client for the callbacks. A redirect is not followed: net/http would
// turn the PATCH into a body-less GET, which HCP Terraform answers without taking any result, so a 3xx is
// a failed delivery, retried like a 5xx within the deadline, and reported as such when the retries end.
func newCallbackClient(opts Options) *retryablehttp.Client {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = opts.RetryMax
	c.RetryWaitMin = opts.RetryWaitMin
	c.RetryWaitMax = opts.RetryWaitMax
	c.HTTPClient = &http.Client{
		Transport:     opts.Transport,
		Timeout:       opts.AttemptTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.CheckRetry = callbackRetryPolicy
	c.ErrorHandler = callbackError
	return c
}

// callbackRetryPolicy is retryablehttp's, retrying a redirect too, and ending with an error at any other
// answer outside 2xx, so that callbackError names the last answer and the attempts.
func callbackRetryPolicy(ctx context.Context, resp *http.Response, err error) (bool, error) {
	retry, err := retryablehttp.ErrorPropagatedRetryPolicy(ctx, resp, err)
	switch {
	case retry || err != nil || resp == nil:
		return retry, err
	case resp.StatusCode >= 300 && resp.StatusCode <= 399:
		return true, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return false, errors.New(resp.Status)
	}
	return false, nil
}

// callbackError turns the end of a failed delivery into an error naming the last answer and the attempts.
func callbackError(resp *http.Response, err error, attempts int) (*http.Response, error) {
	if resp == nil {
		return nil, fmt.Errorf("HCP Terraform could not be reached after %s: %w", plural(attempts, "attempt"), err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return nil, fmt.Errorf("HCP Terraform answered the callback with %s, a redirect, after %s; a redirected "+
			"PATCH delivers nothing, so the result was not delivered", resp.Status, plural(attempts, "attempt"))
	}
	return nil, fmt.Errorf("HCP Terraform answered the callback with %s after %s", resp.Status, plural(attempts, "attempt"))
}

// Close stops accepting work and waits for the evaluations under way, or until ctx ends.
func (s *Server) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.jobs)
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ServeHTTP takes a run task request: it checks the signature before anything else, answers HCP Terraform's
// verification request, and queues the evaluation, answering 200 at once; HCP Terraform then waits for the
// callback.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "run task requests are POSTs", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxRequestBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.log.Warn("run task request refused: body too large", "limit_bytes", s.opts.MaxRequestBytes)
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read the request body", http.StatusBadRequest)
		return
	}
	if status, why := s.verify(r.Header.Get(signatureHeader), body); status != 0 {
		s.log.Warn("run task request refused", "reason", why, "remote", r.RemoteAddr)
		http.Error(w, why, status)
		return
	}
	var req Request
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, "the body is not a run task request", http.StatusBadRequest)
		return
	}
	if req.PayloadVersion != 1 {
		http.Error(w, fmt.Sprintf("payload_version %d is not supported; this run task reads version 1", req.PayloadVersion), http.StatusBadRequest)
		return
	}
	log := s.requestLogger(req)
	if req.IsVerification() {
		log.Info("run task verification request answered")
		w.WriteHeader(http.StatusOK)
		return
	}
	if req.AccessToken == "" || req.TaskResultCallbackURL == "" {
		http.Error(w, "access_token and task_result_callback_url are required", http.StatusBadRequest)
		return
	}
	j := job{req: req, accepted: time.Now(), running: make(chan struct{})}
	switch s.enqueue(j) {
	case enqueued:
		log.Info("run task request accepted", "stage", req.Stage, "enforcement_level", req.TaskResultEnforcementLevel, "speculative", req.IsSpeculative)
		w.WriteHeader(http.StatusOK)
		// The running update goes out at once, not when a worker is free: it tells HCP Terraform the
		// task has started and restarts its 10-minute wait for an update.
		go s.sendRunning(j, log)
	case duplicate:
		log.Info("run task request already accepted; not evaluated again")
		w.WriteHeader(http.StatusOK)
	case full:
		log.Warn("run task request refused: the queue is full", "queue", s.opts.Queue)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "too many plans waiting for evaluation; try again later", http.StatusServiceUnavailable)
	case closing:
		http.Error(w, "the run task server is shutting down", http.StatusServiceUnavailable)
	}
}

// verify checks the X-TFC-Task-Signature header, the hex HMAC-SHA512 of the raw body, in constant time.
// It returns 401 for a missing signature and 403 for a wrong one, with the reason, or 0.
func (s *Server) verify(header string, body []byte) (int, string) {
	if header == "" {
		return http.StatusUnauthorized, "missing " + signatureHeader + " header: set an HMAC key on the run task"
	}
	got, err := hex.DecodeString(header)
	if err != nil {
		return http.StatusForbidden, "the " + signatureHeader + " header is not hex"
	}
	mac := hmac.New(sha512.New, s.opts.HMACKey)
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), got) {
		return http.StatusForbidden, "the " + signatureHeader + " header does not match the body: the HMAC keys of the run task and of this server differ, or the body was changed"
	}
	return 0, ""
}

type enqueueResult int

const (
	enqueued enqueueResult = iota
	duplicate
	full
	closing
)

func (s *Server) enqueue(j job) enqueueResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	req := j.req
	if s.closed {
		return closing
	}
	if _, ok := s.seen[req.TaskResultID]; ok && req.TaskResultID != "" {
		return duplicate
	}
	select {
	case s.jobs <- j:
		// Counted here, under the lock that Close takes, so that Close waits for the running update too.
		s.wg.Add(1)
	default:
		return full
	}
	if req.TaskResultID != "" {
		s.seen[req.TaskResultID] = time.Now()
		s.seenList = append(s.seenList, req.TaskResultID)
		if len(s.seenList) > seenCapacity {
			delete(s.seen, s.seenList[0])
			s.seenList = s.seenList[1:]
		}
	}
	return enqueued
}

// requestLogger names the run in every line; the access token and the URLs that carry ids only are the
// request's secrets and stay out.
func (s *Server) requestLogger(req Request) *slog.Logger {
	return s.log.With("run_id", req.RunID, "task_result_id", req.TaskResultID,
		"organization", req.OrganizationName, "workspace", req.WorkspaceName)
}

func (s *Server) work() {
	defer s.wg.Done()
	for j := range s.jobs {
		s.process(j)
	}
}

// runningTimeout bounds the running update, which must not hold the result's delivery for long.
const runningTimeout = 30 * time.Second

// sendRunning sends the running update of an accepted request. A failure is logged and not retried past
// runningTimeout: the result that follows matters more, and it is delivered with retries of its own.
func (s *Server) sendRunning(j job, log *slog.Logger) {
	defer s.wg.Done()
	defer close(j.running)
	ctx, cancel := context.WithDeadline(context.Background(), j.accepted.Add(min(runningTimeout, s.opts.Deadline)))
	defer cancel()
	if err := s.sendCallback(ctx, j.req, runningCallback(j.req)); err != nil {
		log.Warn("run task running update not delivered", "error", err)
		return
	}
	log.Info("run task running update sent")
}

// minDelivery is the least time the result is given to be delivered, even when the request waited so long
// for a worker that its deadline has passed: a late result is still better than none.
const minDelivery = 30 * time.Second

// process evaluates one plan and sends the result; whatever fails, it sends a failed result that says
// why, since a task result without a callback keeps the run waiting until HCP Terraform gives up.
func (s *Server) process(j job) {
	log := s.requestLogger(j.req)
	evalCtx, cancelEval := context.WithDeadline(context.Background(), j.accepted.Add(s.opts.FetchTimeout))
	cb := s.evaluate(evalCtx, j, log)
	cancelEval()
	// The result has a deadline of its own: the evaluation's context may have ended, and that is the
	// very case whose result must still arrive.
	deliverBy := j.accepted.Add(s.opts.Deadline)
	if time.Until(deliverBy) < minDelivery {
		deliverBy = time.Now().Add(minDelivery)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deliverBy)
	defer cancel()
	// The buffers of the evaluation are garbage now; give them back to the system at once rather than
	// when the runtime's scavenger gets to them, so that an idle server's size is what it uses.
	debug.FreeOSMemory()
	select {
	case <-j.running:
	case <-ctx.Done():
	}
	if err := s.sendCallback(ctx, j.req, cb); err != nil {
		log.Error("run task result not delivered", "status", cb.Data.Attributes.Status, "error", err)
		return
	}
	log.Info("run task result sent", "status", cb.Data.Attributes.Status, "outcomes", outcomeCount(cb), "duration", time.Since(j.accepted).Round(time.Millisecond))
}

func (s *Server) evaluate(ctx context.Context, j job, log *slog.Logger) Callback {
	req := j.req
	if refusal, ok := stageRefusal(req); ok {
		return failedCallback(refusal)
	}
	if ctx.Err() != nil {
		log.Error("plan not fetched: the request waited for a worker past the fetch timeout", "waited", time.Since(j.accepted).Round(time.Second))
		return failedCallback(notFetchedInTime(time.Since(j.accepted), s.opts.FetchTimeout))
	}
	body, err := s.fetch(ctx, req)
	if err != nil {
		log.Error("plan could not be fetched", "error", err)
		return failedCallback(notFetched(err, ctx, s.opts.FetchTimeout))
	}
	defer body.Close()
	limited := &limitedReader{r: body, left: s.opts.MaxPlanBytes + 1}
	result, err := planrules.Evaluate(limited, s.opts.Rules)
	if limited.exceeded {
		err = fmt.Errorf("the plan's JSON is larger than %s, the most this run task reads (--max-plan-bytes)", byteSize(s.opts.MaxPlanBytes))
	}
	if err != nil {
		log.Error("plan could not be checked", "error", err)
		return failedCallback(notChecked(err, ctx, s.opts.FetchTimeout))
	}
	log.Info("plan checked", "changes", result.Changes, "findings", result.Total)
	return resultCallback(req, result)
}

// fetch starts the download of the plan's JSON, whose body the caller reads as a stream and closes.
func (s *Server) fetch(ctx context.Context, req Request) (io.ReadCloser, error) {
	get, err := retryablehttp.NewRequestWithContext(ctx, http.MethodGet, req.PlanJSONAPIURL, nil)
	if err != nil {
		return nil, fmt.Errorf("plan_json_api_url is not a URL: %w", err)
	}
	get.Header.Set("Authorization", "Bearer "+req.AccessToken)
	get.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(get)
	if err != nil {
		return nil, redact(err, req.AccessToken)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("HCP Terraform answered %s", resp.Status)
	}
	return resp.Body, nil
}

func (s *Server) sendCallback(ctx context.Context, req Request, cb Callback) error {
	body, err := json.Marshal(cb)
	if err != nil {
		return err
	}
	patch, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPatch, req.TaskResultCallbackURL, body)
	if err != nil {
		return fmt.Errorf("task_result_callback_url is not a URL: %w", err)
	}
	patch.Header.Set("Content-Type", jsonAPIMediaType)
	patch.Header.Set("Authorization", "Bearer "+req.AccessToken)
	// callbackRetryPolicy ends every answer outside 2xx in callbackError; the status check below only
	// keeps a change there from turning a failure into a silent success.
	resp, err := s.callbacks.Do(patch)
	if err != nil {
		return redact(err, req.AccessToken)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HCP Terraform answered the callback with %s", resp.Status)
	}
	return nil
}

// redact keeps the access token out of an error that would be logged, should a URL or a library ever
// repeat it.
func redact(err error, token string) error {
	if token == "" {
		return err
	}
	msg := err.Error()
	if !strings.Contains(msg, token) {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, token, "[access token]"))
}

// limitedReader fails the read past its limit, so that an oversized plan is an error and not a truncation.
type limitedReader struct {
	r        io.Reader
	left     int64
	exceeded bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.left <= 0 {
		l.exceeded = true
		return 0, errors.New("plan too large")
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}
