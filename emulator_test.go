package main

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestAccEmulatorCommand_takesAWriteOverTLS runs the command the provider's docs give users for a local
// emulator (make emulator, scripts/emulator.sh) as a user would, reads the environment it prints, and writes an
// object through it to a bucket whose policy denies every request without TLS, as every gdpr_bucket's does:
// plain moto_server refuses that write. Then it stops the command as Ctrl-C would and checks that nothing it
// started is left running.
func TestAccEmulatorCommand_takesAWriteOverTLS(t *testing.T) {
	if os.Getenv("TF_ACC") == "" {
		t.Skip("starts the AWS emulator: set TF_ACC=1 (and MOTO_SERVER) to run it")
	}
	moto, err := exec.LookPath(cmp.Or(os.Getenv("MOTO_SERVER"), "moto_server"))
	if err != nil {
		t.Fatalf("the AWS emulator is not installed (pip install 'moto[server]', or run make test, which installs it): %v", err)
	}

	cmd := exec.Command("scripts/emulator.sh")
	cmd.Env = append(os.Environ(), "GDPR_EMULATOR_DIR="+t.TempDir(), "MOTO_SERVER="+moto)
	// Its own process group, so the check below finds anything it started, however it was started.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	var waitOnce sync.Once
	var waitErr error
	wait := func() error { waitOnce.Do(func() { waitErr = cmd.Wait() }); return waitErr }
	t.Cleanup(func() {
		// A failed check must not leave the emulator running.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		_ = wait()
	})

	printed := readUntil(t, stdout, "Press Ctrl-C to stop it", 60*time.Second, &stderr)
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export (\w+)=(.*)$`).FindAllStringSubmatch(printed, -1) {
		env[m[1]] = m[2]
	}
	for _, name := range []string{"AWS_CA_BUNDLE", "AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
		if env[name] == "" {
			t.Fatalf("the emulator command does not print `export %s=...`; it printed:\n%s", name, printed)
		}
	}
	if !strings.HasPrefix(env["AWS_ENDPOINT_URL"], "https://") {
		t.Fatalf("the emulator command prints AWS_ENDPOINT_URL=%s, want an https:// endpoint", env["AWS_ENDPOINT_URL"])
	}
	for _, service := range []string{"kms", "s3", "ec2", "sts", "rds"} {
		line := fmt.Sprintf("%s = %q", service, env["AWS_ENDPOINT_URL"])
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(service) + `\s+= "` + regexp.QuoteMeta(env["AWS_ENDPOINT_URL"]) + `"$`).MatchString(printed) {
			t.Errorf("the provider block the emulator command prints lacks `%s`; it printed:\n%s", line, printed)
		}
	}
	plain := regexp.MustCompile(`http://127\.0\.0\.1:\d+`).FindString(printed)
	if plain == "" {
		t.Fatalf("the emulator command does not print its endpoint without TLS; it printed:\n%s", printed)
	}

	ctx := context.Background()
	ca, err := os.ReadFile(env["AWS_CA_BUNDLE"])
	if err != nil {
		t.Fatalf("reading the CA that AWS_CA_BUNDLE names: %v", err)
	}
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion(env["AWS_REGION"]),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], "")),
		config.WithCustomCABundle(bytes.NewReader(ca)),
		config.WithRetryMaxAttempts(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	client := func(endpoint string) *s3.Client {
		return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(endpoint); o.UsePathStyle = true })
	}
	overTLS, overPlainHTTP := client(env["AWS_ENDPOINT_URL"]), client(plain)

	bucket := "emulator-command-test"
	if _, err := overTLS.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(env["AWS_REGION"])}}); err != nil {
		t.Fatalf("CreateBucket through the emulator over TLS: %v", err)
	}
	// The deny statement every gdpr_bucket carries.
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny",`+
		`"Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::%[1]s","arn:aws:s3:::%[1]s/*"],`+
		`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`, bucket)
	if _, err := overTLS.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy}); err != nil {
		t.Fatalf("PutBucketPolicy with the TLS-only policy: %v", err)
	}
	put := func(c *s3.Client) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("records/ada.json"), Body: strings.NewReader(`{"name":"Ada"}`)})
		return err
	}
	if err := put(overTLS); err != nil {
		t.Fatalf("PutObject over TLS to a bucket with the TLS-only policy, through the emulator the docs give, was refused: %v", err)
	}
	// moto answers a denied request with an empty 403, where AWS would add an AccessDenied body.
	var respErr *smithyhttp.ResponseError
	if err := put(overPlainHTTP); !errors.As(err, &respErr) || respErr.HTTPStatusCode() != 403 {
		t.Fatalf("PutObject over plain HTTP to a bucket with the TLS-only policy: want 403 Forbidden, got %v", err)
	}

	// Ctrl-C at a terminal signals the whole foreground group; signalling only the command checks that it stops
	// what it started itself, whoever stops it.
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		// An interrupted command exits with a status of its own (130); anything else is a failure to wait.
		var exitErr *exec.ExitError
		if err != nil && !errors.As(err, &exitErr) {
			t.Fatalf("waiting for the emulator command: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the emulator command did not exit within 30 seconds of an interrupt")
	}
	// The command has exited; give its children a moment to finish exiting before looking for them.
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(-pgid, 0) == nil {
		if time.Now().After(deadline) {
			out, _ := exec.Command("pgrep", "-a", "-g", fmt.Sprint(pgid)).Output()
			t.Fatalf("processes the emulator command started still run 10 seconds after it exited on an interrupt:\n%s", out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// readUntil reads the command's output until a line holds marker and returns all it read, failing the test
// with what the command wrote when it ends first or takes longer than timeout.
func readUntil(t *testing.T, r io.Reader, marker string, timeout time.Duration, stderr *bytes.Buffer) string {
	t.Helper()
	type result struct {
		out   string
		found bool
	}
	ch := make(chan result, 1)
	go func() {
		var b strings.Builder
		s := bufio.NewScanner(r)
		for s.Scan() {
			b.WriteString(s.Text() + "\n")
			if strings.Contains(s.Text(), marker) {
				ch <- result{b.String(), true}
				// Keep draining, so the command never blocks on a full pipe.
				for s.Scan() {
				}
				return
			}
		}
		ch <- result{b.String(), false}
	}()
	select {
	case res := <-ch:
		if !res.found {
			t.Fatalf("the emulator command ended before it was ready; it printed:\n%s\nand on stderr:\n%s", res.out, stderr)
		}
		return res.out
	case <-time.After(timeout):
		t.Fatalf("the emulator command was not ready within %s", timeout)
	}
	return ""
}

// TestDocs_localEmulatorIsTheOneThatTakesWrites checks that the provider's docs send users to the emulator
// command tested above, and show no plain-HTTP endpoint, under which a gdpr_bucket refuses every write.
func TestDocs_localEmulatorIsTheOneThatTakesWrites(t *testing.T) {
	docs, err := os.ReadFile("docs/index.md")
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile("GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^emulator:.*\n\t@?scripts/emulator\.sh$`).Match(makefile) {
		t.Errorf("GNUmakefile has no target `emulator` that runs scripts/emulator.sh, which docs/index.md tells users to run")
	}
	if !bytes.Contains(docs, []byte("make emulator")) {
		t.Errorf("docs/index.md does not tell users to run `make emulator` for a local emulator")
	}
	if m := regexp.MustCompile(`"http://127\.0\.0\.1:\d+"`).Find(docs); m != nil {
		t.Errorf("docs/index.md shows the endpoint %s: without TLS, every object write to a gdpr_bucket is refused", m)
	}
}
