package bucket_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// moveWorkdir is a working directory whose bucket, with on_replace = "move_data", is replaced by changing
// var.days; the provider talks to S3 through proxy.
func moveWorkdir(t *testing.T, proxy *acctest.FaultProxy, prefix string) *acctest.Workdir {
	return moveWorkdirAnd(t, proxy, prefix, "")
}

// moveWorkdirAnd is moveWorkdir with more of the configuration: extra.
func moveWorkdirAnd(t *testing.T, proxy *acctest.FaultProxy, prefix, extra string) *acctest.Workdir {
	return acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, acctest.Region, "1", fmt.Sprintf(`
variable "days" {
  default = 30
}

variable "force" {
  default = false
}

resource "gdpr_key" "test" {
  description          = "move faults %[1]s"
  deletion_window_days = 7
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = %[1]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = var.days
  on_replace      = "move_data"
  force_destroy   = var.force
  lifecycle {
    create_before_destroy = true
  }
}
%[2]s`, prefix, extra)))
}

// seedSmall puts n small objects into bucket and returns them.
func seedSmall(t *testing.T, bucket string, n int) map[string]storedObject {
	t.Helper()
	want := map[string]storedObject{}
	for i := range n {
		key := fmt.Sprintf("subjects/%03d.json", i)
		body := fmt.Sprintf(`{"subject":%d}`, i)
		acctest.PutObject(t, bucket, key, body, func(in *s3.PutObjectInput) { in.ContentType = aws.String("application/json") })
		sum := sha256.Sum256([]byte(body))
		want[key] = storedObject{sha256: hex.EncodeToString(sum[:]), size: int64(len(body)), contentType: "application/json"}
	}
	return want
}

// lostNothing fails when an object of want is neither in bucket from nor, identical, in bucket to: whatever
// a failed move did, every object must be somewhere.
func lostNothing(t *testing.T, want map[string]storedObject, from, to string) {
	t.Helper()
	c := acctest.S3(t, acctest.Region)
	sumOf := func(bucket, key string) string {
		out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			return ""
		}
		defer out.Body.Close()
		h := sha256.New()
		if _, err := io.Copy(h, out.Body); err != nil {
			return ""
		}
		return hex.EncodeToString(h.Sum(nil))
	}
	for key, w := range want {
		if sumOf(from, key) != w.sha256 && (to == "" || sumOf(to, key) != w.sha256) {
			t.Errorf("object %s is in neither %s nor %s", key, from, to)
		}
	}
}

// bucketNames returns the emulator's buckets with prefix, sorted (the generated names sort by creation).
func bucketNames(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).ListBuckets(context.Background(), &s3.ListBucketsInput{Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		if strings.HasPrefix(aws.ToString(b.Name), prefix) {
			names = append(names, aws.ToString(b.Name))
		}
	}
	slices.Sort(names)
	return names
}

// moveCalls replaces a bucket holding objects once without faults and returns the S3 calls of that apply,
// and where the move's own calls begin: after the new bucket's CreateBucket and the setup that follows it,
// whose faults the create's fault tests cover.
func moveCalls(t *testing.T) (calls []string, start int) {
	prefix := movePrefix()
	proxy := acctest.NewProxy(t)
	w := moveWorkdir(t, proxy, prefix)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	seedSmall(t, bucketNames(t, prefix)[0], 30)
	proxy.Reset()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
	calls = proxy.Seen()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31", "-var", "force=true")
	w.MustTerraform("destroy", "-input=false", "-auto-approve", "-var", "days=31", "-var", "force=true")
	create := slices.Index(calls, "s3:PUT")
	if create < 0 {
		t.Fatalf("the replacement made no CreateBucket: %v", calls)
	}
	// The create ends with the bucket's tags, which carry the mark of a bucket awaiting data.
	end := slices.Index(calls[create:], "s3:PUT?tagging")
	if end < 0 {
		t.Fatalf("the new bucket's create wrote no tags: %v", calls)
	}
	return calls, create + end + 1
}

// TestAccBucket_moveConvergesAfterAFaultAtAnyCall fails, in turn, the first request of each S3 operation a
// move makes (each tagging, and one in the middle of the copies and of the checks), and every later request
// of it, with a fault no retryer retries. The failed apply must leave every object either still in the old bucket or
// verified in the new one; the next apply, without faults, must finish the move by itself: the old bucket gone,
// every object in the new one, identical, and an empty plan. A fault before the move has begun (the calls
// that write the pairing on the old bucket) leaves the pairing the new bucket's create wrote on it.
func TestAccBucket_moveConvergesAfterAFaultAtAnyCall(t *testing.T) {
	acctest.RequireEmulator(t)
	calls, start := moveCalls(t)
	type target struct {
		op  string
		nth int // counted from the apply's first request, as FailFrom counts
	}
	var targets []target
	first := map[string]int{}
	counted := map[string]int{}
	for i, c := range calls {
		if !strings.HasPrefix(c, "s3:") {
			continue
		}
		counted[c]++
		// The first request of each operation of the move is a target, and every tagging of a bucket (the
		// pairing of the two buckets, then the running record); a copy and a check in the middle follow below.
		if i >= start && (first[c] == 0 || c == "s3:PUT?tagging") {
			if first[c] == 0 {
				first[c] = counted[c]
			}
			targets = append(targets, target{c, counted[c]})
		}
	}
	// A fault in the middle of the copies and of the checks, besides at their first request.
	targets = append(targets, target{"s3:PUT/object", first["s3:PUT/object"] + 14}, target{"s3:HEAD/object", first["s3:HEAD/object"] + 29})
	t.Logf("the move's calls: %v", calls[start:])

	for _, tc := range targets {
		t.Run(fmt.Sprintf("%s#%d", tc.op, tc.nth), func(t *testing.T) {
			t.Parallel()
			prefix := movePrefix()
			proxy := acctest.NewProxy(t)
			w := moveWorkdir(t, proxy, prefix)
			old, want := bucketWithObjects(t, w, prefix, 30)

			proxy.Reset()
			proxy.FailFrom(tc.op, tc.nth, acctest.AccessDenied)
			out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
			if err == nil {
				t.Fatalf("the apply succeeded although request %d of %s failed:\n%s", tc.nth, tc.op, out)
			}
			if proxy.FailedOperation() != tc.op {
				t.Fatalf("the fault never hit request %d of %s (calls %v)", tc.nth, tc.op, proxy.Seen())
			}
			names := bucketNames(t, prefix)
			successor := ""
			if len(names) > 1 {
				successor = names[len(names)-1]
			}
			if slices.Contains(names, old) {
				lostNothing(t, want, old, successor)
			} else if err := checkObjects(t, successor, want, keyARNOf(t, w)); err != nil {
				t.Fatalf("the old bucket is gone although the move did not finish: %v", err)
			}

			proxy.Disable()
			out, err = w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
			if err != nil {
				t.Fatalf("the apply after the fault did not finish the move:\n%s", out)
			}
			moveFinished(t, w, prefix, old, want)
		})
	}
}

// bucketWithObjects applies the working directory's bucket, puts n objects into it and returns its name and
// the objects; the test's cleanup lets the destroy erase whatever bucket then holds them.
func bucketWithObjects(t *testing.T, w *acctest.Workdir, prefix string, n int) (string, map[string]storedObject) {
	t.Helper()
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	old := bucketNames(t, prefix)[0]
	want := seedSmall(t, old, n)
	t.Cleanup(func() {
		w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31", "-var", "force=true")
		w.MustTerraform("destroy", "-input=false", "-auto-approve", "-var", "days=31", "-var", "force=true")
	})
	return old, want
}

// moveFinished fails unless the move out of bucket old is finished: the new bucket alone left with the
// prefix, holding every object of want identical under the working directory's key, and an empty plan.
func moveFinished(t *testing.T, w *acctest.Workdir, prefix, old string, want map[string]storedObject) {
	t.Helper()
	names := bucketNames(t, prefix)
	if len(names) != 1 || names[0] == old {
		t.Fatalf("buckets with the prefix after the converging apply: %v, want the new one alone", names)
	}
	if err := checkObjects(t, names[0], want, keyARNOf(t, w)); err != nil {
		t.Fatal(err)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color", "-var", "days=31"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}

// keyARNOf returns the ARN of the working directory's key.
func keyARNOf(t *testing.T, w *acctest.Workdir) func() string {
	return func() string {
		ids := acctest.StateIDs(t, w, "gdpr_key")
		if len(ids) != 1 {
			t.Fatalf("keys in the state: %v", ids)
		}
		return "arn:aws:kms:" + acctest.Region + ":123456789012:key/" + ids[0]
	}
}

// TestAccBucket_moveConvergesAfterACrash kills the provider in the middle of a move: after a copy, after a
// check, and after the deletion of the old bucket's verified versions took effect but before the provider
// learnt it did. The next apply, in a new provider process, must finish the move from what S3 holds.
func TestAccBucket_moveConvergesAfterACrash(t *testing.T) {
	acctest.RequireEmulator(t)
	// The plan makes one HEAD per current object (30) before the move makes its own.
	for _, tc := range []struct {
		op  string
		nth int
	}{{"s3:PUT/object", 15}, {"s3:HEAD/object", 30 + 30}, {"s3:POST?delete", 1}} {
		t.Run(fmt.Sprintf("%s#%d", tc.op, tc.nth), func(t *testing.T) {
			t.Parallel()
			prefix := movePrefix()
			var bin string
			var seen atomic.Int32
			var armed, fired atomic.Bool
			proxy := acctest.NewProxy(t, &acctest.Rule{
				Match: func(_ *http.Request, op string) bool {
					return armed.Load() && op == tc.op && int(seen.Add(1)) == tc.nth
				},
				Fault: acctest.Crash,
				Then: func() {
					fired.Store(true)
					acctest.KillProcesses(bin)
				},
			})
			w := moveWorkdir(t, proxy, prefix)
			bin = w.OwnBinary()
			old, want := bucketWithObjects(t, w, prefix, 30)

			armed.Store(true)
			out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
			if !fired.Load() || err == nil {
				t.Fatalf("the provider was not killed at request %d of %s (err %v):\n%s", tc.nth, tc.op, err, out)
			}
			names := bucketNames(t, prefix)
			if !slices.Contains(names, old) || len(names) != 2 {
				t.Fatalf("buckets after the crash: %v, want the old %s and its successor", names, old)
			}
			lostNothing(t, want, old, names[1])

			proxy.Disable()
			w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
			moveFinished(t, w, prefix, old, want)
		})
	}
}

// TestAccBucket_moveConvergesAfterAnInterrupt interrupts an apply with Ctrl-C (SIGINT) while its move copies
// objects. Terraform asks the provider to stop; the move must stop without erasing anything it has not
// verified, and the next apply must finish it.
func TestAccBucket_moveConvergesAfterAnInterrupt(t *testing.T) {
	acctest.RequireEmulator(t)
	prefix := movePrefix()
	var cmd atomic.Pointer[exec.Cmd]
	var copies atomic.Int32
	var interrupted atomic.Bool
	// Copies are slowed down so the interrupt lands in the middle of them.
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Delay, Pause: 100 * time.Millisecond,
		Match: func(_ *http.Request, op string) bool {
			c := cmd.Load()
			if op != "s3:PUT/object" || c == nil {
				return false
			}
			if copies.Add(1) == 5 && interrupted.CompareAndSwap(false, true) {
				_ = c.Process.Signal(syscall.SIGINT)
			}
			return true
		}})
	w := moveWorkdir(t, proxy, prefix)
	old, want := bucketWithObjects(t, w, prefix, 60)

	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	c := exec.Command(bin, "-chdir="+w.Dir, "apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
	c.Env = append(os.Environ(), w.Env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.Store(c)
	err := c.Wait()
	if !interrupted.Load() || err == nil {
		t.Fatalf("the apply was not interrupted during the copies (%d copies, err %v):\n%s", copies.Load(), err, out.String())
	}
	names := bucketNames(t, prefix)
	if !slices.Contains(names, old) {
		t.Fatalf("the old bucket is gone after the interrupted move (buckets %v):\n%s", names, out.String())
	}
	lostNothing(t, want, old, names[len(names)-1])

	proxy.Disable()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
	moveFinished(t, w, prefix, old, want)
}

// TestAccBucket_moveKeepsTheSourceOfACopyThatDiffers corrupts the copy of one object: each time the move
// copies it, the new bucket's object is overwritten with other bytes of the same size and CopyObject's answer
// carries the checksum of those bytes, as when S3 acknowledges a copy that differs from its source. The move
// must not erase that object from the old bucket: the apply fails naming it, and every object is still in the
// old bucket. The next apply, without the fault, must finish the move, which finds the differing copy already
// in the new bucket and copies it again rather than take it as moved: the old bucket gone, every object
// identical in the new one under its key, and an empty plan.
func TestAccBucket_moveKeepsTheSourceOfACopyThatDiffers(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	const victim = "subjects/007.json"
	prefix := movePrefix()
	c := acctest.S3(t, acctest.Region)
	checksum := regexp.MustCompile(`<(Checksum[A-Z0-9]+)>[^<]*</Checksum[A-Z0-9]+>`)
	var armed atomic.Bool
	var corrupted atomic.Int32
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(r *http.Request, op string) bool {
			return armed.Load() && op == "s3:PUT/object" && r.Header.Get("X-Amz-Copy-Source") != "" && strings.HasSuffix(r.URL.Path, "/"+victim)
		},
		Fault: acctest.Tamper,
		Answer: func(r *http.Request, body []byte) []byte {
			bucket, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
			// Bytes of the same size, so that only the content tells them from the source.
			out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(victim),
				Body: strings.NewReader(`{"subject":9}`), ContentType: aws.String("application/json"),
				ChecksumAlgorithm: s3types.ChecksumAlgorithm(strings.ToUpper(r.Header.Get("X-Amz-Checksum-Algorithm")))})
			if err != nil {
				t.Errorf("corrupting the copy of %s: %v", victim, err)
				return body
			}
			sum := ""
			for _, v := range []*string{out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256} {
				if aws.ToString(v) != "" {
					sum = aws.ToString(v)
				}
			}
			if !checksum.Match(body) || sum == "" {
				t.Errorf("CopyObject's answer %s or the corrupting PutObject's carries no checksum to replace", body)
				return body
			}
			corrupted.Add(1)
			return checksum.ReplaceAll(body, []byte("<$1>"+sum+"</$1>"))
		},
	})
	w := moveWorkdir(t, proxy, prefix)
	old, want := bucketWithObjects(t, w, prefix, 30)
	if want[victim].size != int64(len(`{"subject":9}`)) {
		t.Fatalf("the corrupted copy of %s must have the size of its source, %d bytes", victim, want[victim].size)
	}

	armed.Store(true)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
	armed.Store(false)
	if corrupted.Load() == 0 {
		t.Fatalf("no copy of %s was corrupted: the test proves nothing (err %v):\n%s", victim, err, out)
	}
	if err == nil {
		t.Fatalf("the apply succeeded although every copy of %s differed from its source:\n%s", victim, out)
	}
	if folded := strings.Join(strings.Fields(out), " "); !strings.Contains(folded, fmt.Sprintf(`object %q: %s`, victim, awsapi.ErrNotIdentical)) {
		t.Errorf("the failed apply does not name %s as differing from its source:\n%s", victim, out)
	}
	names := bucketNames(t, prefix)
	if !slices.Contains(names, old) || len(names) != 2 {
		t.Fatalf("buckets after the failed move: %v, want the old %s and its successor", names, old)
	}
	src, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(old), Key: aws.String(victim)})
	if err != nil {
		t.Fatalf("the source of the corrupted copy was erased from %s: %v", old, err)
	}
	body, err := io.ReadAll(src.Body)
	src.Body.Close()
	if sum := sha256.Sum256(body); err != nil || hex.EncodeToString(sum[:]) != want[victim].sha256 {
		t.Fatalf("the source of the corrupted copy in %s holds %q (%v), want its original content", old, body, err)
	}
	lostNothing(t, want, old, names[1])

	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
	names = bucketNames(t, prefix)
	if len(names) != 1 || names[0] == old {
		t.Fatalf("buckets with the prefix after the converging apply: %v, want the new one alone", names)
	}
	moved, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(names[0]), Key: aws.String(victim)})
	if err != nil {
		t.Fatalf("%s is not in the new bucket %s: %v", victim, names[0], err)
	}
	body, err = io.ReadAll(moved.Body)
	moved.Body.Close()
	if sum := sha256.Sum256(body); err != nil || hex.EncodeToString(sum[:]) != want[victim].sha256 {
		t.Fatalf("the new bucket's %s holds %q (%v), not its source's content: a copy that differs was taken as moved", victim, body, err)
	}
	// Each corrupted copy stays in the versioned new bucket as a noncurrent version under the good one.
	if err := checkObjectsAnd(t, names[0], want, int(2*corrupted.Load()), keyARNOf(t, w)); err != nil {
		t.Fatal(err)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color", "-var", "days=31"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}

// TestAccBucket_moveRefusesACopyUnderAnotherKey: a copy that S3 says it encrypted under another KMS key than
// the new bucket's is not taken as moved, whatever its checksum: deleting the new bucket's key would not erase
// it. The apply fails naming the object and both keys, the source stays, and the next apply converges.
func TestAccBucket_moveRefusesACopyUnderAnotherKey(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	const victim = "subjects/011.json"
	const otherKey = "arn:aws:kms:eu-central-1:123456789012:key/00000000-0000-4000-8000-00000000a053"
	prefix := movePrefix()
	var armed atomic.Bool
	var tampered atomic.Int32
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(r *http.Request, op string) bool {
			return armed.Load() && op == "s3:PUT/object" && r.Header.Get("X-Amz-Copy-Source") != "" && strings.HasSuffix(r.URL.Path, "/"+victim)
		},
		Fault: acctest.Tamper,
		Header: func(_ *http.Request, h http.Header) {
			tampered.Add(1)
			h.Set("X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id", otherKey)
		},
	})
	w := moveWorkdir(t, proxy, prefix)
	old, want := bucketWithObjects(t, w, prefix, 30)

	armed.Store(true)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
	armed.Store(false)
	if tampered.Load() == 0 {
		t.Fatalf("no copy of %s was answered with another key: the test proves nothing (err %v):\n%s", victim, err, out)
	}
	if err == nil {
		t.Fatalf("the apply succeeded although every copy of %s was said to be encrypted under %s:\n%s", victim, otherKey, out)
	}
	folded := strings.Join(strings.Fields(out), " ")
	if !strings.Contains(folded, fmt.Sprintf(`object %q: %s: it is encrypted under the KMS key %q, not the new bucket's key`, victim, awsapi.ErrNotIdentical, otherKey)) {
		t.Errorf("the failed apply does not name %s and the key its copy is under:\n%s", victim, out)
	}
	names := bucketNames(t, prefix)
	if !slices.Contains(names, old) || len(names) != 2 {
		t.Fatalf("buckets after the failed move: %v, want the old %s and its successor", names, old)
	}
	if _, err := acctest.S3(t, acctest.Region).HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(old), Key: aws.String(victim)}); err != nil {
		t.Fatalf("the source of the copy under another key was erased from %s: %v", old, err)
	}
	lostNothing(t, want, old, names[1])

	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "days=31")
	names = bucketNames(t, prefix)
	if len(names) != 1 || names[0] == old {
		t.Fatalf("buckets with the prefix after the converging apply: %v, want the new one alone", names)
	}
	// Each refused copy was written (under the right key, whatever the answer said): the first stays as a
	// noncurrent version under the last.
	if err := checkObjectsAnd(t, names[0], want, int(tampered.Load())-1, keyARNOf(t, w)); err != nil {
		t.Fatal(err)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color", "-var", "days=31"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}
