package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"golang.org/x/sync/errgroup"
)

// The move scenario measures the data-moving replacement of a gdpr_bucket (on_replace = "move_data"): one
// terraform apply that creates the new bucket, copies every object into it server-side and deletes the old
// one. hashicorp/aws has nothing like it, so the comparison is with what a user would run by hand, the AWS
// CLI's `aws s3 sync` between two buckets holding as many objects, on the same emulator.
const (
	// moveObjectSize is the size of every object: small, so the figures are about requests, not bytes.
	moveObjectSize = 1024
	// movePrefixes spreads the objects over a few prefixes, as real buckets hold them.
	movePrefixes = 4
	// seedConcurrency bounds the PutObject calls in flight while the benchmark fills a bucket: moto serves
	// one request at a time per Python thread, and more would only queue there.
	seedConcurrency = 16
)

// moveRun is one run of the move scenario.
type moveRun struct {
	// seed is the time the SDK took to put the objects into the gdpr bucket: the emulator's own pace for
	// one request per object, against which the two moves can be read.
	seed time.Duration
	// move is the terraform apply that replaces the bucket and moves its objects.
	move measure
	// sync is `aws s3 sync` between two buckets; its rssKiB is the CLI process's peak.
	sync measure
}

func moveScenario(n int) scenario {
	return scenario{name: fmt.Sprintf("move N=%d", n), n: n, unit: "object", move: true}
}

// moveConfig is the configuration the move starts from (expirationDays 30) and the one that moves (31).
func moveConfig(endpoint string, expirationDays int) string {
	return gdprProvider(endpoint) + gdprKey + fmt.Sprintf(`
resource "gdpr_bucket" "b" {
  bucket_prefix   = "move-"
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = %d
  on_replace      = "move_data"
  lifecycle {
    create_before_destroy = true
  }
}

output "bucket" {
  value = gdpr_bucket.b.bucket
}
`, expirationDays)
}

var stepMove = step{name: "apply (move)", args: []string{"apply", "-auto-approve"}}

// moveScenario runs the move scenario RUNS times.
func (r *runner) moveScenario(sc scenario) (*scenarioResult, error) {
	if len(r.o.moveDelays) > 0 {
		return r.latencyScenario(sc)
	}
	res := &scenarioResult{sc: sc}
	for run := 1; run <= r.o.runs; run++ {
		fmt.Fprintf(os.Stderr, "bench: %s, run %d of %d\n", sc.name, run, r.o.runs)
		mr, err := r.moveOnce(sc, run)
		if err != nil {
			return nil, fmt.Errorf("run %d: %w", run, err)
		}
		res.moves = append(res.moves, mr)
	}
	return res, nil
}

// moveOnce moves sc.n objects with the provider, then syncs as many with the AWS CLI, and checks after each
// that the destination holds every object: a move that did not do the work must not be timed as one.
func (r *runner) moveOnce(sc scenario, run int) (moveRun, error) {
	var mr moveRun
	ctx := context.Background()
	c := r.emu.s3Client()
	if err := r.emu.reset(); err != nil {
		return mr, err
	}
	dir, err := r.workDir(sc, gdpr, run)
	if err != nil {
		return mr, err
	}
	config := filepath.Join(dir, "main.tf")
	if err := os.WriteFile(config, []byte(moveConfig(r.emu.TLSEndpoint, 30)), 0o644); err != nil {
		return mr, err
	}
	if _, err := r.step(dir, stepApply); err != nil {
		return mr, fmt.Errorf("creating the bucket: %w", err)
	}
	old, err := r.output(dir, "bucket")
	if err != nil {
		return mr, err
	}
	start := time.Now()
	if err := putObjects(ctx, c, old, sc.n); err != nil {
		return mr, err
	}
	mr.seed = time.Since(start)

	if err := os.WriteFile(config, []byte(moveConfig(r.emu.TLSEndpoint, 31)), 0o644); err != nil {
		return mr, err
	}
	r.emu.take()
	if mr.move, err = r.step(dir, stepMove); err != nil {
		return mr, fmt.Errorf("%s: %w", stepMove.name, err)
	}
	moved, err := r.output(dir, "bucket")
	if err != nil {
		return mr, err
	}
	if moved == old {
		return mr, fmt.Errorf("the apply kept bucket %s instead of replacing it", old)
	}
	if err := checkObjects(ctx, c, moved, sc.n); err != nil {
		return mr, fmt.Errorf("after the move: %w", err)
	}
	if err := checkBuckets(ctx, c, []string{moved}, []string{old}); err != nil {
		return mr, fmt.Errorf("after the move: %w", err)
	}

	// The CLI's turn, on an emptied emulator, so it starts from the same nothing the provider did.
	if err := r.emu.reset(); err != nil {
		return mr, err
	}
	src, dst := "sync-src", "sync-dst"
	for _, b := range []string{src, dst} {
		if err := createBucket(ctx, c, b); err != nil {
			return mr, err
		}
	}
	if err := putObjects(ctx, c, src, sc.n); err != nil {
		return mr, err
	}
	r.emu.take()
	if mr.sync, err = r.awsSync(dir, src, dst); err != nil {
		return mr, err
	}
	if err := checkObjects(ctx, c, dst, sc.n); err != nil {
		return mr, fmt.Errorf("after aws s3 sync: %w", err)
	}
	// What the run left is dropped, not destroyed: destroying a bucket that holds objects takes force_destroy,
	// which the configuration measured must not carry.
	return mr, r.emu.reset()
}

// s3Client reaches the emulator over TLS through the counting proxy, trusting the run's CA, with as many
// connections as the seeding keeps in flight.
func (e *emulator) s3Client() *s3.Client {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.TLSClientConfig = &tls.Config{RootCAs: e.ca.Pool, MinVersion: tls.VersionTLS12}
		t.MaxIdleConnsPerHost = seedConcurrency
	})
	cfg := sdkaws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: sdkaws.String(e.TLSEndpoint),
		HTTPClient:   hc,
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// createBucket makes a plain bucket, without the TLS-only policy of a gdpr_bucket, for the AWS CLI.
func createBucket(ctx context.Context, c *s3.Client, name string) error {
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{
		Bucket:                    &name,
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)},
	})
	if err != nil {
		return fmt.Errorf("creating bucket %s: %w", name, err)
	}
	return nil
}

// objectKey and objectBody name and fill object i; each body differs, so a copy that mixed two up would not
// pass for the right one.
func objectKey(i int) string { return fmt.Sprintf("p%d/object-%06d", i%movePrefixes, i) }

func objectBody(i int) []byte {
	return bytes.Repeat([]byte(fmt.Sprintf("%015d\n", i)), moveObjectSize/16)
}

// putObjects puts n objects into bucket, seedConcurrency at a time. Each carries a CRC32 checksum, as S3
// stores one for every upload of today's SDKs and CLIs; moto keeps a checksum only when the request names
// its algorithm.
func putObjects(ctx context.Context, c *s3.Client, bucket string, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(seedConcurrency)
	for i := range n {
		g.Go(func() error {
			_, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: &bucket, Key: sdkaws.String(objectKey(i)), Body: bytes.NewReader(objectBody(i)),
				ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32,
			})
			if err != nil {
				return fmt.Errorf("putting object %d into %s: %w", i, bucket, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// checkObjects fails unless bucket holds exactly the n objects putObjects makes, each of its size.
func checkObjects(ctx context.Context, c *s3.Client, bucket string, n int) error {
	want := make(map[string]bool, n)
	for i := range n {
		want[objectKey(i)] = true
	}
	got := 0
	var problems []string
	pages := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: &bucket})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("listing %s: %w", bucket, err)
		}
		for _, o := range page.Contents {
			got++
			key := sdkaws.ToString(o.Key)
			switch {
			case !want[key]:
				problems = append(problems, "unexpected object "+key)
			case sdkaws.ToInt64(o.Size) != moveObjectSize:
				problems = append(problems, fmt.Sprintf("%s holds %d bytes, want %d", key, sdkaws.ToInt64(o.Size), moveObjectSize))
			}
			delete(want, key)
		}
	}
	if len(want) > 0 {
		problems = append(problems, fmt.Sprintf("%d objects missing", len(want)))
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], fmt.Sprintf("and %d more", len(problems)-5))
		}
		return fmt.Errorf("bucket %s holds %d objects, want the %d put: %s", bucket, got, n, strings.Join(problems, "; "))
	}
	return nil
}

// checkBuckets fails unless every bucket of present exists and none of gone does.
func checkBuckets(ctx context.Context, c *s3.Client, present, gone []string) error {
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		return fmt.Errorf("listing buckets: %w", err)
	}
	have := map[string]bool{}
	for _, b := range out.Buckets {
		have[sdkaws.ToString(b.Name)] = true
	}
	for _, b := range present {
		if !have[b] {
			return fmt.Errorf("bucket %s does not exist", b)
		}
	}
	for _, b := range gone {
		if have[b] {
			return fmt.Errorf("bucket %s still exists", b)
		}
	}
	return nil
}

// output returns the value of the configuration's output name in dir: the bucket a move manages, or the key
// hashicorp/aws's import in the scale scenario encrypts with.
func (r *runner) output(dir, name string) (string, error) {
	cmd := exec.Command(r.o.terraform, "-chdir="+dir, "output", "-raw", name)
	cmd.Env = r.env()
	out, err := cmd.Output()
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", fmt.Errorf("terraform output %s: %w: %s", name, err, exit.Stderr)
		}
		return "", fmt.Errorf("terraform output %s: %w", name, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// awsSync times `aws s3 sync` from src to dst through the counting proxy over TLS, with dummy credentials,
// path-style addressing and a configuration of its own in dir, so nothing of the user's AWS setup applies.
func (r *runner) awsSync(dir, src, dst string) (measure, error) {
	cfg := filepath.Join(dir, "aws-cli.config")
	if err := os.WriteFile(cfg, []byte("[default]\nregion = "+region+"\ns3 =\n    addressing_style = path\n"), 0o600); err != nil {
		return measure{}, err
	}
	cmd := exec.Command(r.o.awsCLI, "s3", "sync", "s3://"+src, "s3://"+dst,
		"--endpoint-url", r.emu.TLSEndpoint, "--only-show-errors", "--no-progress")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CA_BUNDLE="+r.emu.CABundle, "AWS_CONFIG_FILE="+cfg, "AWS_SHARED_CREDENTIALS_FILE="+cfg,
		"AWS_EC2_METADATA_DISABLED=true")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	m := measure{wall: time.Since(start), requests: r.emu.take()}
	if err != nil {
		return m, fmt.Errorf("aws s3 sync: %w:\n%s", err, tail(out.String(), 40))
	}
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKiB = usage.Maxrss
	}
	return m, nil
}
