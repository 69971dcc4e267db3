package acctest

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestEmulator_EC2GroupsAndSnapshotsAsEC2 asks the emulator what an isolation depends on, where moto on its
// own answers otherwise than EC2 (scripts/moto_ec2.py): an instance's security groups are its primary
// network interface's, so moving that interface into a group moves the instance, and the interface reports
// only its own groups; a snapshot of an encrypted volume is under the volume's key, pending before it is
// completed, and a copy that names no key keeps the source's.
func TestEmulator_EC2GroupsAndSnapshotsAsEC2(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := EC2(t, Region)

	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(LinuxImage), InstanceType: ec2types.InstanceTypeT3Micro,
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	i := run.Instances[0]
	t.Cleanup(func() {
		_, _ = c.TerminateInstances(context.Background(), &ec2.TerminateInstancesInput{InstanceIds: []string{aws.ToString(i.InstanceId)}})
	})
	g, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("emulator-ec2-test"),
		Description: aws.String("emulator test"), VpcId: i.VpcId})
	if err != nil {
		t.Fatal(err)
	}
	group := aws.ToString(g.GroupId)
	if len(i.NetworkInterfaces) == 0 {
		t.Fatalf("instance %s has no network interface", aws.ToString(i.InstanceId))
	}
	if _, err := c.ModifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
		NetworkInterfaceId: i.NetworkInterfaces[0].NetworkInterfaceId, Groups: []string{group}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{aws.ToString(i.InstanceId)}})
	if err != nil {
		t.Fatal(err)
	}
	described := out.Reservations[0].Instances[0]
	ids := func(gs []ec2types.GroupIdentifier) []string {
		var out []string
		for _, g := range gs {
			out = append(out, aws.ToString(g.GroupId))
		}
		return out
	}
	if got := ids(described.SecurityGroups); !slices.Equal(got, []string{group}) {
		t.Errorf("after its primary interface moved into %s, the instance reports the groups %v", group, got)
	}
	if got := ids(described.NetworkInterfaces[0].Groups); !slices.Equal(got, []string{group}) {
		t.Errorf("the primary interface moved into %s reports the groups %v", group, got)
	}

	key := keyARN(t)
	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String(Region + "a"), Size: aws.Int32(1),
		Encrypted: aws.Bool(true), KmsKeyId: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId})
	if err != nil {
		t.Fatal(err)
	}
	describe := func(id string) ec2types.Snapshot {
		t.Helper()
		out, err := c.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}})
		if err != nil || len(out.Snapshots) != 1 {
			t.Fatalf("describing snapshot %s: %v", id, err)
		}
		return out.Snapshots[0]
	}
	id := aws.ToString(snap.SnapshotId)
	if first, second := describe(id), describe(id); first.State != ec2types.SnapshotStatePending || second.State != ec2types.SnapshotStateCompleted {
		t.Errorf("a new snapshot is %s, then %s; want pending, then completed", first.State, second.State)
	}
	if s := describe(id); !aws.ToBool(s.Encrypted) || aws.ToString(s.KmsKeyId) != key {
		t.Errorf("the snapshot of a volume under %s is encrypted %v under %q", key, aws.ToBool(s.Encrypted), aws.ToString(s.KmsKeyId))
	}
	copied, err := c.CopySnapshot(ctx, &ec2.CopySnapshotInput{SourceSnapshotId: snap.SnapshotId, SourceRegion: aws.String(Region)})
	if err != nil {
		t.Fatal(err)
	}
	if s := describe(aws.ToString(copied.SnapshotId)); !aws.ToBool(s.Encrypted) || aws.ToString(s.KmsKeyId) != key {
		t.Errorf("a copy that names no key is encrypted %v under %q, want the source's %s", aws.ToBool(s.Encrypted), aws.ToString(s.KmsKeyId), key)
	}
}
