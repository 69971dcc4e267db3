package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// emulator is one moto_server on a loopback port with a counting proxy in front: both providers talk to the
// proxy, so the benchmark knows every request each of them made.
type emulator struct {
	moto     *exec.Cmd
	motoURL  string
	proxy    *http.Server
	Endpoint string // the proxy's URL, which the providers are given

	mu     sync.Mutex
	counts map[string]int
}

func startEmulator(motoBin, logPath string) (*emulator, error) {
	port, err := acctest.FreePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(motoBin, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("starting %s: %w", motoBin, err)
	}
	logFile.Close()
	e := &emulator{moto: cmd, motoURL: fmt.Sprintf("http://127.0.0.1:%d", port), counts: map[string]int{}}
	if err := e.waitReady(); err != nil {
		e.Stop()
		return nil, err
	}
	if err := e.startProxy(); err != nil {
		e.Stop()
		return nil, err
	}
	return e, nil
}

func (e *emulator) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(e.motoURL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the AWS emulator did not answer within 60s on %s", e.motoURL)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (e *emulator) startProxy() error {
	target, err := url.Parse(e.motoURL)
	if err != nil {
		return err
	}
	rp := httputil.NewSingleHostReverseProxy(target)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.Endpoint = "http://" + l.Addr().String()
	e.proxy = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			op := acctest.Operation(r)
			e.mu.Lock()
			e.counts[op]++
			e.mu.Unlock()
			rp.ServeHTTP(w, r)
		}),
	}
	go func() { _ = e.proxy.Serve(l) }()
	return nil
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

// Stop stops the proxy, then moto_server and its children, by process group.
func (e *emulator) Stop() {
	if e.proxy != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = e.proxy.Shutdown(ctx)
		cancel()
	}
	_ = syscall.Kill(-e.moto.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = e.moto.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-e.moto.Process.Pid, syscall.SIGKILL)
		<-done
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
