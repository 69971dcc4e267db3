package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
)

// The isolation of a compromised server (the gdpr_isolate_server action) works in steps that each find what
// an earlier, interrupted invocation made, by the names and tags below, so invoking it again finishes the
// isolation with no duplicate group or snapshot and nothing to clean up by hand.
const (
	// IsolationGroupName is the name of the security group, one per VPC, that allows no traffic at all.
	IsolationGroupName = "gdpr-isolation"
	// IsolationTag marks that group as the provider's: a group of that name without it is someone else's,
	// and its rules are never revoked.
	IsolationTag = "gdpr:isolation"
	// IncidentTag carries the incident id, on the isolated instance and on its forensic snapshots.
	IncidentTag = "gdpr:incident"
	// IsolatedAtTag is when the instance was isolated, in UTC RFC 3339, on the instance.
	IsolatedAtTag = "gdpr:isolated-at"
	// ForensicsForTag names the instance a forensic snapshot was taken of.
	ForensicsForTag = "gdpr:forensics-for"
	// ForensicsVolumeTag names the volume a forensic snapshot holds: a copied snapshot's own VolumeId is
	// not the volume's.
	ForensicsVolumeTag = "gdpr:forensics-volume"
	// IntermediateTag marks the snapshot taken under the volume's own key, which is copied under the
	// incident's key and then deleted.
	IntermediateTag = "gdpr:forensics-intermediate"
	// ForensicsSourceTag names, on a snapshot re-encrypted under the incident's key, the intermediate snapshot
	// it was made from: two of one source hold the same data, so the second one a retried request made is
	// deleted.
	ForensicsSourceTag = "gdpr:forensics-source"
	// TemporaryVolumeTag marks the volume made from the intermediate snapshot under the incident's key, to be
	// snapshotted and then deleted; its value is the intermediate snapshot's id.
	TemporaryVolumeTag = "gdpr:forensics-temporary"
)

// snapshotTimeout bounds the wait for one forensic snapshot; EBS copies a large volume for a long time. A
// wait cut short is resumed by the next invocation, which finds the snapshot by its tags.
const snapshotTimeout = 2 * time.Hour

// stopTimeout bounds the wait for an isolated instance to stop.
const stopTimeout = 15 * time.Minute

// ErrNotManaged is returned by DescribeIsolatee for an instance the provider did not launch, when only
// managed ones may be isolated.
var ErrNotManaged = errors.New("the instance was not launched by gdpr_server")

// ErrGone is returned by DescribeIsolatee for an instance that is terminated or shutting down.
var ErrGone = errors.New("the instance is terminated or shutting down")

// Isolatee is an instance as its isolation needs it.
type Isolatee struct {
	ID    string
	State string
	VPCID string
	// Interfaces are the instance's network interfaces, each with the ids of its security groups, sorted.
	Interfaces []NetworkInterface
	// Volumes are the instance's EBS volumes, sorted by id.
	Volumes []IsolateeVolume
	Tags    map[string]string
}

// NetworkInterface is one network interface of an instance and its security groups.
type NetworkInterface struct {
	ID     string
	Groups []string
}

// IsolateeVolume is one EBS volume of an instance, the key that encrypts it ("" when it is not) and its
// Availability Zone.
type IsolateeVolume struct {
	ID       string
	KMSKeyID string
	Zone     string
}

// Managed reports whether the provider launched the instance: every gdpr_server carries ManagedTag, and one
// whose create has not finished carries CreatingTag.
func (i *Isolatee) Managed() bool {
	_, managed := i.Tags[ManagedTag]
	_, creating := i.Tags[CreatingTag]
	return managed || creating
}

// DescribeIsolatee describes the instance, its network interfaces and its volumes. An instance that does
// not exist is a not-found error, one that is terminated ErrGone, and with managedOnly one the provider did
// not launch ErrNotManaged; nothing is changed in any case.
func (c *Clients) DescribeIsolatee(ctx context.Context, id string, managedOnly bool) (*Isolatee, error) {
	out, err := c.ec2.describeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		return nil, err
	}
	if len(out.Reservations) == 0 || len(out.Reservations[0].Instances) == 0 {
		return nil, &smithy.GenericAPIError{Code: "InvalidInstanceID.NotFound", Message: "instance " + id + " not found"}
	}
	inst := out.Reservations[0].Instances[0]
	t := &Isolatee{ID: id, VPCID: aws.ToString(inst.VpcId), Tags: map[string]string{}}
	if inst.State != nil {
		t.State = string(inst.State.Name)
	}
	for _, tag := range inst.Tags {
		t.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if t.State == string(ec2types.InstanceStateNameTerminated) || t.State == string(ec2types.InstanceStateNameShuttingDown) {
		return t, ErrGone
	}
	if managedOnly && !t.Managed() {
		return t, ErrNotManaged
	}
	for _, n := range inst.NetworkInterfaces {
		nic := NetworkInterface{ID: aws.ToString(n.NetworkInterfaceId)}
		for _, g := range n.Groups {
			nic.Groups = append(nic.Groups, aws.ToString(g.GroupId))
		}
		sort.Strings(nic.Groups)
		t.Interfaces = append(t.Interfaces, nic)
	}
	sort.Slice(t.Interfaces, func(a, b int) bool { return t.Interfaces[a].ID < t.Interfaces[b].ID })
	var volumeIDs []string
	for _, b := range inst.BlockDeviceMappings {
		if b.Ebs != nil && aws.ToString(b.Ebs.VolumeId) != "" {
			volumeIDs = append(volumeIDs, aws.ToString(b.Ebs.VolumeId))
		}
	}
	if len(volumeIDs) > 0 {
		vols, err := c.ec2.describeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: volumeIDs})
		if err != nil {
			return nil, fmt.Errorf("describing the volumes of instance %s: %w", id, err)
		}
		for _, v := range vols.Volumes {
			vol := IsolateeVolume{ID: aws.ToString(v.VolumeId), Zone: aws.ToString(v.AvailabilityZone)}
			if aws.ToBool(v.Encrypted) {
				vol.KMSKeyID = aws.ToString(v.KmsKeyId)
			}
			t.Volumes = append(t.Volumes, vol)
		}
	}
	sort.Slice(t.Volumes, func(a, b int) bool { return t.Volumes[a].ID < t.Volumes[b].ID })
	return t, nil
}

// ForeignGroupError says that the VPC already has a security group named IsolationGroupName that the
// provider did not make: its rules are someone else's, so the isolation neither uses nor changes it.
type ForeignGroupError struct {
	GroupID, VPCID string
}

func (e *ForeignGroupError) Error() string {
	return fmt.Sprintf("security group %s in VPC %s is named %s but does not carry the tag %s", e.GroupID, e.VPCID,
		IsolationGroupName, IsolationTag)
}

// Contain makes the VPC's isolation group allow nothing in or out, creating it when the VPC has none, and
// then makes it the only group of every network interface of t. It returns the group's id and whether any
// interface changed. The rules are revoked before any interface joins the group, so the instance never
// gains the allow-all egress rule EC2 gives a new group.
func (c *Clients) Contain(ctx context.Context, t *Isolatee) (groupID string, changed bool, err error) {
	if t.VPCID == "" {
		return "", false, fmt.Errorf("instance %s is in no VPC, so it has no network interface to isolate", t.ID)
	}
	group, err := c.isolationGroup(ctx, t.VPCID)
	if err != nil {
		return "", false, err
	}
	if err := c.revokeAll(ctx, group); err != nil {
		return "", false, err
	}
	groupID = aws.ToString(group.GroupId)
	for _, n := range t.Interfaces {
		if slices.Equal(n.Groups, []string{groupID}) {
			continue
		}
		if _, err := c.ec2.modifyNetworkInterfaceAttribute(ctx, &ec2.ModifyNetworkInterfaceAttributeInput{
			NetworkInterfaceId: aws.String(n.ID), Groups: []string{groupID},
		}); err != nil {
			return groupID, changed, fmt.Errorf("moving network interface %s into the isolation group %s: %w", n.ID, groupID, err)
		}
		changed = true
	}
	return groupID, changed, nil
}

// isolationGroup finds the VPC's isolation group, or creates it, tagged in the create request itself so
// that no group of that name is ever without the tag.
func (c *Clients) isolationGroup(ctx context.Context, vpcID string) (*ec2types.SecurityGroup, error) {
	find := func() (*ec2types.SecurityGroup, error) {
		out, err := c.ec2.describeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{Filters: []ec2types.Filter{
			{Name: aws.String("vpc-id"), Values: []string{vpcID}},
			{Name: aws.String("group-name"), Values: []string{IsolationGroupName}},
		}})
		if err != nil {
			return nil, fmt.Errorf("looking for the isolation group of VPC %s: %w", vpcID, err)
		}
		for _, g := range out.SecurityGroups {
			if aws.ToString(g.GroupName) != IsolationGroupName || aws.ToString(g.VpcId) != vpcID {
				continue
			}
			if !slices.ContainsFunc(g.Tags, func(t ec2types.Tag) bool { return aws.ToString(t.Key) == IsolationTag }) {
				return nil, &ForeignGroupError{GroupID: aws.ToString(g.GroupId), VPCID: vpcID}
			}
			return &g, nil
		}
		return nil, nil
	}
	g, err := find()
	if err != nil || g != nil {
		return g, err
	}
	created, err := c.ec2.createSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String(IsolationGroupName),
		VpcId:     aws.String(vpcID),
		Description: aws.String("Isolates servers compromised in an incident (gdpr_isolate_server): allows no " +
			"traffic in or out"),
		TagSpecifications: []ec2types.TagSpecification{{
			ResourceType: ec2types.ResourceTypeSecurityGroup,
			Tags:         []ec2types.Tag{{Key: aws.String(IsolationTag), Value: aws.String("true")}},
		}},
	})
	// Another invocation made it in the meantime: take that one.
	if code(err) == "InvalidGroup.Duplicate" {
		if g, err = find(); err != nil || g != nil {
			return g, err
		}
	}
	if err != nil {
		return nil, fmt.Errorf("creating the isolation group of VPC %s: %w", vpcID, err)
	}
	out, err := c.ec2.describeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(created.GroupId)}})
	if err != nil {
		return nil, fmt.Errorf("reading the new isolation group %s: %w", aws.ToString(created.GroupId), err)
	}
	if len(out.SecurityGroups) != 1 {
		return nil, fmt.Errorf("reading the new isolation group %s: EC2 described %d groups", aws.ToString(created.GroupId), len(out.SecurityGroups))
	}
	return &out.SecurityGroups[0], nil
}

// revokeAll revokes every ingress and egress rule of the group, as described.
func (c *Clients) revokeAll(ctx context.Context, g *ec2types.SecurityGroup) error {
	id := g.GroupId
	if len(g.IpPermissions) > 0 {
		if _, err := c.ec2.revokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: id, IpPermissions: g.IpPermissions}); err != nil {
			return fmt.Errorf("revoking the ingress rules of the isolation group %s: %w", aws.ToString(id), err)
		}
	}
	if len(g.IpPermissionsEgress) > 0 {
		if _, err := c.ec2.revokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: id, IpPermissions: g.IpPermissionsEgress}); err != nil {
			return fmt.Errorf("revoking the egress rules of the isolation group %s: %w", aws.ToString(id), err)
		}
	}
	return nil
}

// MarkIsolated tags the instance with the incident and the moment of its isolation, and returns that
// moment. An instance already tagged for the same incident keeps the moment it was tagged with first.
func (c *Clients) MarkIsolated(ctx context.Context, t *Isolatee, incident string, now time.Time) (string, error) {
	if at := t.Tags[IsolatedAtTag]; at != "" && t.Tags[IncidentTag] == incident {
		return at, nil
	}
	at := now.UTC().Format(time.RFC3339)
	_, err := c.ec2.createTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{t.ID},
		Tags:      ec2Tags(map[string]string{IncidentTag: incident, IsolatedAtTag: at}),
	})
	if err != nil {
		return "", fmt.Errorf("tagging instance %s with the incident: %w", t.ID, err)
	}
	return at, nil
}

// StopIsolated stops the instance and waits until it is stopped; one already stopped is left as it is.
func (c *Clients) StopIsolated(ctx context.Context, t *Isolatee) error {
	if t.State != string(ec2types.InstanceStateNameStopped) && t.State != string(ec2types.InstanceStateNameStopping) {
		if _, err := c.ec2.stopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{t.ID}}); err != nil {
			return fmt.Errorf("stopping instance %s: %w", t.ID, err)
		}
	}
	w := ec2.NewInstanceStoppedWaiter(c.ec2.describeInstances, func(o *ec2.InstanceStoppedWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	if err := w.Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{t.ID}}, stopTimeout); err != nil {
		return fmt.Errorf("waiting up to %s for instance %s to stop: %w", stopTimeout, t.ID, err)
	}
	return nil
}

func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
