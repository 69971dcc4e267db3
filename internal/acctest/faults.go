package acctest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what the proxy does to a request instead of forwarding it.
type Fault int

// The faults a test can inject. Each is answered before the request reaches the emulator, so a failed call
// has no effect there, as with AWS rejecting a request.
const (
	// AccessDenied is an error no retryer retries.
	AccessDenied Fault = iota
	// ServerError is a 500 Internal Server Error.
	ServerError
	// Unavailable is a 503 Service Unavailable.
	Unavailable
	// Throttle is the throttling error each service really uses: KMS ThrottlingException, S3 SlowDown,
	// EC2 RequestLimitExceeded.
	Throttle
	// Reset closes the connection without an answer.
	Reset
	// Delay forwards the request after a pause.
	Delay
	// Crash forwards the request, so it takes effect, then runs the rule's Then (which kills the provider)
	// and drops the connection without an answer: the caller never learns what its call did.
	Crash
	// Tamper forwards the request, so it takes effect, then passes the emulator's answer through the rule's
	// Answer, which may change what is stored and what the answer says: a service that acknowledges a
	// request and does something else, such as a copy that differs from its source.
	Tamper
	// BadGateway is a 502 with no body, as a proxy between the provider and AWS answers when it cannot
	// reach AWS.
	BadGateway
)

func (f Fault) String() string {
	return [...]string{"AccessDenied", "ServerError", "Unavailable", "Throttle", "Reset", "Delay", "Crash", "Tamper",
		"BadGateway"}[f]
}

// Rule says which requests get a fault, and how often.
type Rule struct {
	Match func(*http.Request, string) bool // the request and its operation (see Operation)
	Fault Fault
	// Pause is the delay of a Delay fault.
	Pause time.Duration
	// Then runs after a Crash fault's request reached the emulator, before the connection is dropped.
	Then func()
	// Answer takes a Tamper fault's request and the body of the emulator's answer to it, and returns the
	// body the caller gets instead; the status is passed on as it is, and the headers unless Header changes them.
	Answer func(r *http.Request, body []byte) []byte
	// Header, when set, may change the headers of a Tamper fault's answer before the caller gets them.
	Header func(r *http.Request, h http.Header)
}

// FaultProxy sits between the provider and the emulator and injects faults into the requests tests choose,
// so tests can prove what the provider does when AWS misbehaves at any point of an operation.
type FaultProxy struct {
	URL string

	enabled  atomic.Bool
	injected atomic.Int64

	mu      sync.Mutex
	rules   []*Rule
	seen    []string       // operations in the order they arrived
	keys    []string       // the access key id that signed each of seen, "" for an unsigned request
	issued  []string       // access key ids STS handed out (AssumeRole, AssumeRoleWithWebIdentity)
	counts  map[string]int // operations forwarded to the emulator
	failOn  string         // the operation to fail, from its failAt-th request (1-based) on
	failAt  int
	failed  int    // requests of failOn seen so far
	failOp  string // failOn once its failAt-th request has arrived
	failVia Fault
}

// NewFaultProxy starts a proxy on a loopback port that answers requests matching fail with AccessDenied
// and forwards everything else to the emulator. It stops with the test.
func NewFaultProxy(t *testing.T, fail func(*http.Request) bool) *FaultProxy {
	return NewProxy(t, &Rule{Match: func(r *http.Request, _ string) bool { return fail(r) }, Fault: AccessDenied})
}

// NewProxy starts a proxy with the given rules; the first matching rule applies.
func NewProxy(t *testing.T, rules ...*Rule) *FaultProxy {
	t.Helper()
	target, err := url.Parse(endpoint)
	if err != nil {
		t.Fatalf("emulator URL %q: %v", endpoint, err)
	}
	p := &FaultProxy{rules: rules, counts: map[string]int{}}
	p.enabled.Store(true)
	// The proxy takes the provider's requests over plain HTTP and forwards them over TLS, so the emulator
	// sees them arrive over TLS and a bucket's TLS-only policy lets them through, as at AWS.
	forward := httputil.NewSingleHostReverseProxy(target)
	forward.Transport = transport
	forward.ModifyResponse = p.noteIssuedKeys
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := Operation(r)
		fault, rule, ok := p.decide(r, op)
		if !ok {
			p.mu.Lock()
			p.counts[op]++
			p.mu.Unlock()
			forward.ServeHTTP(w, r)
			return
		}
		p.injected.Add(1)
		if fault == Crash {
			p.mu.Lock()
			p.counts[op]++
			p.mu.Unlock()
			forward.ServeHTTP(&recorder{header: http.Header{}}, r)
			if rule.Then != nil {
				rule.Then()
			}
			inject(w, r, op, Reset)
			return
		}
		if fault == Tamper {
			p.mu.Lock()
			p.counts[op]++
			p.mu.Unlock()
			rec := &recorder{header: http.Header{}}
			forward.ServeHTTP(rec, r)
			body := rec.body.Bytes()
			if rule.Answer != nil {
				body = rule.Answer(r, body)
			}
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			if rule.Header != nil {
				rule.Header(r, w.Header())
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.status)
			_, _ = w.Write(body)
			return
		}
		if fault == Delay {
			time.Sleep(rule.Pause)
			p.mu.Lock()
			p.counts[op]++
			p.mu.Unlock()
			forward.ServeHTTP(w, r)
			return
		}
		inject(w, r, op, fault)
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *FaultProxy) decide(r *http.Request, op string) (Fault, *Rule, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, op)
	p.keys = append(p.keys, AccessKeyID(r))
	if !p.enabled.Load() {
		return 0, nil, false
	}
	if p.failOn != "" && op == p.failOn {
		if p.failed++; p.failed == p.failAt {
			p.failOp = op
		}
		if p.failOp != "" {
			return p.failVia, &Rule{}, true
		}
	}
	for _, rule := range p.rules {
		if rule.Match(r, op) {
			return rule.Fault, rule, true
		}
	}
	return 0, nil, false
}

// FailFrom makes the n-th request of the operation from now (1-based) fail with the fault, and every later
// request of that operation too, so the fault outlasts any retry budget. Counting requests of one
// operation, rather than all requests, names the same call however concurrent requests of others interleave.
func (p *FaultProxy) FailFrom(op string, n int, fault Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen, p.keys, p.failOn, p.failAt, p.failed, p.failOp, p.failVia = nil, nil, op, n, 0, "", fault
}

// FailedOperation is the operation FailFrom hit, or "" if it did not get that many requests.
func (p *FaultProxy) FailedOperation() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.failOp
}

// Disable lets every later request through.
func (p *FaultProxy) Disable() {
	p.enabled.Store(false)
	p.mu.Lock()
	p.failOn, p.failOp = "", ""
	p.mu.Unlock()
}

// SetRules replaces the proxy's rules for every later request; none lets every request through.
func (p *FaultProxy) SetRules(rules ...*Rule) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rules = rules
}

// Reset forgets the requests seen so far.
func (p *FaultProxy) Reset() {
	p.mu.Lock()
	p.seen, p.keys, p.issued, p.counts = nil, nil, nil, map[string]int{}
	p.mu.Unlock()
}

// SignedRequest is a request the proxy received: its operation and the access key id that signed it.
type SignedRequest struct {
	Op, AccessKeyID string
}

// Signed returns the requests received since the last Reset, in order, each with the access key id
// that signed it, so tests can prove which credentials the provider used for each call.
func (p *FaultProxy) Signed() []SignedRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]SignedRequest, len(p.seen))
	for i := range p.seen {
		out[i] = SignedRequest{Op: p.seen[i], AccessKeyID: p.keys[i]}
	}
	return out
}

// Issued returns the access key ids that STS handed out through the proxy (AssumeRole and
// AssumeRoleWithWebIdentity answers) since the last Reset.
func (p *FaultProxy) Issued() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.issued...)
}

var (
	credentialScope = regexp.MustCompile(`Credential=([^/,\s]+)/`)
	issuedKey       = regexp.MustCompile(`<AccessKeyId>([^<]+)</AccessKeyId>`)
)

// AccessKeyID is the access key id in a SigV4 Authorization header (Credential=AKID/date/region/...), or
// "" for an unsigned request.
func AccessKeyID(r *http.Request) string {
	if m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		return m[1]
	}
	return ""
}

// noteIssuedKeys keeps the access key ids of the credentials in STS's form-encoded answers; the body is
// passed on unchanged.
func (p *FaultProxy) noteIssuedKeys(resp *http.Response) error {
	req := resp.Request
	if req.Method != http.MethodPost || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return nil
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if m := issuedKey.FindSubmatch(body); m != nil {
		p.mu.Lock()
		p.issued = append(p.issued, string(m[1]))
		p.mu.Unlock()
	}
	return nil
}

// Seen returns the operations received since the last Reset, in order.
func (p *FaultProxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// Forwarded returns how many requests of each operation reached the emulator, sorted by operation.
func (p *FaultProxy) Forwarded() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for op, n := range p.counts {
		out = append(out, fmt.Sprintf("%s=%d", op, n))
	}
	sort.Strings(out)
	return out
}

// Failed returns how many requests the proxy has failed or delayed.
func (p *FaultProxy) Failed() int64 { return p.injected.Load() }

// Operation names a request the way the services do: kms:CreateKey, ec2:RunInstances, sts:GetCallerIdentity,
// rds:DeleteDBInstance,
// and for S3 the method with its subresources, such as s3:PUT?lifecycle or s3:DELETE/object.
func Operation(r *http.Request) string {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		// KMS speaks JSON 1.1: the operation is in the header, such as TrentService.CreateKey.
		return "kms:" + target[strings.LastIndex(target, ".")+1:]
	}
	if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		service := "ec2"
		action := form.Get("Action")
		// AssumeRoleWithWebIdentity is not signed, so its scope cannot name the service.
		switch auth := r.Header.Get("Authorization"); {
		case strings.Contains(auth, "/sts/") || strings.HasPrefix(action, "AssumeRole"):
			service = "sts"
		case strings.Contains(auth, "/rds/"):
			service = "rds"
		}
		return service + ":" + action
	}
	var subs []string
	for k := range r.URL.Query() {
		if k != "x-id" && k != "versionId" {
			subs = append(subs, k)
		}
	}
	sort.Strings(subs)
	op := "s3:" + r.Method
	if len(subs) > 0 {
		op += "?" + strings.Join(subs, "&")
	}
	// Path style: /bucket for bucket calls, /bucket/key for object calls.
	if strings.Count(strings.Trim(r.URL.Path, "/"), "/") > 0 {
		op += "/object"
	}
	return op
}

func inject(w http.ResponseWriter, r *http.Request, op string, fault Fault) {
	service := op[:strings.Index(op, ":")]
	switch fault {
	case Reset:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
	case AccessDenied:
		writeError(w, service, http.StatusForbidden, "AccessDenied", "Access Denied (fault injected by the test)")
	case ServerError:
		writeError(w, service, http.StatusInternalServerError, "InternalError", "fault injected by the test")
	case Unavailable:
		writeError(w, service, http.StatusServiceUnavailable, "ServiceUnavailable", "fault injected by the test")
	case BadGateway:
		w.WriteHeader(http.StatusBadGateway)
	case Throttle:
		switch service {
		case "kms":
			writeError(w, service, http.StatusBadRequest, "ThrottlingException", "Rate exceeded")
		case "s3":
			writeError(w, service, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		case "rds":
			writeError(w, service, http.StatusBadRequest, "Throttling", "Rate exceeded")
		default:
			writeError(w, service, http.StatusServiceUnavailable, "RequestLimitExceeded", "Request limit exceeded.")
		}
	}
	_ = r
}

// writeError answers in the error format of each service's protocol.
func writeError(w http.ResponseWriter, service string, status int, code, msg string) {
	switch service {
	case "kms":
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"__type":%q,"message":%q}`, code, msg)
	case "ec2":
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>%s</Code><Message>%s</Message></Error></Errors><RequestID>fault</RequestID></Response>`, code, msg)
	case "sts", "rds":
		// STS and RDS speak the same Query protocol, with the same error document.
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>fault</RequestId></ErrorResponse>`, code, msg)
	default:
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
	}
}

// S3Call matches S3 requests by method and subresource query parameter, such as PUT ?lifecycle.
func S3Call(method, subresource string) func(*http.Request) bool {
	return func(r *http.Request) bool {
		if r.Method != method || r.Header.Get("X-Amz-Target") != "" {
			return false
		}
		if subresource == "" {
			return len(r.URL.Query()) == 0 || (len(r.URL.Query()) == 1 && r.URL.Query().Has("x-id"))
		}
		return r.URL.Query().Has(subresource)
	}
}
