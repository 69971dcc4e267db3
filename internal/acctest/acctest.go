// Package acctest is the offline acceptance-test harness: it runs a local AWS emulator (moto_server) on a
// free loopback port for the lifetime of a test binary, serves the provider to the real Terraform CLI
// through terraform-plugin-testing, and gives tests AWS SDK clients to check what really exists.
package acctest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
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

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest/testca"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
)

// Region is where acceptance tests place resources unless a test says otherwise: Frankfurt, in the EU.
const Region = "eu-central-1"

// The emulator, set by Main: endpoint serves it over TLS, plainEndpoint over plain HTTP (see emulator.go);
// caPEM is the certificate of the throw-away CA both TLS hops use, and transport trusts it. motoTLS is the
// TLS port of moto-tls.py itself, behind the front.
var (
	endpoint      string
	plainEndpoint string
	caPEM         []byte
	transport     *http.Transport
	motoTLS       string
)

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
	// Unit tests may run the provider binary too (the run task's memory test), so the build goes away
	// whether or not the acceptance tests ran.
	defer func() {
		if buildDir != "" {
			os.RemoveAll(buildDir)
		}
	}()
	// Tests that need no emulator (resource.UnitTest: the functions) drive the CLI too, so it is isolated
	// whether or not TF_ACC is set: OpenTofu prints a warning about a missing CLI configuration on standard
	// output, before the version that terraform-plugin-testing reads there.
	cleanCLI, err := isolateTerraform()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer cleanCLI()
	if os.Getenv("TF_ACC") == "" {
		return m.Run()
	}
	stop, err := startEmulator()
	if err != nil {
		fmt.Fprintln(os.Stderr, "acctest:", err)
		return 1
	}
	defer stop()
	return m.Run()
}

// isolateTerraform points the Terraform CLI at an empty configuration, so a user's or machine's CLI
// config (or a missing one named by TF_CLI_CONFIG_FILE) cannot change what the tests see. The returned
// function removes it.
func isolateTerraform() (func(), error) {
	dir, err := os.MkdirTemp("", "gdpr-acctest-cli")
	if err != nil {
		return nil, err
	}
	cfg := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cfg, []byte("# intentionally empty: acceptance tests use provider factories\n"), 0o600); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	os.Setenv("TF_CLI_CONFIG_FILE", cfg)
	os.Setenv("CHECKPOINT_DISABLE", "1")
	return func() { os.RemoveAll(dir) }, nil
}

// startEmulator starts moto_server's moto (MOTO_SERVER names the script, else PATH) through
// scripts/moto-tls.py, which evaluates a bucket's TLS-only policy by the request's scheme, over TLS with a
// certificate from a CA made for this run, and waits until it answers. It points the SDK at that CA for the
// provider, in this process and in the provider binaries Terraform starts, through AWS_CA_BUNDLE. The
// returned function stops the emulator and its children and removes the CA. See emulator.go for the layout.
func startEmulator() (func(), error) {
	bin := os.Getenv("MOTO_SERVER")
	if bin == "" {
		bin = "moto_server"
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return nil, fmt.Errorf("the AWS emulator %q is not installed (pip install 'moto[server]', or run make test, which installs it): %w", bin, err)
	}
	python, err := motoPython(path)
	if err != nil {
		return nil, err
	}
	launcher, err := launcherPath()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "gdpr-acctest-tls")
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	ca, err := testca.Write(dir)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("making the emulator's throw-away CA: %w", err)
	}
	caPEM = ca.CAPEM
	os.Setenv("AWS_CA_BUNDLE", ca.CA)
	transport = http.DefaultTransport.(*http.Transport).Clone() //nolint:forcetypeassert // net/http's documented type
	transport.TLSClientConfig = &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}
	// The fault proxies forward to the front as many requests at once as the provider sends (a plan at
	// -parallelism=30 reads some 240 at once): with net/http's default of two idle connections a host, all but
	// two were closed after each burst and made again, a TLS handshake each, on a machine the tests already keep
	// busy. The emulator closes its own connection after every answer (werkzeug does not keep them alive), so
	// each request the front forwards is a handshake that moto makes in Python: on a busy machine it is slow,
	// not wrong, and waits up to a minute instead of net/http's 10 s, after which the front answered 502 Bad
	// Gateway and the provider's retries were spent on the harness (see also scripts/moto-tls.py's serve_tls).
	transport.MaxIdleConns = 0
	transport.MaxIdleConnsPerHost = 256
	transport.TLSHandshakeTimeout = time.Minute

	tlsPort, err := FreePort()
	if err != nil {
		cleanup()
		return nil, err
	}
	plainPort, err := FreePort()
	if err != nil {
		cleanup()
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "moto.log"))
	if err != nil {
		cleanup()
		return nil, err
	}
	cmd := exec.Command(python, launcher, "-H", "127.0.0.1", "--tls-port", fmt.Sprint(tlsPort),
		"--plain-port", fmt.Sprint(plainPort), "--ssl-cert", ca.Cert, "--ssl-key", ca.Key)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logFile.Close()
		cleanup()
		return nil, fmt.Errorf("starting %s %s: %w", python, launcher, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	stop := func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		logFile.Close()
		cleanup()
	}
	motoTLS = fmt.Sprintf("https://127.0.0.1:%d", tlsPort)
	motoPlain := fmt.Sprintf("http://127.0.0.1:%d", plainPort)
	client := &http.Client{Transport: transport, Timeout: 5 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if answers(client, motoTLS) && answers(client, motoPlain) {
			tlsURL, plainURL, stopFront, err := startFront(motoTLS, motoPlain, ca.Server, transport)
			if err != nil {
				stop()
				return nil, err
			}
			endpoint, plainEndpoint = tlsURL, plainURL
			return func() { stopFront(); stop() }, nil
		}
		select {
		case <-exited:
			log, _ := os.ReadFile(logFile.Name())
			stop()
			return nil, fmt.Errorf("the AWS emulator (%s %s) exited at start-up:\n%s", python, launcher, log)
		default:
		}
		if time.Now().After(deadline) {
			stop()
			return nil, errors.New("the AWS emulator did not answer within 60s on " + motoTLS + " and " + motoPlain)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// answers tells whether the emulator at base serves its API.
func answers(c *http.Client, base string) bool {
	resp, err := c.Get(base + "/moto-api/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return true
}

// motoPython returns the Python interpreter that runs the moto_server script at path, so the launcher
// imports the very moto that MOTO_SERVER names: the interpreter of the script's first line. A pyenv shim is
// a shell script that runs the real script of the selected version, which pyenv names.
func motoPython(path string) (string, error) {
	for range 3 {
		interp, err := shebang(path)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(filepath.Base(interp), "python") {
			return interp, nil
		}
		out, err := exec.Command(pyenv(), "which", filepath.Base(path)).Output()
		if err != nil {
			break
		}
		path = strings.TrimSpace(string(out))
	}
	return "", fmt.Errorf("cannot tell which Python runs the AWS emulator %s: its first line names no Python "+
		"interpreter and pyenv does not name the script it runs; set MOTO_SERVER to moto_server's own script", path)
}

// shebang returns the interpreter named on the first line of the script at path, looking it up in PATH
// when the line runs it through env.
func shebang(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if !strings.HasPrefix(line, "#!") || len(fields) == 0 {
		return "", nil
	}
	if filepath.Base(fields[0]) == "env" && len(fields) > 1 {
		return exec.LookPath(fields[1])
	}
	return fields[0], nil
}

// pyenv is the pyenv command: from PATH, else where pyenv installs itself.
func pyenv() string {
	if p, err := exec.LookPath("pyenv"); err == nil {
		return p
	}
	root := os.Getenv("PYENV_ROOT")
	if root == "" {
		home, _ := os.UserHomeDir()
		root = filepath.Join(home, ".pyenv")
	}
	return filepath.Join(root, "bin", "pyenv")
}

// launcherPath finds scripts/moto-tls.py in the module the tests run in; go test runs each package's
// tests in its own directory, inside the module.
func launcherPath() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "moto-tls.py"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("cannot find scripts/moto-tls.py: the tests do not run inside the provider's module")
		}
		dir = parent
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

// Endpoint returns the emulator's URL, served over TLS.
func Endpoint() string { return endpoint }

// PlainEndpoint returns the emulator's URL over plain HTTP, for tests that prove what a request without TLS
// is refused; everything else uses Endpoint, as the provider's users reach AWS over TLS.
func PlainEndpoint() string { return plainEndpoint }

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
		config.WithCustomCABundle(bytes.NewReader(caPEM)),
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

// S3OverPlainHTTP returns an S3 client that reaches the emulator without TLS, as a misconfigured client
// would reach AWS; a gdpr_bucket's policy must deny its object requests.
func S3OverPlainHTTP(t testing.TB, region string) *s3.Client {
	return s3.NewFromConfig(AWSConfig(t, region), func(o *s3.Options) {
		o.UsePathStyle = true
		o.BaseEndpoint = aws.String(plainEndpoint)
	})
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
    rds = %[2]q
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
