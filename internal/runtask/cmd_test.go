package runtask

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

func env(values map[string]string) func(string) string {
	return func(k string) string { return values[k] }
}

// TestServe_refusesToStartWithoutTheKey: the key comes from the environment variable the flag names, and
// without one the server does not start: there is no unsigned mode.
func TestServe_refusesToStartWithoutTheKey(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default variable unset", nil, nil, "GDPR_RUN_TASK_HMAC_KEY holds no HMAC key"},
		{"named variable unset", []string{"--hmac-key-env", "MY_KEY"}, map[string]string{"GDPR_RUN_TASK_HMAC_KEY": "k"}, "MY_KEY holds no HMAC key"},
		{"empty variable name", []string{"--hmac-key-env", ""}, nil, "--hmac-key-env must name an environment variable"},
		{"bad jurisdiction", []string{"--allowed-jurisdictions", "EEA,ch"}, map[string]string{"GDPR_RUN_TASK_HMAC_KEY": "k"}, `"ch" is not in upper case; use upper case: CH`},
		{"bad retention", []string{"--max-retention-days", "0"}, map[string]string{"GDPR_RUN_TASK_HMAC_KEY": "k"}, "--max-retention-days must be at least 1"},
		{"positional argument", []string{"extra"}, map[string]string{"GDPR_RUN_TASK_HMAC_KEY": "k"}, `unexpected argument "extra"`},
		{"tiny plan limit", []string{"--max-plan-bytes", "1000"}, map[string]string{"GDPR_RUN_TASK_HMAC_KEY": "k"}, "--max-plan-bytes must be at least 1048576"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := serve(t.Context(), append(tc.args, "--listen", "127.0.0.1:0"), env(tc.env), &stdout, &stderr, nil)
			if code != 2 || !strings.Contains(stderr.String(), tc.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, stderr.String(), tc.want)
			}
		})
	}
}

// TestServe_servesUntilStopped starts the command as an operator would, checks that it answers a signed
// verification request and refuses an unsigned one, and stops it.
func TestServe_servesUntilStopped(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	ready := make(chan string, 1)
	done := make(chan int, 1)
	var stdout, stderr lockedBuffer
	go func() {
		done <- serve(ctx, []string{"--listen", "127.0.0.1:0", "--hmac-key-env", "KEY", "--allowed-jurisdictions", "EU, CH"},
			env(map[string]string{"KEY": testKey}), &stdout, &stderr, ready)
	}()
	var addr string
	select {
	case addr = <-ready:
	case code := <-done:
		t.Fatalf("exited %d: %s", code, stderr.String())
	}
	body := []byte(`{"payload_version":1,"access_token":"test-token","stage":"test","task_result_callback_url":"https://app.terraform.io/api/v2/task-results/x/callback"}`)
	if got := post(t, "http://"+addr, body, sign(testKey, body)); got != http.StatusOK {
		t.Fatalf("verification request: %d", got)
	}
	if got := post(t, "http://"+addr, body, ""); got != http.StatusUnauthorized {
		t.Fatalf("unsigned request: %d", got)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not stop")
	}
	if !strings.Contains(stderr.String(), "allowed_jurisdictions=\"[EU CH]\"") {
		t.Fatalf("the start line does not name the policy: %s", stderr.String())
	}
}

func TestMain_usage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"--help"}, &stdout, &stderr); code != 0 || !strings.Contains(stdout.String(), "run-task serve") {
		t.Fatalf("--help: exit %d, %q", code, stdout.String())
	}
	if code := Main(nil, &stdout, &stderr); code != 2 {
		t.Fatalf("no arguments: exit %d", code)
	}
	if code := Main([]string{"check"}, &stdout, &stderr); code != 2 {
		t.Fatalf("unknown command: exit %d", code)
	}
}
