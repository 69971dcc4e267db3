package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// faultScenario is one resource kind whose Create is attacked at every call position. Each scenario has a
// region of its own, so its inventory of the emulator is its alone.
type faultScenario struct {
	name      string
	region    string
	resources func(prefix string) string
	inventory func(t *testing.T, region, prefix string) []string
}

// bucketInventory lists the buckets whose names start with the scenario's prefix.
func bucketInventory(t *testing.T, region, prefix string) []string {
	out, err := acctest.S3(t, region).ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		if strings.HasPrefix(*b.Name, prefix) {
			names = append(names, *b.Name)
		}
	}
	return names
}

// checkInventory fails when the emulator holds an object the state does not know, or the other way round.
func checkInventory(t *testing.T, when string, emulator, state []string) {
	t.Helper()
	sort.Strings(emulator)
	sort.Strings(state)
	if !slices.Equal(emulator, state) {
		t.Errorf("%s: the emulator holds %v but the state knows %v", when, emulator, state)
	}
}

var keyScenario = faultScenario{
	name:   "key",
	region: "eu-south-1",
	resources: func(prefix string) string {
		return fmt.Sprintf(`
resource "gdpr_key" "test" {
  description = "fault test %s"
  tags        = { purpose = "faults" }
}`, prefix)
	},
	inventory: acctest.KeyInventory,
}

var bucketScenario = faultScenario{
	name:   "bucket",
	region: "eu-west-3",
	resources: func(prefix string) string {
		return fmt.Sprintf(`
resource "gdpr_bucket" "test" {
  bucket_prefix   = %q
  kms_key_arn     = "arn:aws:kms:eu-west-3:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  expiration_days = 30
  object_lock     = { mode = "GOVERNANCE", days = 1 }
  tags            = { purpose = "faults" }
}`, prefix)
	},
	inventory: bucketInventory,
}

var serverScenario = faultScenario{
	name:   "server",
	region: "eu-north-1",
	resources: func(prefix string) string {
		return fmt.Sprintf(`
resource "gdpr_server" "test" {
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = "arn:aws:kms:eu-north-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  tags          = { run = %q }
}`, acctest.LinuxImage, prefix)
	},
	inventory: serverInventory,
}

// serverInventory lists the instances of this run (tagged with its prefix) that are not terminated.
func serverInventory(t *testing.T, region, prefix string) []string {
	out, err := acctest.EC2(t, region).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("tag:run"), Values: []string{prefix}},
			{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "stopping", "stopped"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, *i.InstanceId)
		}
	}
	return ids
}

var retryableFaults = []acctest.Fault{acctest.Unavailable, acctest.Throttle, acctest.Reset, acctest.ServerError}

// TestAccFaults_everyCallOfCreate fails, in turn, each call a Create makes, with a fault that outlasts the
// retry budget. A call is the n-th request of its operation, so reads a Create makes at once are each
// attacked whatever order they arrive in. Each time the apply must fail naming the resource and the call, the emulator must hold
// nothing the state does not know, a second apply without faults must converge, and destroy must leave
// nothing behind.
func TestAccFaults_everyCallOfCreate(t *testing.T) {
	acctest.RequireEmulator(t)
	for _, sc := range []faultScenario{keyScenario, bucketScenario, serverScenario} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			calls := recordCreateCalls(t, sc)
			if len(calls) < 3 {
				t.Fatalf("a fault-free create made only %v: the scenario proves nothing", calls)
			}
			for i, call := range calls {
				fault := retryableFaults[i%len(retryableFaults)]
				nth := 0
				for _, earlier := range calls[:i+1] {
					if earlier == call {
						nth++
					}
				}
				t.Run(fmt.Sprintf("%02d_%s_%s", i+1, call, fault), func(t *testing.T) {
					t.Parallel()
					attackCall(t, sc, call, nth, fault)
				})
			}
		})
	}
}

// recordCreateCalls applies the scenario without faults and returns the calls its Create made, in order.
func recordCreateCalls(t *testing.T, sc faultScenario) []string {
	prefix := sdkacctest.RandomWithPrefix("gdpr-fault") + "-"
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, sc.region, "1", sc.resources(prefix)))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	calls := proxy.Seen()
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	return calls
}

// warnOnly are the operations whose failure a create reports as a warning and goes on: the look for what
// interrupted applies left behind, and the account a bucket's identity names (S3 cannot tell it; STS can).
var warnOnly = map[string]string{
	"kms:ListKeys":          "Cannot look for resources an interrupted apply left behind",
	"s3:GET?prefix":         "Cannot look for resources an interrupted apply left behind",
	"sts:GetCallerIdentity": "Bucket identity records no account",
}

// attackCall fails the nth request of call, and every later one, in a Create of the scenario.
func attackCall(t *testing.T, sc faultScenario, call string, nth int, fault acctest.Fault) {
	prefix := sdkacctest.RandomWithPrefix("gdpr-fault") + "-"
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, sc.region, "1", sc.resources(prefix)))
	types := []string{"gdpr_" + sc.name}
	before := sc.inventory(t, sc.region, prefix)

	proxy.FailFrom(call, nth, fault)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color")
	if warning, ok := warnOnly[call]; ok {
		if err != nil || !strings.Contains(out, warning) {
			t.Fatalf("with %s failing, the apply should succeed with a warning (err %v):\n%s", call, err, out)
		}
		checkInventory(t, "after the apply", minus(sc.inventory(t, sc.region, prefix), before), acctest.StateIDs(t, w, types...))
		proxy.Disable()
		w.MustTerraform("destroy", "-input=false", "-auto-approve")
		checkInventory(t, "after destroy", minus(sc.inventory(t, sc.region, prefix), before), nil)
		return
	}
	if err == nil {
		t.Fatalf("apply succeeded although %s failed beyond the retry budget:\n%s", call, out)
	}
	if got := proxy.FailedOperation(); got != call {
		t.Fatalf("the fault never hit request %d of %s: the create's calls are not deterministic", nth, call)
	}
	want := operationInMessage(call)
	if !strings.Contains(out, "with gdpr_"+sc.name+".test") || !strings.Contains(out, want) {
		t.Errorf("the error does not name the resource and %s:\n%s", want, out)
	}
	checkInventory(t, "after the failed apply", minus(sc.inventory(t, sc.region, prefix), before), acctest.StateIDs(t, w, types...))

	proxy.Disable()
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the second apply did not converge: plan after it is not empty:\n%s", out)
	}
	checkInventory(t, "after the second apply", minus(sc.inventory(t, sc.region, prefix), before), acctest.StateIDs(t, w, types...))
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	checkInventory(t, "after destroy", minus(sc.inventory(t, sc.region, prefix), before), nil)
}

// minus removes what existed before the test from an inventory.
func minus(now, before []string) []string {
	var out []string
	for _, id := range now {
		if !slices.Contains(before, id) {
			out = append(out, id)
		}
	}
	return out
}

// operationInMessage is how the provider's error names a call the proxy saw: by its API operation. Only the
// calls a bucket's Create makes are here: it writes and reads nothing back.
func operationInMessage(call string) string {
	s3Operations := map[string]string{
		"s3:PUT":                   "s3:CreateBucket",
		"s3:PUT?versioning":        "s3:PutBucketVersioning",
		"s3:PUT?publicAccessBlock": "s3:PutPublicAccessBlock",
		"s3:PUT?encryption":        "s3:PutBucketEncryption",
		"s3:PUT?lifecycle":         "s3:PutBucketLifecycleConfiguration",
		"s3:PUT?object-lock":       "s3:PutObjectLockConfiguration",
		"s3:PUT?policy":            "s3:PutBucketPolicy",
		"s3:PUT?tagging":           "s3:PutBucketTagging",
	}
	if op, ok := s3Operations[call]; ok {
		return op
	}
	return call
}

// TestAccFaults_belowTheRetryBudget fails every call of a key's, a bucket's and a server's Create twice,
// with each kind of fault in turn; the SDK's retryer must absorb them all, and the result must be what a
// fault-free apply makes: the next plan is empty and the emulator holds exactly what the state knows.
func TestAccFaults_belowTheRetryBudget(t *testing.T) {
	acctest.RequireEmulator(t)
	for i, sc := range []faultScenario{keyScenario, bucketScenario, serverScenario} {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			prefix := sdkacctest.RandomWithPrefix("gdpr-fault") + "-"
			var rules []*acctest.Rule
			seen := map[string]int{}
			var mu sync.Mutex
			// Every operation's first two attempts fail, each operation with another kind of fault.
			for j, fault := range retryableFaults {
				k := j
				rules = append(rules, &acctest.Rule{Fault: fault, Match: func(_ *http.Request, op string) bool {
					if strings.HasPrefix(op, "sts:") {
						return false
					}
					mu.Lock()
					defer mu.Unlock()
					n, known := seen[op]
					if !known {
						n = len(seen)
						seen[op] = n
					}
					return (n+i)%len(retryableFaults) == k
				}})
			}
			proxy := acctest.NewProxy(t, limitPerOperation(rules, 2)...)
			// Three retries: more than the two failures each call meets.
			w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, sc.region, "3", sc.resources(prefix)))
			w.MustTerraform("apply", "-input=false", "-auto-approve")
			if proxy.Failed() == 0 {
				t.Fatal("no fault was injected: the test proves nothing")
			}
			proxy.Disable()
			if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color"); err != nil {
				t.Errorf("after an apply with %d faults the plan is not empty:\n%s", proxy.Failed(), out)
			}
			checkInventory(t, "after the apply", sc.inventory(t, sc.region, prefix), acctest.StateIDs(t, w, "gdpr_"+sc.name))
			w.MustTerraform("destroy", "-input=false", "-auto-approve")
			checkInventory(t, "after destroy", sc.inventory(t, sc.region, prefix), nil)
		})
	}
}

// limitPerOperation makes each rule fail an operation at most n times, counting each operation apart.
func limitPerOperation(rules []*acctest.Rule, n int) []*acctest.Rule {
	var mu sync.Mutex
	used := map[string]int{}
	for _, r := range rules {
		match := r.Match
		r.Match = func(req *http.Request, op string) bool {
			if !match(req, op) {
				return false
			}
			mu.Lock()
			defer mu.Unlock()
			if used[op] >= n {
				return false
			}
			used[op]++
			return true
		}
	}
	return rules
}

// TestAccFaults_maxRetriesIsHonoured counts the attempts a throttled call gets: one plus max_retries.
func TestAccFaults_maxRetriesIsHonoured(t *testing.T) {
	acctest.RequireEmulator(t)
	for _, retries := range []int{0, 2} {
		t.Run(fmt.Sprintf("max_retries=%d", retries), func(t *testing.T) {
			t.Parallel()
			var attempts atomic.Int64
			proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Throttle, Match: func(_ *http.Request, op string) bool {
				if op == "kms:CreateKey" {
					attempts.Add(1)
					return true
				}
				return false
			}})
			w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, keyScenario.region, fmt.Sprint(retries), keyScenario.resources("retries")))
			out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color")
			if err == nil {
				t.Fatalf("apply succeeded although every CreateKey was throttled:\n%s", out)
			}
			if got := attempts.Load(); got != int64(retries+1) {
				t.Errorf("CreateKey was attempted %d times, want %d (1 + max_retries)", got, retries+1)
			}
			if !strings.Contains(out, "raise max_retries") {
				t.Errorf("the error does not suggest raising max_retries:\n%s", out)
			}
		})
	}
}
