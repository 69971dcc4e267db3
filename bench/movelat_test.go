package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestForFake_sendsObjectsToTheFakeAndConfigurationToMoto(t *testing.T) {
	for _, tc := range []struct {
		method, target string
		header         string
		fake, mirror   bool
	}{
		{method: "HEAD", target: "/b/p0/object-000001?versionId=v1", fake: true},
		{method: "GET", target: "/b/p0/object-000001", fake: true},
		{method: "PUT", target: "/b/p0/object-000001", header: "X-Amz-Copy-Source", fake: true},
		{method: "GET", target: "/b?versions&encoding-type=url", fake: true},
		{method: "GET", target: "/b?list-type=2&prefix=", fake: true},
		{method: "POST", target: "/b?delete", fake: true},
		{method: "GET", target: "/b?prefix=p0&max-keys=10", fake: true},
		{method: "GET", target: "/b?encryption"},
		{method: "GET", target: "/b?object-lock"},
		{method: "PUT", target: "/b?tagging"},
		{method: "HEAD", target: "/b"},
		{method: "GET", target: "/?prefix=move-"},
		{method: "POST", target: "/", header: "X-Amz-Target"},
		{method: "PUT", target: "/b", mirror: true},
		{method: "PUT", target: "/b?versioning", mirror: true},
		{method: "DELETE", target: "/b?x-id=DeleteBucket", mirror: true},
		{method: "PUT", target: "/b?policy"},
	} {
		r := httptest.NewRequest(tc.method, tc.target, nil)
		if tc.header != "" {
			r.Header.Set(tc.header, "x")
		}
		if got := forFake(r); got != tc.fake {
			t.Errorf("%s %s: for the fake = %v, want %v", tc.method, tc.target, got, tc.fake)
		}
		if got := mirrored(r); got != tc.mirror {
			t.Errorf("%s %s: mirrored = %v, want %v", tc.method, tc.target, got, tc.mirror)
		}
	}
}

// fakeClient is an SDK client of a fake S3 served over plain HTTP.
func fakeClient(t *testing.T, f *fakeS3) *s3.Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return s3.NewFromConfig(sdkaws.Config{
		Region: region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: sdkaws.String(srv.URL),
	}, func(o *s3.Options) { o.UsePathStyle = true })
}

// TestFakeS3_copyAnswersWithTheCopysOwnChecksumAndKey proves the fake answers a CopyObject as S3 does where the
// move checks it: the checksum asked for, computed from the bytes the copy holds (a source whose recorded
// checksum is wrong gets a copy whose checksum is right, so the move would see the difference), and the KMS key
// the copy was encrypted under; and that a HEAD of a seeded object reports its checksum.
func TestFakeS3_copyAnswersWithTheCopysOwnChecksumAndKey(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3()
	c := fakeClient(t, f)
	for _, b := range []string{"src", "dst"} {
		if err := createBucket(ctx, c, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.put("src", 2); err != nil {
		t.Fatal(err)
	}
	key0, key1 := objectKey(0), objectKey(1)
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: sdkaws.String("src"), Key: &key0, ChecksumMode: s3types.ChecksumModeEnabled})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sdkaws.ToString(head.ChecksumCRC32), checksum("CRC32", objectBody(0)); got != want {
		t.Errorf("HEAD of a seeded object: CRC32 %q, want %q", got, want)
	}
	// Object 1 claims object 0's checksum: the copy must not repeat the claim.
	obj, err := f.backend.GetObject("src", key1, nil)
	if err != nil {
		t.Fatal(err)
	}
	obj.Contents.Close()
	obj.Metadata["X-Amz-Checksum-Crc32"] = checksum("CRC32", objectBody(0))
	if _, err := f.backend.PutObject("src", key1, obj.Metadata, strings.NewReader(string(objectBody(1))), int64(len(objectBody(1))), nil); err != nil {
		t.Fatal(err)
	}
	const kmsKey = "arn:aws:kms:eu-west-1:123456789012:key/k"
	for _, key := range []string{key0, key1} {
		out, err := c.CopyObject(ctx, &s3.CopyObjectInput{
			Bucket: sdkaws.String("dst"), Key: sdkaws.String(key), CopySource: sdkaws.String("src/" + key + "?versionId=v"),
			ChecksumAlgorithm: s3types.ChecksumAlgorithmCrc32, ServerSideEncryption: s3types.ServerSideEncryptionAwsKms,
			SSEKMSKeyId: sdkaws.String(kmsKey),
		})
		if err != nil {
			t.Fatal(err)
		}
		body := objectBody(0)
		if key == key1 {
			body = objectBody(1)
		}
		if out.CopyObjectResult == nil {
			t.Fatalf("copy of %s: no CopyObjectResult", key)
		}
		if got, want := sdkaws.ToString(out.CopyObjectResult.ChecksumCRC32), checksum("CRC32", body); got != want {
			t.Errorf("copy of %s: answer's CRC32 %q, want %q, the checksum of what the copy holds", key, got, want)
		}
		if got := sdkaws.ToString(out.SSEKMSKeyId); got != kmsKey {
			t.Errorf("copy of %s: answer names KMS key %q, want %q", key, got, kmsKey)
		}
	}
	if err := f.checkContent("dst", 2); err != nil {
		t.Error(err)
	}
	if err := f.checkContent("src", 3); err == nil || !strings.Contains(err.Error(), objectKey(2)) {
		t.Errorf("a missing object passed the content check: %v", err)
	}
}

// TestEmulator_latencyFrontDelaysEveryRequestAndKeepsObjectsInTheFake proves what the latency-bound move stands
// on: with a fake S3 in front, every request waits the delay, a bucket is made in both moto and the fake, its
// configuration stays with moto and its objects with the fake, a bucket holding objects is not deleted, and
// aws s3 sync through the proxy copies every object with its content, its copying phase measured.
func TestEmulator_latencyFrontDelaysEveryRequestAndKeepsObjectsInTheFake(t *testing.T) {
	e := startTestEmulator(t)
	ctx := context.Background()
	c := e.s3Client()
	fake := newFakeS3()
	const delay = 60 * time.Millisecond
	e.setFront(frontSettings{delay: delay, fake: fake})
	defer e.setFront(frontSettings{})
	for _, b := range []string{"src", "dst"} {
		if err := createBucket(ctx, c, b); err != nil {
			t.Fatal(err)
		}
		if ok, err := fake.backend.BucketExists(b); err != nil || !ok {
			t.Fatalf("bucket %s was not made in the fake: %v", b, err)
		}
	}
	if err := checkBuckets(ctx, c, []string{"src", "dst"}, nil); err != nil {
		t.Fatalf("the buckets were not made in moto: %v", err)
	}
	if _, err := c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: sdkaws.String("src"), Tagging: &s3types.Tagging{
		TagSet: []s3types.Tag{{Key: sdkaws.String("k"), Value: sdkaws.String("v")}},
	}}); err != nil {
		t.Fatalf("a bucket's tags go to moto, which keeps them: %v", err)
	}
	const n = 40
	if err := fake.put("src", n); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := checkObjects(ctx, c, "src", n); err != nil {
		t.Fatalf("the listing did not come from the fake: %v", err)
	}
	if took := time.Since(start); took < delay {
		t.Errorf("a listing took %s, less than the %s delay", took, delay)
	}
	_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: sdkaws.String("src")})
	var apiErr interface{ ErrorCode() string }
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "BucketNotEmpty" {
		t.Errorf("deleting a bucket the fake holds objects in: %v, want BucketNotEmpty", err)
	}
	if err := checkBuckets(ctx, c, []string{"src"}, nil); err != nil {
		t.Errorf("moto deleted a bucket the fake refused to: %v", err)
	}

	cli, err := exec.LookPath(envOr("AWS_CLI", "aws"))
	if err != nil {
		t.Skipf("the AWS CLI is not installed: %v", err)
	}
	e.take()
	e.takeCopying()
	r := &runner{o: &options{awsCLI: cli}, emu: e}
	m, err := r.awsSync(t.TempDir(), "src", "dst")
	if err != nil {
		t.Fatal(err)
	}
	phase := e.takeCopying()
	if err := fake.checkContent("dst", n); err != nil {
		t.Error(err)
	}
	if got := m.requests["s3:CopyObject"]; got != n {
		t.Errorf("the proxy counted %d copies, want %d (all: %s)", got, n, opsSummary(m.requests))
	}
	// 40 copies, 10 at a time, each held 60 ms: at least four rounds of the delay.
	if phase.requests < n || phase.span() < 4*delay {
		t.Errorf("copying phase: %d requests in %s, want at least %d in at least %s", phase.requests, phase.span(), n, 4*delay)
	}
}

func TestRenderLatency_comparesTheMoveWithTheCLIAndNamesTheBound(t *testing.T) {
	run := func(endpoint string, delay time.Duration, n int, move, moveCopy, sync, syncCopy time.Duration) latencyRun {
		return latencyRun{
			latencyCase: latencyCase{endpoint, delay, n},
			move:        measure{wall: move, rssKiB: 45 * 1024, requests: map[string]int{"s3:CopyObject": n, "s3:HEAD/object": 2 * n}},
			sync:        measure{wall: sync, rssKiB: 70 * 1024, requests: map[string]int{"s3:CopyObject": n}},
			moveCopy:    copying{first: time.Unix(0, 0), last: time.Unix(0, 0).Add(moveCopy), requests: 2 * n},
			syncCopy:    copying{first: time.Unix(0, 0), last: time.Unix(0, 0).Add(syncCopy), requests: n},
		}
	}
	sc := moveScenario(1000)
	sc.name = "move, latency-bound N=1000"
	res := &scenarioResult{sc: sc, latency: []latencyRun{
		run(onMoto, 0, 100, 10*time.Second, 2*time.Second, 10*time.Second, time.Second),
		run(onMoto, 20*time.Millisecond, 100, 10*time.Second, 2*time.Second, 10*time.Second, time.Second),
		run(onFake, 0, 1000, 5*time.Second, 2*time.Second, 5*time.Second, 2*time.Second),
		run(onFake, 50*time.Millisecond, 1000, 10*time.Second, 5*time.Second, 12*time.Second, 10*time.Second),
	}}
	report := renderReport(&options{runs: 1, parallelism: 10}, []*scenarioResult{res}, "machine")
	for _, want := range []string{
		fmt.Sprintf("| gofakes3 | 50ms | 1000 | gdpr: `terraform apply` (move) | 10.00 | 100 | 5.00 | 200 | 3.00 | 400 | %.0f | 45 |", moveInFlight/0.05),
		"| gofakes3 | 50ms | 1000 | AWS CLI: `aws s3 sync` | 12.00 | 83 | 10.00 | 100 | 1.00 | 100 | 200 | 70 |",
		fmt.Sprintf("- moto, the move at 20ms: 50 objects/s against 50 with no delay (100 requests/s served then), 100%%; "+
			"its requests in flight over the delay allow %.0f objects/s: the delay hardly slows it: moto, or the client itself, is the bound.", moveInFlight/0.02/2),
		"- gofakes3, aws s3 sync at 50ms: 100 objects/s against 500 with no delay (500 requests/s served then), 20%; " +
			"its requests in flight over the delay allow 200 objects/s: the delay sets the pace; gofakes3 is not the bound.",
		"| 50ms | 1.20x | 2.00x | missed | 45 | met |",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "Move as the number of objects grows") {
		t.Errorf("the latency-bound move has no growth table of the moto-bound move:\n%s", report)
	}
}

// TestFakeS3_listsVersionsPageByPage proves the fake's version listing can be paged through, as the move,
// its plan and a bucket's deletion page through it: every version once, a thousand at a time, in a versioned
// bucket and in one never versioned (whose versions S3 names "null"). gofakes3's own listing gives no markers
// to go on from, and a client paging on is given the first page again, for ever.
func TestFakeS3_listsVersionsPageByPage(t *testing.T) {
	ctx := context.Background()
	f := newFakeS3()
	c := fakeClient(t, f)
	const n = 2500
	for _, b := range []string{"versioned", "plain"} {
		if err := createBucket(ctx, c, b); err != nil {
			t.Fatal(err)
		}
		if b == "versioned" {
			if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: sdkaws.String(b),
				VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.put(b, n); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		pages := 0
		listing := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: sdkaws.String(b)})
		for listing.HasMorePages() && pages <= n/1000+1 {
			out, err := listing.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, v := range out.Versions {
				id := sdkaws.ToString(v.Key) + "@" + sdkaws.ToString(v.VersionId)
				if seen[id] {
					t.Fatalf("%s: version %s listed twice", b, id)
				}
				if b == "plain" && sdkaws.ToString(v.VersionId) != "null" {
					t.Errorf("%s: version of %s named %q, want null", b, sdkaws.ToString(v.Key), sdkaws.ToString(v.VersionId))
				}
				seen[id] = true
			}
		}
		if len(seen) != n || pages != 3 || listing.HasMorePages() {
			t.Errorf("%s: %d versions in %d pages, more pages %v; want %d in 3", b, len(seen), pages, listing.HasMorePages(), n)
		}
		if err := checkObjects(ctx, c, b, n); err != nil {
			t.Error(err)
		}
	}
}
