package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest/testca"
)

// emulator is moto run as the acceptance tests run it, through scripts/moto-tls.py: one moto with one state,
// served over TLS with a throw-away CA (internal/acctest/testca) and over plain HTTP, with a bucket's TLS-only
// policy decided by the scheme each request arrived with. A counting proxy sits in front of each of its two
// ports, of the same scheme, so the benchmark knows every request the providers and the AWS CLI made:
//
//	providers, CLI --https--> counting proxy (TLSEndpoint) --https--> moto-tls.py, TLS port
//	providers      --http---> counting proxy (Endpoint)    --http---> moto-tls.py, plain port
//
// The small, servers, buckets and databases scenarios talk plain HTTP, as the first three always have: their
// request counts and times stay comparable with the results measured before, and hashicorp/aws's side needs no
// CA. They make no object requests, the only ones a bucket's TLS-only policy denies. The launcher's RDS states
// (creating, backing-up, deleting) are the same on both ports. The move scenario moves objects, so it
// talks TLS, as a user's apply talks to AWS.
type emulator struct {
	moto    *exec.Cmd
	exited  chan struct{}
	motoURL string // moto's plain port, uncounted: resets and inventories
	proxies []*http.Server

	Endpoint    string // the plain proxy's URL
	TLSEndpoint string // the TLS proxy's URL
	// CABundle is the PEM file of the CA the TLS hops use, for AWS_CA_BUNDLE; ca holds the same for Go.
	CABundle string
	ca       *testca.Files

	mu     sync.Mutex
	counts map[string]int
	// copies is the copying phase since the last takeCopying: the first CopyObject request's arrival, the
	// last one's answer, and the requests that arrived from the first on.
	copies copying
	// front is what the TLS proxy does besides counting: the latency-bound move (movelat.go) adds a delay to
	// every request and sends object requests to a fast fake S3 instead of moto.
	front frontSettings
}

// copying is the phase of a move or a sync that copies: from the first CopyObject request to the last one's
// answer, without what comes before and after it, and the requests that arrived in it.
type copying struct {
	first, last time.Time
	requests    int
}

func (c copying) span() time.Duration { return c.last.Sub(c.first) }

// frontSettings change how the TLS proxy answers.
type frontSettings struct {
	// delay is added before every request is answered, as a distant endpoint's first byte arrives late.
	delay time.Duration
	// fake, when set, answers object requests and listings, and sees the calls that make, version and delete
	// buckets before moto does (see fakes3.go).
	fake *fakeS3
}

// setFront changes what the TLS proxy adds to counting, for the requests that arrive from now on.
func (e *emulator) setFront(f frontSettings) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.front = f
}

// takeCopying returns the copying phase since the last call (zero for none) and starts afresh.
func (e *emulator) takeCopying() copying {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.copies
	e.copies = copying{}
	return c
}

// startEmulator starts moto_server's moto through the launcher, with a CA made in dir, and the proxies.
func startEmulator(motoBin, launcher, dir string) (*emulator, error) {
	path, err := exec.LookPath(motoBin)
	if err != nil {
		return nil, fmt.Errorf("the AWS emulator %q is not installed (make bench installs it): %w", motoBin, err)
	}
	python, err := acctest.MotoPython(path)
	if err != nil {
		return nil, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ca, err := testca.Write(dir)
	if err != nil {
		return nil, fmt.Errorf("making the emulator's throw-away CA: %w", err)
	}
	tlsPort, err := acctest.FreePort()
	if err != nil {
		return nil, err
	}
	plainPort, err := acctest.FreePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(python, launcher, "-H", "127.0.0.1", "--tls-port", fmt.Sprint(tlsPort),
		"--plain-port", fmt.Sprint(plainPort), "--ssl-cert", ca.Cert, "--ssl-key", ca.Key)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s %s: %w", python, launcher, err)
	}
	logFile.Close()
	e := &emulator{
		moto: cmd, exited: make(chan struct{}), motoURL: fmt.Sprintf("http://127.0.0.1:%d", plainPort),
		CABundle: ca.CA, ca: ca, counts: map[string]int{},
	}
	go func() { _ = cmd.Wait(); close(e.exited) }()
	motoTLS := fmt.Sprintf("https://127.0.0.1:%d", tlsPort)
	if err := e.waitReady(motoTLS, logFile.Name()); err != nil {
		e.Stop()
		return nil, err
	}
	if e.TLSEndpoint, err = e.startProxy(motoTLS, true); err != nil {
		e.Stop()
		return nil, err
	}
	if e.Endpoint, err = e.startProxy(e.motoURL, false); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

// transport reaches moto's two ports, trusting the CA. It keeps as many idle connections as the clients
// behind the proxy may hold open, so the proxy adds no connections, and no TLS handshakes, of its own.
func (e *emulator) transport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // net/http's documented type
	t.TLSClientConfig = &tls.Config{RootCAs: e.ca.Pool, MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 100
	return t
}

func (e *emulator) waitReady(motoTLS, log string) error {
	client := &http.Client{Transport: e.transport(), Timeout: 5 * time.Second}
	answers := func(base string) bool {
		resp, err := client.Get(base + "/moto-api/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	}
	deadline := time.Now().Add(60 * time.Second)
	for !answers(motoTLS) || !answers(e.motoURL) {
		select {
		case <-e.exited:
			out, _ := os.ReadFile(log)
			return fmt.Errorf("the AWS emulator exited at start-up:\n%s", out)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the AWS emulator did not answer within 60s on %s and %s", motoTLS, e.motoURL)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// startProxy serves a counting proxy to target on a loopback port, over TLS with the CA's certificate when
// secure, and returns its URL.
func (e *emulator) startProxy(target string, secure bool) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.Transport = e.transport()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	scheme := "http"
	if secure {
		// HTTP/1.1 only, as S3 speaks it: a TLS listener given to Serve does not offer HTTP/2.
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{e.ca.Server}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			op := acctest.Operation(r)
			// A server-side copy is a PUT of the object with its source in a header: named apart, because
			// the move scenario's figures are about copies.
			if op == "s3:PUT/object" && r.Header.Get("X-Amz-Copy-Source") != "" {
				op = "s3:CopyObject"
			}
			e.mu.Lock()
			e.counts[op]++
			front := e.front
			if op == "s3:CopyObject" && e.copies.first.IsZero() {
				e.copies.first = time.Now()
			}
			if !e.copies.first.IsZero() {
				e.copies.requests++
			}
			e.mu.Unlock()
			if !secure {
				rp.ServeHTTP(w, r)
				return
			}
			time.Sleep(front.delay)
			switch {
			case front.fake != nil && forFake(r):
				front.fake.ServeHTTP(w, r)
			case front.fake != nil && mirrored(r):
				// A call the fake refuses (deleting a bucket it still holds objects in) goes no further.
				if front.fake.mirror(w, r) {
					rp.ServeHTTP(w, r)
				}
			default:
				rp.ServeHTTP(w, r)
			}
			if op == "s3:CopyObject" {
				e.mu.Lock()
				if now := time.Now(); now.After(e.copies.last) {
					e.copies.last = now
				}
				e.mu.Unlock()
			}
		}),
	}
	e.proxies = append(e.proxies, srv)
	go func() { _ = srv.Serve(l) }()
	return scheme + "://" + l.Addr().String(), nil
}

// take returns the requests counted since the last call, by operation, and starts counting afresh.
func (e *emulator) take() map[string]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := e.counts
	e.counts = map[string]int{}
	return c
}

// reset empties the emulator between runs, so every run starts from the same nothing.
func (e *emulator) reset() error {
	resp, err := http.Post(e.motoURL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("resetting the emulator: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Stop stops the proxies, then moto and its children, by process group.
func (e *emulator) Stop() {
	for _, p := range e.proxies {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = p.Shutdown(ctx)
		cancel()
	}
	_ = syscall.Kill(-e.moto.Process.Pid, syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-e.moto.Process.Pid, syscall.SIGKILL)
		<-e.exited
	}
}

// countBy sums the counts whose operation starts with prefix ("s3:", "kms:", "ec2:"); "" sums them all.
func countBy(counts map[string]int, prefix string) int {
	n := 0
	for op, c := range counts {
		if len(op) >= len(prefix) && op[:len(prefix)] == prefix {
			n += c
		}
	}
	return n
}

// opsSummary lists the operations by count, for the detail section of the report.
func opsSummary(counts map[string]int) string {
	ops := make([]string, 0, len(counts))
	for op := range counts {
		ops = append(ops, op)
	}
	sort.Slice(ops, func(i, j int) bool {
		if counts[ops[i]] != counts[ops[j]] {
			return counts[ops[i]] > counts[ops[j]]
		}
		return ops[i] < ops[j]
	})
	s := ""
	for i, op := range ops {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", op, counts[op])
	}
	return s
}
