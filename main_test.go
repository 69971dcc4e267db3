package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"
	"github.com/hashicorp/terraform-plugin-log/tfsdklogtest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
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
		"github.com/aws/aws-sdk-go-v2/service/rds.(*Client).": 20,
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
	if !strings.Contains(string(out), "audit verify FILE [--public-key PUB.pem]") || !strings.Contains(string(out), "audit keygen") ||
		!strings.Contains(string(out), "audit deliver") || !strings.Contains(string(out), "-debug") {
		t.Errorf("--help does not list the audit commands and the flags:\n%s", out)
	}
}

// The binary's help names the run task server, and the binary refuses to serve without the HMAC key.
func TestHelp_listsTheRunTaskAndItNeedsAKey(t *testing.T) {
	bin := buildProvider(t)
	out, err := exec.Command(bin, "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("--help: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "run-task serve [--listen ADDR] [--hmac-key-env VAR]") {
		t.Errorf("--help does not list the run task:\n%s", out)
	}
	cmd := exec.Command(bin, "run-task", "serve", "--listen", "127.0.0.1:0", "--hmac-key-env", "GDPR_TEST_UNSET_KEY")
	cmd.Env = append(os.Environ(), "GDPR_TEST_UNSET_KEY=")
	out, err = cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(string(out), "GDPR_TEST_UNSET_KEY holds no HMAC key") {
		t.Fatalf("run-task serve without a key: %v\n%s", err, out)
	}
}

// TestMain_signedTrailExitCodes runs audit keygen and audit verify through the provider binary: a trail
// signed with the generated key verifies with its public key, and a wrong key, an unsigned line, or a line
// changed and rehashed without the key is BROKEN, exit code 1, naming the line.
func TestMain_signedTrailExitCodes(t *testing.T) {
	bin := buildProvider(t)
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		out, err := exec.Command(bin, append([]string{"audit"}, args...)...).CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode(), string(out)
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	priv, pub := filepath.Join(dir, "k.pem"), filepath.Join(dir, "k.pub.pem")
	otherPriv, otherPub := filepath.Join(dir, "o.pem"), filepath.Join(dir, "o.pub.pem")
	for _, k := range [][2]string{{priv, pub}, {otherPriv, otherPub}} {
		if code, out := run("keygen", "--private", k[0], "--public", k[1]); code != 0 {
			t.Fatalf("keygen: exit %d\n%s", code, out)
		}
	}
	if info, err := os.Stat(priv); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the private key's mode is %v (%v), want 0600", info.Mode().Perm(), err)
	}
	if code, out := run("keygen", "--private", priv, "--public", pub); code != 2 || !strings.Contains(out, "exists already") {
		t.Errorf("keygen over existing keys: exit %d\n%s", code, out)
	}

	key, err := audit.LoadSigningKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	signed := filepath.Join(dir, "signed.jsonl")
	trail := audit.NewTrail(signed, "", "", audit.DefaultRetry, audit.WithSigningKey(key))
	for i := range 3 {
		e := audit.Event{Time: time.Unix(int64(i), 0), Action: audit.Create, ResourceType: "gdpr_key", CloudID: fmt.Sprint(i)}
		if _, errs := trail.Record(context.Background(), e); len(errs) > 0 {
			t.Fatal(errs)
		}
	}
	lines := strings.SplitAfter(strings.TrimSuffix(mustRead(t, signed), "\n"), "\n")
	// Line 2 changed and every hash from there on recomputed, as someone without the key can do.
	var rehashed strings.Builder
	prev := ""
	for i, l := range lines {
		var e audit.Event
		if err := json.Unmarshal([]byte(strings.TrimSpace(l)), &e); err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			e.CloudID = "other"
		}
		// The guide's hash: SHA-256 of the line without hash and sig, both of which are then left out.
		sig := e.Sig
		e.PrevHash, e.Hash, e.Sig = prev, "", ""
		b, _ := json.Marshal(e)
		sum := sha256.Sum256(b)
		e.Hash, e.Sig = hex.EncodeToString(sum[:]), sig // the old signature: no key to make a new one
		line, _ := json.Marshal(e)
		rehashed.Write(line)
		rehashed.WriteByte('\n')
		prev = e.Hash
	}
	forged := filepath.Join(dir, "forged.jsonl")
	unsigned := filepath.Join(dir, "unsigned.jsonl")
	for path, content := range map[string]string{forged: rehashed.String(), unsigned: strings.Join(lines, "") + "\n"} {
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// An unsigned event added by hand: the provider refuses to append one to a signed file.
	var last audit.Event
	if err := json.Unmarshal([]byte(strings.TrimSpace(lines[len(lines)-1])), &last); err != nil {
		t.Fatal(err)
	}
	e := audit.Event{Time: time.Unix(9, 0).UTC(), Action: audit.Delete, ResourceType: "gdpr_key", CloudID: "0", PrevHash: last.Hash}
	b, _ := json.Marshal(e)
	sum := sha256.Sum256(b)
	e.Hash = hex.EncodeToString(sum[:])
	b, _ = json.Marshal(e)
	if err := os.WriteFile(unsigned, append([]byte(strings.Join(lines, "")+"\n"), append(b, '\n')...), 0o600); err != nil {
		t.Fatal(err)
	}
	pubKey, err := audit.LoadPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"right key", []string{"verify", signed, "--public-key", pub}, 0, "3 events, chain intact, every event signed by the given key"},
		{"no key", []string{"verify", signed}, 0, "3 carry signatures, which were not checked"},
		{"wrong key", []string{"verify", signed, "--public-key", otherPub}, 1, "line 1: the event was signed with another key, " + audit.Fingerprint(pubKey)},
		{"rehashed without the key", []string{"verify", forged, "--public-key", pub}, 1, "line 2: the signature does not verify"},
		{"rehashed, chain only", []string{"verify", forged}, 0, "chain intact"},
		{"unsigned line", []string{"verify", unsigned, "--public-key", pub}, 1, "line 4: the event is not signed"},
		{"private key as public", []string{"verify", signed, "--public-key", priv}, 2, "cannot read the public key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, out := run(tc.args...); code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, output %q; want %d and %q", code, out, tc.code, tc.want)
			}
		})
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestNewProviderServer_holdsTheGCUntilConfigured holds the GC to the processes that talk to AWS: the server
// main serves collects nothing until Terraform configures the provider (Go collects all the same past
// startMemoryLimit), then collects at gcPercent. The processes Terraform starts for the schema and for
// validation never configure it, and a collection there only delayed their answers.
func TestNewProviderServer_holdsTheGCUntilConfigured(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) })
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	debug.SetGCPercent(100)
	server, err := newProviderServer()()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if got := debug.SetGCPercent(-1); got != -1 {
		t.Fatalf("the GC percent is %d before the provider was configured, want -1 (off): every process start pays for the collections", got)
	}
	if got := debug.SetMemoryLimit(-1); got != startMemoryLimit {
		t.Fatalf("the memory limit is %d before the provider was configured, want %d: with the GC off, nothing would bound the heap", got, startMemoryLimit)
	}
	// An empty provider block: the provider finds no region and says so, but it was configured.
	typ := schema.Provider.ValueType()
	config, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &config}); err != nil {
		t.Fatal(err)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("the GC percent is %d once the provider was configured, want %d", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("the memory limit is %d once the provider was configured, want none", got)
	}
}

// TestHoldGC_leavesTheEnvironmentsSettings leaves GOGC and GOMEMLIMIT, when set, to decide.
func TestHoldGC_leavesTheEnvironmentsSettings(t *testing.T) {
	t.Cleanup(func() { debug.SetGCPercent(100); debug.SetMemoryLimit(math.MaxInt64) })
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, "200")
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			holdGC()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("with %s set, the GC percent became %d", env, got)
			}
			if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
				t.Errorf("with %s set, the memory limit became %d", env, got)
			}
		})
	}
}

// maxOwnInitBytes bounds what this module's packages allocate when the process starts, before main: every
// start of the provider pays it (Terraform starts it three times for one plan), and a few hundred KiB more
// bring forward the first collection of every start. Work that only some requests need, like compiling a
// validator's pattern with a counted repetition, belongs in the schema or the request that needs it.
const maxOwnInitBytes = 160 << 10

// TestPackageInit_ownPackagesAllocateLittle reads the runtime's trace of package initialisation
// (GODEBUG=inittrace=1) and holds this module's packages to maxOwnInitBytes together.
func TestPackageInit_ownPackagesAllocateLittle(t *testing.T) {
	cmd := exec.Command(buildProvider(t), "--help")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput()
	var total int
	var each []string
	for _, line := range strings.Split(string(out), "\n") {
		// init github.com/.../internal/database @1.2 ms, 0.5 ms clock, 274760 bytes, 3797 allocs
		f := strings.Fields(line)
		if len(f) < 10 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/gdpr-immutable/terraform-provider-gdpr") {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("cannot read the bytes of %q: %v", line, err)
		}
		total += n
		each = append(each, fmt.Sprintf("%s %d bytes", strings.TrimPrefix(f[1], "github.com/gdpr-immutable/terraform-provider-gdpr/"), n))
	}
	if len(each) == 0 {
		t.Fatalf("GODEBUG=inittrace=1 traced none of this module's packages:\n%s", string(out))
	}
	if total > maxOwnInitBytes {
		t.Errorf("this module's packages allocate %d bytes at start-up, more than %d, in every process Terraform starts:\n%s",
			total, maxOwnInitBytes, strings.Join(each, "\n"))
	}
}
