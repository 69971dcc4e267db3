package bucket_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
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

// bucketOf names the bucket a path-style S3 request is about.
func bucketOf(r *http.Request) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	return name
}

// TestAccBucket_moveResumesAfterACrashBeforeItBegins kills the provider right after the new bucket's create
// has returned: at the first request of the old bucket's delete, which never reaches S3. The pairing of the
// two buckets then lived nowhere but in S3, so the next plain apply must find it there and finish the move
// with no command typed: every object in the new bucket, the old bucket gone, an empty plan. When the new
// bucket is tainted in between, the next apply replaces it too, and the data must end in the bucket it makes.
func TestAccBucket_moveResumesAfterACrashBeforeItBegins(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	for _, taint := range []bool{false, true} {
		t.Run(map[bool]string{false: "next apply", true: "new bucket tainted"}[taint], func(t *testing.T) {
			t.Parallel()
			moveResumesAfterACrash(t, taint)
		})
	}
}

func moveResumesAfterACrash(t *testing.T, taint bool) {
	prefix := movePrefix()
	var bin, old string
	var armed, created, fired atomic.Bool
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(r *http.Request, op string) bool {
			if !armed.Load() {
				return false
			}
			// The new bucket's create ends with its tags; the next request about the old bucket is its delete's.
			if op == "s3:PUT?tagging" && bucketOf(r) != old {
				created.Store(true)
			}
			if !created.Load() || bucketOf(r) != old || fired.Load() {
				return false
			}
			fired.Store(true)
			acctest.KillProcesses(bin)
			return true
		},
		Fault: acctest.Reset,
	})
	w := moveWorkdir(t, proxy, prefix)
	bin = w.OwnBinary()
	var want map[string]storedObject
	old, want = bucketWithObjects(t, w, prefix, 20)

	armed.Store(true)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
	if !fired.Load() || err == nil {
		t.Fatalf("the provider was not killed between the create and the delete (err %v):\n%s", err, out)
	}
	names := bucketNames(t, prefix)
	if len(names) != 2 || !slices.Contains(names, old) {
		t.Fatalf("buckets after the crash: %v, want the old %s and its successor", names, old)
	}
	if v, _ := acctest.Versions(t, old); v != len(want) {
		t.Fatalf("the old bucket holds %d versions after the crash, want its %d untouched", v, len(want))
	}
	successor := names[slices.IndexFunc(names, func(n string) bool { return n != old })]
	if got := bucketTag(t, successor, awsapi.MovedFromTag); got != "awaiting bucket="+old {
		t.Fatalf("the new bucket's %s tag is %q, want it to name the bucket it replaces, %s", awsapi.MovedFromTag, got, old)
	}

	proxy.Disable()
	if taint {
		w.MustTerraform("taint", "gdpr_bucket.test")
	}
	out, err = w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31")
	if err != nil {
		t.Fatalf("the apply after the crash did not finish the move by itself:\n%s", out)
	}
	if !taint && (!strings.Contains(out, "Bucket data move resumes") || !strings.Contains(out, successor)) {
		t.Errorf("the plan of the converging apply does not say the move resumes into %s:\n%s", successor, out)
	}
	moveFinished(t, w, prefix, old, want)
	if taint && bucketNames(t, prefix)[0] == successor {
		t.Errorf("the tainted bucket %s was kept", successor)
	}
}

// bucketTag returns the value of a bucket's tag, "" when it has none.
func bucketTag(t *testing.T, bucket, key string) string {
	t.Helper()
	out, err := acctest.S3(t, acctest.Region).GetBucketTagging(context.Background(), &s3.GetBucketTaggingInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("tags of %s: %v", bucket, err)
	}
	for _, tag := range out.TagSet {
		if aws.ToString(tag.Key) == key {
			return aws.ToString(tag.Value)
		}
	}
	return ""
}

// TestAccBucket_moveResumesAfterAnInterruptBeforeItBegins interrupts an apply with Ctrl-C (SIGINT) while
// Terraform creates a resource that depends on the new bucket, which it does between the new bucket's create
// and the old bucket's delete. The interrupted apply never begins the move; the next apply, with no command
// typed, must.
func TestAccBucket_moveResumesAfterAnInterruptBeforeItBegins(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	prefix := movePrefix()
	var cmd atomic.Pointer[exec.Cmd]
	var interrupted atomic.Bool
	// The key that names the new bucket is slow to create, and the apply is interrupted as its create begins.
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Delay, Pause: 3 * time.Second,
		Match: func(_ *http.Request, op string) bool {
			c := cmd.Load()
			if op != "kms:CreateKey" || c == nil {
				return false
			}
			if interrupted.CompareAndSwap(false, true) {
				_ = c.Process.Signal(syscall.SIGINT)
			}
			return true
		}})
	w := moveWorkdirAnd(t, proxy, prefix, `
variable "dependent" {
  default = false
}

resource "gdpr_key" "dependent" {
  count                = var.dependent ? 1 : 0
  description          = "for the data of ${gdpr_bucket.test.bucket}"
  deletion_window_days = 7
}

output "key_arn" {
  value = gdpr_key.test.arn
}
`)
	old, want := bucketWithObjects(t, w, prefix, 20)

	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	c := exec.Command(bin, "-chdir="+w.Dir, "apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31", "-var", "dependent=true")
	c.Env = append(os.Environ(), w.Env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.Store(c)
	err := c.Wait()
	if !interrupted.Load() || err == nil {
		t.Fatalf("the apply was not interrupted while the dependent key was created (err %v):\n%s", err, out.String())
	}
	names := bucketNames(t, prefix)
	if len(names) != 2 || !slices.Contains(names, old) {
		t.Fatalf("buckets after the interrupt: %v, want the old %s and its successor:\n%s", names, old, out.String())
	}
	if v, _ := acctest.Versions(t, old); v != len(want) {
		t.Fatalf("the old bucket holds %d versions after the interrupt, want its %d untouched:\n%s", v, len(want), out.String())
	}

	proxy.Disable()
	again, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "days=31", "-var", "dependent=true")
	if err != nil {
		t.Fatalf("the apply after the interrupt did not finish the move by itself:\n%s", again)
	}
	if !strings.Contains(again, "Bucket data move resumes") {
		t.Errorf("the plan of the converging apply does not say the move resumes:\n%s", again)
	}
	names = bucketNames(t, prefix)
	if len(names) != 1 || names[0] == old {
		t.Fatalf("buckets with the prefix after the converging apply: %v, want the new one alone", names)
	}
	keyARN := func() string { return strings.TrimSpace(w.MustTerraform("output", "-raw", "key_arn")) }
	if err := checkObjects(t, names[0], want, keyARN); err != nil {
		t.Fatal(err)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color", "-var", "days=31", "-var", "dependent=true"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}

// TestAccBucket_moveNeverResumesIntoABucketThatDoesNotNameIt destroys a bucket that holds data beside
// buckets that await data but were not created to replace it: one with a name generated from the same prefix
// that names no bucket, one that names another bucket, and one that names this bucket but whose name comes
// from a longer prefix (another gdpr_bucket's). None may receive the data: the plan must stop, naming the
// first two as candidates, with every object still in the bucket.
func TestAccBucket_moveNeverResumesIntoABucketThatDoesNotNameIt(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	prefix := movePrefix()
	w := moveWorkdir(t, acctest.NewProxy(t), prefix)
	old, want := bucketWithObjects(t, w, prefix, 5)
	strays := map[string]string{
		prefix + "20260101000000stray1":    "awaiting",
		prefix + "20260101000000stray2":    "awaiting bucket=" + prefix + "20260101000000other0",
		prefix + "eu-20260101000000stray3": "awaiting bucket=" + old,
	}
	c := acctest.S3(t, acctest.Region)
	for name, value := range strays {
		if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			acctest.EmptyBucket(t, name)
			if _, err := c.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
				t.Errorf("deleting %s: %v", name, err)
			}
		})
		// Each could take the data, as far as S3 goes: versioned, encrypted under the configuration's key.
		if _, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{Bucket: aws.String(name),
			VersioningConfiguration: &s3types.VersioningConfiguration{Status: s3types.BucketVersioningStatusEnabled}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketEncryption(context.Background(), &s3.PutBucketEncryptionInput{Bucket: aws.String(name),
			ServerSideEncryptionConfiguration: &s3types.ServerSideEncryptionConfiguration{Rules: []s3types.ServerSideEncryptionRule{{
				ApplyServerSideEncryptionByDefault: &s3types.ServerSideEncryptionByDefault{SSEAlgorithm: s3types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(keyARNOf(t, w)())},
			}}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutBucketTagging(context.Background(), &s3.PutBucketTaggingInput{Bucket: aws.String(name),
			Tagging: &s3types.Tagging{TagSet: []s3types.Tag{{Key: aws.String(awsapi.MovedFromTag), Value: aws.String(value)}}}}); err != nil {
			t.Fatal(err)
		}
	}

	out, err := w.Terraform("destroy", "-input=false", "-auto-approve", "-no-color")
	for name := range strays {
		if v, m := acctest.Versions(t, name); v+m != 0 {
			t.Errorf("bucket %s, which was not created to replace %s, received %d of its versions", name, old, v+m)
		}
	}
	if v, _ := acctest.Versions(t, old); v != len(want) {
		t.Errorf("bucket %s holds %d versions after the refused destroy, want its %d", old, v, len(want))
	}
	if strings.Contains(out, "Bucket data move resumes") {
		t.Errorf("the plan paired %s with a bucket that does not name it:\n%s", old, out)
	}
	if err == nil || !strings.Contains(out, "Bucket data has nowhere to move") {
		t.Fatalf("the destroy of %s did not stop for want of a bucket that names it (err %v):\n%s", old, err, out)
	}
	if !strings.Contains(out, prefix+"20260101000000stray1") || !strings.Contains(out, prefix+"20260101000000stray2") {
		t.Errorf("the error does not name the buckets with the prefix that await data:\n%s", out)
	}
}

// TestAccBucket_newBucketNamesTheBucketItReplaces asks the emulator which bucket a new bucket with a
// generated name would name as the one it replaces: the one other bucket generated from its prefix that
// holds data. Any doubt (two such buckets) names none; an empty bucket, or one generated from a longer prefix
// (another gdpr_bucket's), does not count; a bucket whose contents cannot be read fails the lookup.
func TestAccBucket_newBucketNamesTheBucketItReplaces(t *testing.T) {
	c := acctest.EmulatorClients(t, acctest.Region)
	t.Parallel()
	prefix := movePrefix()
	isGenerated := func(name string) bool {
		rest, ok := strings.CutPrefix(name, prefix)
		return ok && len(rest) == 20 && !strings.Contains(rest, "-")
	}
	s := acctest.S3(t, acctest.Region)
	create := func(name string, objects int) {
		if _, err := s.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name),
			CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(acctest.Region)}}); err != nil {
			t.Fatal(err)
		}
		for i := range objects {
			acctest.PutObject(t, name, fmt.Sprintf("o/%d", i), "x", nil)
		}
		t.Cleanup(func() {
			acctest.EmptyBucket(t, name)
			if _, err := s.DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: aws.String(name)}); err != nil {
				t.Errorf("deleting %s: %v", name, err)
			}
		})
	}
	replaced := func(name string) string {
		t.Helper()
		old, err := c.ReplacedBucket(context.Background(), prefix, name, isGenerated)
		if err != nil {
			t.Fatal(err)
		}
		return old
	}
	old, other, empty := prefix+"20260101000000aaaaaa", prefix+"20260101000000bbbbbb", prefix+"20260101000000dddddd"
	nested := prefix + "eu-20260101000000cccccc"
	const newName = "not-yet-created"

	create(old, 0)
	if got := replaced(newName); got != "" {
		t.Errorf("beside an empty bucket, a new bucket names %q, want none: nothing would move", got)
	}
	acctest.PutObject(t, old, "customers/1.json", `{"customer":1}`, nil)
	create(nested, 1)
	if got := replaced(newName); got != old {
		t.Errorf("beside %s, which holds data, and %s, a new bucket names %q, want %s", old, nested, got, old)
	}
	if got := replaced(old); got != "" {
		t.Errorf("bucket %s names %q as the bucket it replaces, want none: it is the only one", old, got)
	}
	// An empty bucket beside it, such as a tainted successor replaced in the same apply, does not count.
	create(empty, 0)
	if got := replaced(newName); got != old {
		t.Errorf("beside %s, which holds data, and the empty %s, a new bucket names %q, want %s", old, empty, got, old)
	}
	// A bucket whose contents cannot be read may hold data: the lookup fails rather than guess.
	proxy := acctest.NewFaultProxy(t, func(r *http.Request) bool { return r.URL.Query().Has("versions") && bucketOf(r) == empty })
	denied, err := awsapi.New(context.Background(), awsapi.Config{Region: acctest.Region, AccessKey: "testing", SecretKey: "testing",
		MaxRetries: 1, S3UsePathStyle: true, Endpoints: awsapi.Endpoints{S3: proxy.URL}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := denied.ReplacedBucket(context.Background(), prefix, newName, isGenerated); err == nil {
		t.Errorf("with the contents of %s unreadable, a new bucket names %q and no error, want the error", empty, got)
	}
	create(other, 1)
	if got := replaced(newName); got != "" {
		t.Errorf("beside %s and %s, a new bucket names %q, want none: which one it replaces is not sure", old, other, got)
	}
}
