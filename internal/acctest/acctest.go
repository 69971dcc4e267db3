// Package acctest is the offline acceptance-test harness: it runs a local AWS emulator (moto_server) on a
// free loopback port for the lifetime of a test binary, serves the provider to the real Terraform CLI
// through terraform-plugin-testing, and gives tests AWS SDK clients to check what really exists.
package acctest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
)

// Region is where acceptance tests place resources unless a test says otherwise: Frankfurt, in the EU.
const Region = "eu-central-1"

// endpoint is the emulator's URL, set by Main.
var endpoint string

// ProtoV6ProviderFactories serve the provider in-process to the Terraform CLI.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"gdpr": provider.NewProtocol6Server("test"),
}

// Main runs the tests of a package. With TF_ACC set it first starts the emulator and stops it afterwards,
// whatever the tests do; unit tests alone need nothing.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	stop, err := startEmulator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer stop()
	if err := isolateTerraform(); err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer func() {
		if buildDir != "" {
			os.RemoveAll(buildDir)
		}
	}()
	return m.Run()
}

// isolateTerraform points the Terraform CLI at an empty configuration, so a user's or machine's CLI
// config (or a missing one named by TF_CLI_CONFIG_FILE) cannot change what the tests see.
func isolateTerraform() error {
	dir, err := os.MkdirTemp("", "gdpr-acctest-cli")
	if err != nil {
		return err
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, []byte("# intentionally empty: acceptance tests use provider factories\n"), 0o600); err != nil {
		return err
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	return nil
}

// startEmulator starts moto_server (MOTO_SERVER names the binary, else PATH) on a free loopback port and
// waits until it answers. The returned function stops it and its children.
func startEmulator() (func(), error) {
	bin := os.Getenv("MOTO_SERVER")
	if bin == "" {
		bin = "moto_server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("the AWS emulator %q is not installed (pip install 'moto[server]', or run make test, which installs it): %w", bin, err)
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	logFile, err := os.CreateTemp("", "moto-*.log")
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
		logFile.Close()
		os.Remove(logFile.Name())
	}
	moto := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(moto + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			url, stopFront, err := startFront(moto)
			if err != nil {
				stop()
				return nil, err
			}
			endpoint = url
			return func() { stopFront(); stop() }, nil
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("the AWS emulator did not answer within 60s on " + moto)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}

// Endpoint returns the emulator's URL.
func Endpoint() string { return endpoint }

// ProviderConfig returns a provider block for the emulator in the given region, with extra arguments
// (HCL lines) appended inside the block.
func ProviderConfig(region, extra string) string {
	return ProviderConfigWithS3(region, endpoint, extra)
}

// AWSConfig returns an SDK configuration that talks to the emulator, for checks that bypass the provider.
func AWSConfig(t testing.TB, region string) aws.Config {
	t.Helper()
	// Without the emulator these clients would reach real AWS; acceptance tests never do.
	RequireEmulator(t)
	cfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion(region),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("testing", "testing", "")),
		config.WithBaseEndpoint(endpoint),
	)
	if err != nil {
		t.Fatalf("loading the AWS configuration for the emulator: %v", err)
	}
	return cfg
}

// KMS returns a KMS client for the emulator.
func KMS(t testing.TB, region string) *kms.Client {
	return kms.NewFromConfig(AWSConfig(t, region))
}

// S3 returns an S3 client for the emulator.
func S3(t testing.TB, region string) *s3.Client {
	return s3.NewFromConfig(AWSConfig(t, region), func(o *s3.Options) { o.UsePathStyle = true })
}

// ProviderConfigWithS3 is ProviderConfig with the S3 endpoint replaced, for tests that put a proxy in front.
func ProviderConfigWithS3(region, s3Endpoint, extra string) string {
	return fmt.Sprintf(`
provider "gdpr" {
  region     = %[1]q
  access_key = "testing"
  secret_key = "testing"
  endpoints = {
    kms = %[2]q
    s3  = %[3]q
    ec2 = %[2]q
    sts = %[2]q
  }
  s3_use_path_style = true
%[4]s
}
`, region, endpoint, s3Endpoint, extra)
}

// EC2 returns an EC2 client for the emulator.
func EC2(t testing.TB, region string) *ec2.Client {
	return ec2.NewFromConfig(AWSConfig(t, region))
}

// RequireEmulator skips a test that drives Terraform or the AWS SDK itself when TF_ACC is not set, as
// terraform-plugin-testing does for its own tests; with TF_ACC set, Main has started the emulator or
// already failed the run, so the skip can never hide a failure of `make test`.
func RequireEmulator(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" || endpoint == "" {
		t.Skip("acceptance test: TF_ACC is not set, so no local emulator runs (make testacc sets it)")
	}
}
