package isolate_test

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// fault is one AWS call of an isolation that fails: the n-th request of op, answered with how.
type fault struct {
	op  string
	n   int
	how acctest.Fault
}

// TestAccIsolateServer_faultAtEachCallThenReinvokeConverges isolates two servers, each through a chain of
// invocations that each fail at a later AWS call than the one before: refused (AccessDenied, which no
// retryer retries) or, for the calls that make or move something, carried out with the answer lost
// (Crash), so only the names and tags of what it made can tell the next invocation about it. Each
// invocation must fail at its call, which shows that it found everything before it done and did not make
// it twice; none leaves an interface in an isolation group that still has a rule. The last invocation, with
// no fault, ends as an isolation with none: one isolation group per VPC with no rule, the instance's only
// group, one complete snapshot per volume under the incident's key and no intermediate left, the instance
// tagged and stopped, and an audit event naming the snapshot.
func TestAccIsolateServer_faultAtEachCallThenReinvokeConverges(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	chains := []struct {
		name string
		// ownVPC puts the server in a VPC of its own, which has no isolation group yet, so that the faults
		// hit the group's creation.
		ownVPC bool
		faults []fault
	}{
		{name: "answers lost", ownVPC: true, faults: []fault{
			{"ec2:CreateSecurityGroup", 1, acctest.AccessDenied},
			{"ec2:CreateSecurityGroup", 1, acctest.Crash},
			{"ec2:RevokeSecurityGroupEgress", 1, acctest.AccessDenied},
			{"ec2:ModifyNetworkInterfaceAttribute", 1, acctest.Crash},
			{"ec2:CreateSnapshot", 1, acctest.Crash},
			{"ec2:DescribeSnapshots", 2, acctest.AccessDenied}, // the wait for the intermediate snapshot
			{"ec2:CreateVolume", 1, acctest.Crash},
			{"ec2:DescribeVolumes", 3, acctest.AccessDenied}, // the wait for the temporary volume
			{"ec2:CreateSnapshot", 1, acctest.Crash},         // the snapshot of the temporary volume
			{"ec2:DescribeSnapshotAttribute", 1, acctest.AccessDenied},
			{"ec2:DeleteSnapshot", 1, acctest.AccessDenied},
			{"ec2:DeleteVolume", 1, acctest.AccessDenied},
			{"ec2:CreateTags", 1, acctest.AccessDenied},
			{"ec2:StopInstances", 1, acctest.Crash},
		}},
		{name: "refused", faults: []fault{
			{"ec2:DescribeInstances", 1, acctest.AccessDenied},
			{"ec2:ModifyNetworkInterfaceAttribute", 1, acctest.AccessDenied},
			{"ec2:CreateSnapshot", 1, acctest.AccessDenied},
			{"ec2:CreateVolume", 1, acctest.AccessDenied},
			{"ec2:StopInstances", 1, acctest.AccessDenied},
			{"ec2:DescribeInstances", 2, acctest.AccessDenied}, // the wait for the stop
		}},
	}
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	proxy := acctest.NewProxy(t)
	resources := keys
	for i, c := range chains {
		subnet := ""
		if c.ownVPC {
			subnet = newSubnet(t, fmt.Sprintf("10.%d.0.0/16", 100+i))
		}
		resources += serverResource(fmt.Sprintf("s%d", i), subnet) +
			isolateAction(fmt.Sprintf("a%d", i), fmt.Sprintf("gdpr_server.s%d.id", i), "    stop = true")
	}
	// No retries, so that a call answered with a dropped connection is not made a second time.
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "0", resources)
	cfg = strings.Replace(cfg, "  s3_use_path_style           = true\n", fmt.Sprintf("  s3_use_path_style           = true\n  audit = { path = %q }\n", trail), 1)
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	key := attribute(t, w, "gdpr_key.forensics", "arn")

	for i, c := range chains {
		t.Run(c.name, func(t *testing.T) {
			id := attribute(t, w, fmt.Sprintf("gdpr_server.s%d", i), "id")
			action := fmt.Sprintf("a%d", i)
			for _, f := range c.faults {
				proxy.FailFrom(f.op, f.n, f.how)
				out, err := invokeWithoutRefresh(w, action)
				got := proxy.FailedOperation()
				// An empty operation fails nothing: the later invocations run without a fault.
				proxy.FailFrom("", 0, f.how)
				if err == nil || got != f.op {
					t.Fatalf("the invocation with a fault (%s) at request %d of %s did not fail there (it failed at %q): %v\n%s",
						f.how, f.n, f.op, got, err, out)
				}
				checkNeverOpen(t, id)
			}
			if out, err := invokeWithoutRefresh(w, action); err != nil {
				t.Fatalf("invoking without a fault: %v\n%s", err, out)
			}
			_, snapshots := checkIsolated(t, id, key)
			if i := instance(t, id); i.State == nil || i.State.Name != "stopped" {
				t.Errorf("instance %s is %v after invoking without a fault, want stopped", id, i.State)
			}
			var last string
			for _, e := range isolateEvents(t, trail) {
				if e.CloudID == id {
					last = e.Snapshots
				}
			}
			if want := strings.Join(snapshots, ","); last != want {
				t.Errorf("the last isolate event of %s names the snapshots %q, want %q", id, last, want)
			}
		})
	}
}

// invokeWithoutRefresh invokes the action without refreshing the servers first, so that the proxy's
// request counts are the action's own.
func invokeWithoutRefresh(w *acctest.Workdir, name string) (string, error) {
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-refresh=false",
		"-invoke=action.gdpr_isolate_server."+name)
	return strings.Join(strings.Fields(out), " "), err
}

// checkNeverOpen asks EC2 whether an instance in its VPC's isolation group is cut off: a group of that
// name that still has a rule must hold no interface of the instance.
func checkNeverOpen(t *testing.T, id string) {
	t.Helper()
	i := instance(t, id)
	_, nics := groupsOf(i)
	for _, g := range isolationGroups(t, aws.ToString(i.VpcId)) {
		if len(g.IpPermissions) == 0 && len(g.IpPermissionsEgress) == 0 {
			continue
		}
		for nic, gs := range nics {
			if slices.Contains(gs, aws.ToString(g.GroupId)) {
				t.Errorf("network interface %s of %s joined the isolation group %s while it still has rules: %+v %+v",
					nic, id, aws.ToString(g.GroupId), g.IpPermissions, g.IpPermissionsEgress)
			}
		}
	}
}

// newSubnet makes a VPC with the given CIDR block and one subnet filling it, and returns the subnet's id.
// They stay until the emulator stops: the isolation group keeps the VPC from being deleted, as in EC2.
func newSubnet(t *testing.T, cidr string) string {
	t.Helper()
	ctx := context.Background()
	c := acctest.EC2(t, acctest.Region)
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)})
	if err != nil {
		t.Fatalf("creating a VPC: %v", err)
	}
	subnet, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidr),
		AvailabilityZone: aws.String(acctest.Region + "a")})
	if err != nil {
		t.Fatalf("creating a subnet: %v", err)
	}
	return aws.ToString(subnet.Subnet.SubnetId)
}

// TestAccIsolateServer_retriedCallsMakeNothingTwice loses the answer to the first and the second
// CreateSnapshot (the intermediate, and the snapshot under the investigation's key) and to the first
// CreateVolume, each carried out, with the SDK's retries on: the retries make a second intermediate, a
// second temporary volume and a second re-encrypted snapshot, as at AWS, where CreateSnapshot takes no
// idempotency token (nor does CreateVolume without a client token). The invocation still ends with one
// forensic snapshot of the volume, no intermediate and no temporary volume.
func TestAccIsolateServer_retriedCallsMakeNothingTwice(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	// lose loses the answers to the requests of each operation it counts (1-based, retries included).
	lose := map[string][]int32{"ec2:CreateSnapshot": {1, 3}, "ec2:CreateVolume": {1}}
	var mu sync.Mutex
	counts := map[string]int32{}
	rule := &acctest.Rule{Fault: acctest.Crash, Match: func(_ *http.Request, got string) bool {
		nths, ok := lose[got]
		if !ok {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		counts[got]++
		return slices.Contains(nths, counts[got])
	}}
	proxy := acctest.NewProxy(t)
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "3", keys+serverResource("test", "")+
		isolateAction("incident", "gdpr_server.test.id", ""))
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	id := attribute(t, w, "gdpr_server.test", "id")
	key := attribute(t, w, "gdpr_key.forensics", "arn")

	proxy.SetRules(rule)
	out, err := invokeWithoutRefresh(w, "incident")
	proxy.SetRules()
	if err != nil {
		t.Fatalf("invoke: %v\n%s", err, out)
	}
	if n := proxy.Failed(); n != 3 {
		t.Fatalf("%d answers lost, want 3 (two CreateSnapshot, one CreateVolume)", n)
	}
	checkIsolated(t, id, key)
}

// TestAccIsolateServer_sharedSnapshotIsReported isolates a server whose disk is already under the
// investigation's key, so its snapshot is taken under that key with no re-encryption; the check of who may use the
// snapshot fails the first time, and meanwhile the snapshot is made public, as a mistaken or hostile
// change could. The next invocation fails with "Forensic snapshot is shared", naming the snapshot and the
// group, while the instance stays isolated; once the permission is removed the invocation completes.
func TestAccIsolateServer_sharedSnapshotIsReported(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	ctx := context.Background()
	proxy := acctest.NewProxy(t)
	server := strings.Replace(serverResource("test", ""), "gdpr_key.disks.arn", "gdpr_key.forensics.arn", 1)
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "0", keys+server+isolateAction("incident", "gdpr_server.test.id", ""))
	w := acctest.NewWorkdir(t, cfg)
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	id := attribute(t, w, "gdpr_server.test", "id")
	key := attribute(t, w, "gdpr_key.forensics", "arn")

	proxy.FailFrom("ec2:DescribeSnapshotAttribute", 1, acctest.AccessDenied)
	out, err := invokeWithoutRefresh(w, "incident")
	proxy.FailFrom("", 0, acctest.AccessDenied)
	if err == nil || !strings.Contains(out, "Forensic snapshots incomplete") {
		t.Fatalf("the invocation with a fault at DescribeSnapshotAttribute did not fail: %v\n%s", err, out)
	}
	if strings.Contains(out, "re-encrypting") {
		t.Errorf("a disk already under the investigation's key was re-encrypted:\n%s", out)
	}
	snapshots := snapshotsOf(t, id)
	if len(snapshots) != 1 {
		t.Fatalf("%d snapshots of %s, want one taken directly under the key", len(snapshots), id)
	}
	snapshot := aws.ToString(snapshots[0].SnapshotId)
	c := acctest.EC2(t, acctest.Region)
	share := func(op ec2types.OperationType) {
		t.Helper()
		if _, err := c.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{SnapshotId: aws.String(snapshot),
			Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission, OperationType: op,
			GroupNames: []string{"all"}}); err != nil {
			t.Fatalf("%s the public create-volume permission of %s: %v", op, snapshot, err)
		}
	}
	share(ec2types.OperationTypeAdd)

	out, err = invokeWithoutRefresh(w, "incident")
	if err == nil || !regexp.MustCompile(`Forensic snapshot is shared.*EC2 instance "`+id+`" is isolated in security group sg-[0-9a-f]+, but its forensic snapshot `+
		snapshot+` may be used to create volumes by the group all`).MatchString(out) {
		t.Fatalf("the invocation did not report the shared snapshot: %v\n%s", err, out)
	}
	checkNeverOpen(t, id)
	share(ec2types.OperationTypeRemove)
	if out, err := invokeWithoutRefresh(w, "incident"); err != nil {
		t.Fatalf("invoking once the snapshot is no longer shared: %v\n%s", err, out)
	}
	if _, got := checkIsolated(t, id, key); !slices.Equal(got, []string{snapshot}) {
		t.Errorf("snapshots %v, want the one taken first, %s", got, snapshot)
	}
}

// TestAccIsolateServer_killedProviderThenReinvokeConverges kills the provider process (SIGKILL, as an
// out-of-memory kill would) right after each call that makes or moves something reached EC2, one
// invocation per call, each carrying the isolation further; the invocation after the last kill, with no
// fault, ends as an isolation that was never interrupted: one group, the instance's only one, with no rule,
// one snapshot of the volume and no intermediate, the instance tagged and stopped.
func TestAccIsolateServer_killedProviderThenReinvokeConverges(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	var bin string
	var target atomic.Value
	var fired atomic.Bool
	var killed atomic.Int32
	proxy := acctest.NewProxy(t, &acctest.Rule{
		Match: func(_ *http.Request, got string) bool {
			return got == target.Load() && fired.CompareAndSwap(false, true)
		},
		Fault: acctest.Crash,
		Then:  func() { killed.Store(int32(acctest.KillProcesses(bin))) },
	})
	target.Store("")
	cfg := acctest.FaultConfig(proxy.URL, acctest.Region, "3", keys+serverResource("test", newSubnet(t, "10.123.0.0/16"))+
		isolateAction("incident", "gdpr_server.test.id", "    stop = true"))
	w := acctest.NewWorkdir(t, cfg)
	bin = w.OwnBinary()
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	t.Cleanup(func() {
		proxy.Disable()
		if out, err := w.Terraform("destroy", "-input=false", "-auto-approve"); err != nil {
			t.Errorf("terraform destroy: %v\n%s", err, out)
		}
	})
	id := attribute(t, w, "gdpr_server.test", "id")
	key := attribute(t, w, "gdpr_key.forensics", "arn")

	for _, op := range []string{"ec2:CreateSecurityGroup", "ec2:ModifyNetworkInterfaceAttribute", "ec2:CreateSnapshot",
		"ec2:CreateVolume", "ec2:DeleteSnapshot", "ec2:DeleteVolume", "ec2:CreateTags", "ec2:StopInstances"} {
		fired.Store(false)
		killed.Store(0)
		target.Store(op)
		out, err := invokeWithoutRefresh(w, "incident")
		target.Store("")
		if !fired.Load() || killed.Load() == 0 || err == nil {
			t.Fatalf("the invocation was not killed after %s (%d processes killed): %v\n%s", op, killed.Load(), err, out)
		}
		checkNeverOpen(t, id)
	}
	if out, err := invokeWithoutRefresh(w, "incident"); err != nil {
		t.Fatalf("invoking after the kills: %v\n%s", err, out)
	}
	checkIsolated(t, id, key)
	if i := instance(t, id); i.State == nil || i.State.Name != ec2types.InstanceStateNameStopped {
		t.Errorf("instance %s is %v, want stopped", id, i.State)
	}
}
