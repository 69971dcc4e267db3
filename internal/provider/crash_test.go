package provider_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// TestAccCrash_nextApplyConverges kills the provider process (SIGKILL, as an out-of-memory kill or a lost
// machine would) in the middle of an apply of one key, two buckets (a fixed name and a bucket_prefix) and
// two identical servers, at each point where a create has reached AWS and its answer is lost, and where a
// create is halfway through its setup. (The one point no marker covers is the answer to a create's last
// call, which removes the marker, being lost: see the resources' docs.) Then it applies again, as a user would, and asks the emulator: each
// resource exists exactly once, is the one in the state, keeps every guarantee and carries no creation
// marker; a plan shows no changes; a destroy leaves nothing behind.
func TestAccCrash_nextApplyConverges(t *testing.T) {
	acctest.RequireEmulator(t)
	for _, tc := range []struct {
		name string
		op   string // the request after which the provider dies
		nth  int    // counting requests of op, from 1
	}{
		{"key created", "kms:CreateKey", 1},
		{"key rotation being enabled", "kms:EnableKeyRotation", 1},
		{"bucket created", "s3:PUT", 1},
		{"second bucket created", "s3:PUT", 2},
		{"bucket encrypted", "s3:PUT?encryption", 1},
		{"bucket half set up", "s3:PUT?lifecycle", 1},
		{"server launched", "ec2:RunInstances", 1},
		{"second server launched", "ec2:RunInstances", 2},
		// An apply's plan and its create each look for leftovers with a DescribeInstances first; the third
		// waits for a launched server.
		{"server starting", "ec2:DescribeInstances", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			crashThenConverge(t, tc.op, tc.nth)
		})
	}
}

func crashThenConverge(t *testing.T, op string, nth int) {
	const region = "eu-central-1"
	run := sdkacctest.RandString(8)
	name, prefix := "gdpr-crash-"+run, "gdpr-crash-"+run+"-p-"
	resources := fmt.Sprintf(`
resource "gdpr_key" "test" {
  description          = "crash %[1]s"
  deletion_window_days = 7
}

resource "gdpr_bucket" "named" {
  bucket          = %[2]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = true
}

resource "gdpr_bucket" "prefixed" {
  bucket_prefix   = %[3]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
  force_destroy   = true
  tags            = { run = %[1]q }
}

resource "gdpr_server" "test" {
  count         = 2
  image_id      = %[4]q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.test.arn
  tags          = { run = %[1]q }
}
`, run, name, prefix, acctest.LinuxImage)

	var bin string
	var seen atomic.Int32
	var fired atomic.Bool
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(_ *http.Request, got string) bool { return got == op && int(seen.Add(1)) == nth },
		Fault: acctest.Crash,
		// Terraform may notice the death and return before KillProcesses has finished looking, so the
		// flag is set first.
		Then: func() {
			fired.Store(true)
			acctest.KillProcesses(bin)
		},
	})
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "3", resources))
	bin = w.OwnBinary()

	// One create at a time, so the kill lands at the point named and nowhere else: with creates running
	// side by side, another could be caught in the one window no marker covers (see the resources' docs).
	out, err := w.Terraform("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1")
	if !fired.Load() {
		t.Fatalf("the apply never sent request %d of %s, so the provider was not killed (err %v):\n%s", nth, op, err, out)
	}
	if err == nil {
		t.Fatalf("the apply succeeded although its provider was killed:\n%s", out)
	}
	proxy.Disable()
	t.Cleanup(func() { w.MustTerraform("destroy", "-auto-approve", "-input=false") })

	out = w.MustTerraform("apply", "-auto-approve", "-input=false", "-no-color")
	if !strings.Contains(out, "Finished a create that an interrupted apply began") {
		t.Errorf("the second apply did not say it finished what the killed one began:\n%s", out)
	}

	c := acctest.EmulatorClients(t, region)
	ctx := context.Background()

	keys := acctest.KeyInventory(t, region, "crash "+run)
	stateKeys := acctest.StateIDs(t, w, "gdpr_key")
	if !slices.Equal(keys, stateKeys) {
		t.Errorf("keys in KMS %v, in the state %v: want the one key, once", keys, stateKeys)
	}
	for _, id := range keys {
		k, err := c.ReadKey(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if k.Unfinished != "" || len(k.Problems()) > 0 || !k.RotationEnabled {
			t.Errorf("key %s: creation marker %q, problems %v, rotation %v", id, k.Unfinished, k.Problems(), k.RotationEnabled)
		}
	}

	buckets := bucketsWithPrefix(t, region, "gdpr-crash-"+run)
	stateBuckets := slices.Sorted(slices.Values(acctest.StateIDs(t, w, "gdpr_bucket")))
	if !slices.Equal(buckets, stateBuckets) || len(buckets) != 2 {
		t.Errorf("buckets in S3 %v, in the state %v: want the two buckets, once each", buckets, stateBuckets)
	}
	for _, b := range buckets {
		got, err := c.ReadBucket(ctx, b)
		if err != nil {
			t.Fatal(err)
		}
		if got.Unfinished != "" || len(got.Violations()) > 0 {
			t.Errorf("bucket %s: creation marker %q, guarantees broken %v", b, got.Unfinished, got.Violations())
		}
	}

	servers := liveServers(t, region, run)
	stateServers := slices.Sorted(slices.Values(acctest.StateIDs(t, w, "gdpr_server")))
	if !slices.Equal(servers, stateServers) || len(servers) != 2 {
		t.Errorf("running servers %v, in the state %v: want the two servers, once each", servers, stateServers)
	}
	for _, id := range servers {
		s, err := c.ReadServer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Unfinished != "" || len(s.Problems()) > 0 {
			t.Errorf("server %s: creation marker %q, problems %v", id, s.Unfinished, s.Problems())
		}
	}

	if out, err := w.Terraform("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}

// bucketsWithPrefix lists the emulator's buckets whose name begins with prefix, sorted.
func bucketsWithPrefix(t *testing.T, region, prefix string) []string {
	t.Helper()
	out, err := acctest.S3(t, region).ListBuckets(context.Background(), &s3.ListBucketsInput{})
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

// liveServers lists the pending and running instances tagged with run, sorted.
func liveServers(t *testing.T, region, run string) []string {
	t.Helper()
	out, err := acctest.EC2(t, region).DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("tag:run"), Values: []string{run}},
			{Name: aws.String("instance-state-name"), Values: []string{"pending", "running"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range out.Reservations {
		for _, i := range r.Instances {
			ids = append(ids, aws.ToString(i.InstanceId))
		}
	}
	slices.Sort(ids)
	return ids
}

// TestAccCrash_planNamesWhatWasLeftBehind leaves a key, a bucket and a server half-made, as an apply killed
// halfway leaves them (each carries the creation marker of a create with other arguments than the
// configuration now has), and plans creates of each kind: the plan names every leftover with the command
// that imports it and the one that removes it, since no create of this plan finishes them.
func TestAccCrash_planNamesWhatWasLeftBehind(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-north-1"
	ctx := context.Background()
	run := sdkacctest.RandString(8)
	prefix := "gdpr-left-" + run + "-"
	marker := []kmstypes.Tag{{TagKey: aws.String(awsapi.CreatingTag), TagValue: aws.String("an-earlier-create")}}

	k, err := acctest.KMS(t, region).CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("left " + run), Tags: marker})
	if err != nil {
		t.Fatal(err)
	}
	keyID := aws.ToString(k.KeyMetadata.KeyId)
	t.Cleanup(func() {
		_, _ = acctest.KMS(t, region).ScheduleKeyDeletion(context.Background(), &kms.ScheduleKeyDeletionInput{KeyId: &keyID, PendingWindowInDays: aws.Int32(7)})
	})
	bucket := prefix + "20260101000000abcdef"
	if _, err := acctest.S3(t, region).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket, CreateBucketConfiguration: &s3types.CreateBucketConfiguration{
		LocationConstraint: s3types.BucketLocationConstraint(region),
		Tags:               []s3types.Tag{{Key: aws.String(awsapi.CreatingTag), Value: aws.String("an-earlier-create")}},
	}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = acctest.S3(t, region).DeleteBucket(context.Background(), &s3.DeleteBucketInput{Bucket: &bucket})
	})
	launched, err := acctest.EC2(t, region).RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(acctest.LinuxImage), InstanceType: ec2types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance,
			Tags: []ec2types.Tag{{Key: aws.String(awsapi.CreatingTag), Value: aws.String("an-earlier-create")}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	server := aws.ToString(launched.Instances[0].InstanceId)
	t.Cleanup(func() {
		_, _ = acctest.EC2(t, region).TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{server}})
	})

	w := acctest.NewWorkdir(t, acctest.FaultConfig(acctest.Endpoint(), region, "1", fmt.Sprintf(`
resource "gdpr_key" "test" {
  description = "left %[1]s now"
}

resource "gdpr_bucket" "test" {
  bucket_prefix   = %[2]q
  kms_key_arn     = gdpr_key.test.arn
  expiration_days = 30
}

resource "gdpr_server" "test" {
  image_id      = %[3]q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.test.arn
}
`, run, prefix, acctest.LinuxImage)))
	out, err := w.Terraform("plan", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("plan: %v\n%s", err, out)
	}
	for _, want := range []string{
		"A gdpr_key in " + region + ` carries the "gdpr:creating" tag`,
		"A gdpr_bucket in " + region + ` carries the "gdpr:creating" tag`,
		"A gdpr_server in " + region + ` carries the "gdpr:creating" tag`,
		"import: terraform import <address> " + keyID,
		"remove: aws kms schedule-key-deletion --region " + region + " --pending-window-in-days 7 --key-id " + keyID,
		"import: terraform import <address> " + bucket,
		"remove: aws s3 rb s3://" + bucket,
		"import: terraform import <address> " + server,
		"remove: aws ec2 terminate-instances --region " + region + " --instance-ids " + server,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "Create finishes what an interrupted apply began") {
		t.Errorf("the plan claims a create finishes a leftover made with other arguments:\n%s", out)
	}
}
