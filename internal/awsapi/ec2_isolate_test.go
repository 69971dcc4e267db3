package awsapi

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Every launch carries ManagedTag next to the creation marker, so that no server of the provider is ever
// without it.
func TestMarked_managedTag(t *testing.T) {
	in := &ec2.RunInstancesInput{TagSpecifications: []ec2types.TagSpecification{
		{ResourceType: ec2types.ResourceTypeVolume, Tags: ec2Tags(map[string]string{"team": "crm"})},
		{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags(map[string]string{"team": "crm"})},
	}}
	marked(in, "fp")
	if got := ec2TagMap(in.TagSpecifications[1].Tags); got[ManagedTag] != "gdpr_server" || got[CreatingTag] != "fp" || got["team"] != "crm" {
		t.Errorf("instance tags %v, want team, %s and %s", got, ManagedTag, CreatingTag)
	}
	if got := ec2TagMap(in.TagSpecifications[0].Tags); len(got) != 1 {
		t.Errorf("volume tags %v, want only the configured ones", got)
	}
}

// An instance is the provider's when it carries ManagedTag, or the creation marker of a create that has not
// finished.
func TestIsolatee_managed(t *testing.T) {
	for tags, want := range map[string]bool{ManagedTag: true, CreatingTag: true, "team": false, "": false} {
		i := &Isolatee{Tags: map[string]string{tags: "x"}}
		if got := i.Managed(); got != want {
			t.Errorf("tags %v: managed %v, want %v", i.Tags, got, want)
		}
	}
}

// containCalls records the EC2 calls Contain makes, in order, against a VPC whose groups are given.
func containCalls(groups []ec2types.SecurityGroup) (*Clients, *[]string) {
	var calls []string
	c := &Clients{ec2: ec2Operations{
		describeSecurityGroups: func(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
			calls = append(calls, "DescribeSecurityGroups")
			if len(in.GroupIds) > 0 {
				return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: []ec2types.SecurityGroup{{
					GroupId: aws.String(in.GroupIds[0]), GroupName: aws.String(IsolationGroupName), VpcId: aws.String("vpc-1"),
					Tags:                []ec2types.Tag{{Key: aws.String(IsolationTag), Value: aws.String("true")}},
					IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: aws.String("-1")}},
				}}}, nil
			}
			return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: groups}, nil
		},
		createSecurityGroup: func(context.Context, *ec2.CreateSecurityGroupInput, ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error) {
			calls = append(calls, "CreateSecurityGroup")
			return &ec2.CreateSecurityGroupOutput{GroupId: aws.String("sg-new")}, nil
		},
		revokeSecurityGroupIngress: func(context.Context, *ec2.RevokeSecurityGroupIngressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupIngressOutput, error) {
			calls = append(calls, "RevokeSecurityGroupIngress")
			return &ec2.RevokeSecurityGroupIngressOutput{}, nil
		},
		revokeSecurityGroupEgress: func(context.Context, *ec2.RevokeSecurityGroupEgressInput, ...func(*ec2.Options)) (*ec2.RevokeSecurityGroupEgressOutput, error) {
			calls = append(calls, "RevokeSecurityGroupEgress")
			return &ec2.RevokeSecurityGroupEgressOutput{}, nil
		},
		modifyNetworkInterfaceAttribute: func(_ context.Context, in *ec2.ModifyNetworkInterfaceAttributeInput, _ ...func(*ec2.Options)) (*ec2.ModifyNetworkInterfaceAttributeOutput, error) {
			calls = append(calls, "ModifyNetworkInterfaceAttribute "+aws.ToString(in.NetworkInterfaceId))
			return &ec2.ModifyNetworkInterfaceAttributeOutput{}, nil
		},
	}}
	return c, &calls
}

// A new isolation group loses EC2's allow-all egress rule before any interface joins it, and an interface
// already in the group alone is left as it is.
func TestContain_revokesBeforeAnyInterfaceJoins(t *testing.T) {
	c, calls := containCalls(nil)
	target := &Isolatee{ID: "i-1", VPCID: "vpc-1", Interfaces: []NetworkInterface{
		{ID: "eni-a", Groups: []string{"sg-web"}}, {ID: "eni-b", Groups: []string{"sg-new"}},
	}}
	group, changed, err := c.Contain(context.Background(), target)
	if err != nil || group != "sg-new" || !changed {
		t.Fatalf("Contain = %s, %v, %v; want sg-new, changed", group, changed, err)
	}
	want := []string{"DescribeSecurityGroups", "CreateSecurityGroup", "DescribeSecurityGroups", "RevokeSecurityGroupEgress",
		"ModifyNetworkInterfaceAttribute eni-a"}
	if !slices.Equal(*calls, want) {
		t.Errorf("calls %v, want %v", *calls, want)
	}
}

// A group of the isolation group's name without the provider's tag is someone else's: Contain neither
// revokes its rules nor moves any interface into it.
func TestContain_foreignGroup(t *testing.T) {
	c, calls := containCalls([]ec2types.SecurityGroup{{GroupId: aws.String("sg-theirs"), GroupName: aws.String(IsolationGroupName),
		VpcId: aws.String("vpc-1"), IpPermissionsEgress: []ec2types.IpPermission{{IpProtocol: aws.String("-1")}}}})
	_, changed, err := c.Contain(context.Background(), &Isolatee{ID: "i-1", VPCID: "vpc-1",
		Interfaces: []NetworkInterface{{ID: "eni-a", Groups: []string{"sg-web"}}}})
	var foreign *ForeignGroupError
	if !errors.As(err, &foreign) || foreign.GroupID != "sg-theirs" || changed {
		t.Fatalf("Contain = changed %v, %v; want a ForeignGroupError naming sg-theirs", changed, err)
	}
	if !slices.Equal(*calls, []string{"DescribeSecurityGroups"}) {
		t.Errorf("calls %v, want only the lookup", *calls)
	}
}

// Once the kept snapshot of a volume is complete, the volume's intermediates and the other copies of the
// kept one's source go; a copy of another source, and the snapshots of other volumes, stay.
func TestDeleteSpares(t *testing.T) {
	snap := func(id string, tags map[string]string) ec2types.Snapshot {
		all := map[string]string{IncidentTag: "INC-1", ForensicsForTag: "i-1"}
		for k, v := range tags {
			all[k] = v
		}
		return ec2types.Snapshot{SnapshotId: aws.String(id), Tags: ec2Tags(all)}
	}
	listed := []ec2types.Snapshot{
		snap("snap-keep", map[string]string{ForensicsVolumeTag: "vol-1", ForensicsSourceTag: "snap-mid"}),
		snap("snap-mid", map[string]string{ForensicsVolumeTag: "vol-1", IntermediateTag: "true"}),
		snap("snap-mid-retried", map[string]string{ForensicsVolumeTag: "vol-1", IntermediateTag: "true"}),
		snap("snap-copy-retried", map[string]string{ForensicsVolumeTag: "vol-1", ForensicsSourceTag: "snap-mid"}),
		snap("snap-other-source", map[string]string{ForensicsVolumeTag: "vol-1", ForensicsSourceTag: "snap-earlier"}),
		snap("snap-other-volume", map[string]string{ForensicsVolumeTag: "vol-2", IntermediateTag: "true"}),
	}
	var deleted []string
	c := &Clients{ec2: ec2Operations{
		describeSnapshots: func(context.Context, *ec2.DescribeSnapshotsInput, ...func(*ec2.Options)) (*ec2.DescribeSnapshotsOutput, error) {
			return &ec2.DescribeSnapshotsOutput{Snapshots: listed}, nil
		},
		deleteSnapshot: func(_ context.Context, in *ec2.DeleteSnapshotInput, _ ...func(*ec2.Options)) (*ec2.DeleteSnapshotOutput, error) {
			deleted = append(deleted, aws.ToString(in.SnapshotId))
			return &ec2.DeleteSnapshotOutput{}, nil
		},
	}}
	if err := c.deleteSpares(context.Background(), "i-1", "vol-1", "INC-1", "snap-keep"); err != nil {
		t.Fatal(err)
	}
	slices.Sort(deleted)
	if want := []string{"snap-copy-retried", "snap-mid", "snap-mid-retried"}; !slices.Equal(deleted, want) {
		t.Errorf("deleted %v, want %v", deleted, want)
	}
}
