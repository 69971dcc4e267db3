package main

import (
	"bytes"
	"context"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
	"github.com/hashicorp/terraform-plugin-log/tfsdklogtest"
)

// TestBinaryKeepsOnlyCalledOperations builds the provider and counts the AWS SDK operations its binary
// holds. The linker drops an operation the provider never calls only while no service client is reachable
// from an interface value (see internal/awsapi/operations.go); one careless conversion, or one client kept
// in a struct, brings back all of EC2's 800 operations, nearly doubling the binary and adding several MiB
// to every provider process.
func TestBinaryKeepsOnlyCalledOperations(t *testing.T) {
	f, err := elf.Open(buildProvider(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	symbols, err := f.Symbols()
	if err != nil {
		t.Fatal(err)
	}
	// Each limit is a little above what the provider calls, so a new call fits and a whole service does not.
	limits := map[string]int{
		"github.com/aws/aws-sdk-go-v2/service/ec2.(*Client).": 20,
		"github.com/aws/aws-sdk-go-v2/service/kms.(*Client).": 20,
	}
	for prefix, limit := range limits {
		var ops []string
		for _, s := range symbols {
			name, ok := strings.CutPrefix(s.Name, prefix)
			// Operations are exported methods; the client's own helpers are not.
			if ok && elf.ST_TYPE(s.Info) == elf.STT_FUNC && name != "" && name[0] >= 'A' && name[0] <= 'Z' && !strings.ContainsAny(name, ".-") {
				ops = append(ops, name)
			}
		}
		if len(ops) == 0 {
			t.Errorf("no %s operations found: the test no longer recognises the SDK's symbols", prefix)
		}
		if len(ops) > limit {
			t.Errorf("the binary holds %d operations of %s, more than %d: a service client is probably converted "+
				"to an interface somewhere (keep a method value instead, see internal/awsapi/operations.go); first few: %s",
				len(ops), prefix, limit, strings.Join(ops[:min(8, len(ops))], ", "))
		}
	}
}

func TestSkipDiscardedLogs(t *testing.T) {
	off := map[string]string{"TF_LOG_PROVIDER_GDPR": "OFF", "TF_LOG_SDK": "OFF", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"}
	cases := []struct {
		name string
		env  map[string]string
		want map[string]string
	}{
		{"Terraform keeps no logs", nil, off},
		{"TF_LOG set", map[string]string{"TF_LOG": "DEBUG"}, map[string]string{"TF_LOG": "DEBUG"}},
		{"TF_LOG_PROVIDER set", map[string]string{"TF_LOG_PROVIDER": "INFO"}, map[string]string{"TF_LOG_PROVIDER": "INFO"}},
		{"a level the user set is kept", map[string]string{"TF_LOG_SDK": "DEBUG"},
			map[string]string{"TF_LOG_PROVIDER_GDPR": "OFF", "TF_LOG_SDK": "DEBUG", "TF_LOG_SDK_PROTO": "OFF", "TF_LOG_SDK_FRAMEWORK": "OFF"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			names := append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, discardedLogLevels...)
			for _, name := range names {
				t.Setenv(name, tc.env[name])
			}
			skipDiscardedLogs()
			for _, name := range names {
				if got := os.Getenv(name); got != tc.want[name] {
					t.Errorf("%s = %q, want %q", name, got, tc.want[name])
				}
			}
		})
	}
}

// TestSkipDiscardedLogs_silencesTheSDK checks that the SDK's loggers understand the level written.
func TestSkipDiscardedLogs_silencesTheSDK(t *testing.T) {
	for _, name := range append([]string{"TF_LOG", "TF_LOG_PROVIDER"}, discardedLogLevels...) {
		t.Setenv(name, "")
	}
	trace := func() string {
		var out bytes.Buffer
		// The protocol subsystem as terraform-plugin-go sets it up, writing to out instead of stderr.
		ctx := tfsdklogtest.RootLogger(context.Background(), &out)
		ctx = tfsdklog.NewSubsystem(ctx, "proto", tfsdklog.WithLevelFromEnv("TF_LOG_SDK_PROTO"))
		tfsdklog.SubsystemTrace(ctx, "proto", "Received request")
		return out.String()
	}
	if trace() == "" {
		t.Fatal("with no level set the SDK logged nothing; the premise of skipDiscardedLogs has changed")
	}
	skipDiscardedLogs()
	if got := trace(); got != "" {
		t.Errorf("the SDK still logs after skipDiscardedLogs: %s", got)
	}
}

func TestTuneGC(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(100) })
	t.Setenv("GOGC", "")
	debug.SetGCPercent(100)
	tuneGC()
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("with GOGC unset the GC percent is %d, want %d", got, gcPercent)
	}
	t.Setenv("GOGC", "100")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC=100 the GC percent is %d: the user's setting was overridden", got)
	}
}

// buildProvider builds the provider binary into the test's temporary directory and returns its path.
func buildProvider(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "terraform-provider-gdpr")
	if out, err := exec.Command("go", "build", "-trimpath", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// The binary's help names the audit commands it doubles as, so an operator finds the verifier.
func TestHelp_listsTheAuditCommands(t *testing.T) {
	out, err := exec.Command(buildProvider(t), "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "audit verify FILE") || !strings.Contains(string(out), "-debug") {
		t.Errorf("--help does not list the audit commands and the flags:\n%s", out)
	}
}
