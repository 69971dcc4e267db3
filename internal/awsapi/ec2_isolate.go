package awsapi

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
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

// ForensicSnapshot is the snapshot kept as evidence of one volume.
type ForensicSnapshot struct {
	ID, VolumeID string
}

// SharedSnapshotError says that a forensic snapshot can be used by others to create volumes.
type SharedSnapshotError struct {
	SnapshotID string
	With       []string
}

func (e *SharedSnapshotError) Error() string {
	return fmt.Sprintf("forensic snapshot %s may be used to create volumes by %s", e.SnapshotID, strings.Join(e.With, ", "))
}

// snapshotKeyError says that a forensic snapshot is not encrypted under the incident's key.
type snapshotKeyError struct {
	SnapshotID, Want, Got string
}

func (e *snapshotKeyError) Error() string {
	got := e.Got
	if got == "" {
		got = "no key (unencrypted)"
	}
	return fmt.Sprintf("forensic snapshot %s is encrypted under %s, not %s", e.SnapshotID, got, e.Want)
}

// ForensicSnapshots keeps each EBS volume of t as a completed snapshot encrypted under keyARN and tagged
// with the incident, the instance and the volume, and returns them sorted by volume. A volume under another
// key (or none) is first snapshotted under its own, as EBS must, then re-encrypted under keyARN through a
// temporary volume (see rekeyed), and the intermediate and the temporary volume deleted once the forensic
// snapshot is complete. Snapshots an earlier invocation made are found by their
// tags and taken up where it stopped. progress is told of each volume.
func (c *Clients) ForensicSnapshots(ctx context.Context, t *Isolatee, incident, keyARN string, progress func(string)) ([]ForensicSnapshot, error) {
	existing, err := c.forensicSnapshotsOf(ctx, t.ID, incident)
	if err != nil {
		return nil, err
	}
	var kept []ForensicSnapshot
	for _, v := range t.Volumes {
		id, err := c.forensicSnapshot(ctx, t, v, incident, keyARN, existing, progress)
		if err != nil {
			return kept, err
		}
		kept = append(kept, ForensicSnapshot{ID: id, VolumeID: v.ID})
	}
	return kept, nil
}

// forensicSnapshot makes, or finds, and completes the forensic snapshot of one volume, and returns its id.
func (c *Clients) forensicSnapshot(ctx context.Context, t *Isolatee, v IsolateeVolume, incident, keyARN string,
	existing []ec2types.Snapshot, progress func(string)) (string, error) {
	var final, intermediate string
	for _, s := range existing {
		tags := ec2TagMap(s.Tags)
		if tags[ForensicsVolumeTag] != v.ID || s.State == ec2types.SnapshotStateError {
			continue
		}
		switch _, mid := tags[IntermediateTag]; {
		case mid:
			intermediate = aws.ToString(s.SnapshotId)
		case aws.ToBool(s.Encrypted) && aws.ToString(s.KmsKeyId) == keyARN:
			final = aws.ToString(s.SnapshotId)
		}
	}
	tags := map[string]string{IncidentTag: incident, ForensicsForTag: t.ID, ForensicsVolumeTag: v.ID}
	if final == "" && v.KMSKeyID == keyARN {
		progress(fmt.Sprintf("taking the forensic snapshot of volume %s", v.ID))
		out, err := c.ec2.createSnapshot(ctx, &ec2.CreateSnapshotInput{
			VolumeId:          aws.String(v.ID),
			Description:       aws.String(snapshotDescription(incident, t.ID, v.ID)),
			TagSpecifications: snapshotTags(tags),
		})
		if err != nil {
			return "", fmt.Errorf("snapshotting volume %s: %w", v.ID, err)
		}
		final = aws.ToString(out.SnapshotId)
	}
	if final == "" {
		if intermediate == "" {
			progress(fmt.Sprintf("taking a snapshot of volume %s under its own key, to re-encrypt under the incident's key", v.ID))
			mid := map[string]string{IntermediateTag: "true"}
			for k, val := range tags {
				mid[k] = val
			}
			out, err := c.ec2.createSnapshot(ctx, &ec2.CreateSnapshotInput{
				VolumeId:          aws.String(v.ID),
				Description:       aws.String(snapshotDescription(incident, t.ID, v.ID) + "; intermediate, deleted once copied"),
				TagSpecifications: snapshotTags(mid),
			})
			if err != nil {
				return "", fmt.Errorf("snapshotting volume %s: %w", v.ID, err)
			}
			intermediate = aws.ToString(out.SnapshotId)
		}
		if err := c.waitSnapshot(ctx, intermediate); err != nil {
			return "", err
		}
		progress(fmt.Sprintf("re-encrypting the snapshot of volume %s under the incident's key", v.ID))
		id, err := c.rekeyed(ctx, t, v, intermediate, incident, keyARN, tags)
		if err != nil {
			return "", err
		}
		final = id
	}
	if err := c.waitSnapshot(ctx, final); err != nil {
		return "", err
	}
	if err := c.checkForensicSnapshot(ctx, final, keyARN); err != nil {
		return "", err
	}
	if err := c.deleteSpares(ctx, t.ID, v.ID, incident, final); err != nil {
		return "", err
	}
	if err := c.deleteTemporaryVolumes(ctx, t.ID, v.ID, incident); err != nil {
		return "", err
	}
	return final, nil
}

// rekeyed makes, from the completed intermediate snapshot of volume v, a snapshot encrypted under keyARN and
// tagged with tags and the intermediate's id, and returns its id. EBS encrypts a snapshot under its volume's
// key, so a temporary volume is made from the intermediate under keyARN, in v's zone, and snapshotted.
// CopySnapshot with a KmsKeyId does the same in one call, but the SDK's CopySnapshot builds a presigning
// client that holds an *ec2.Client in an interface, which links every EC2 operation into the provider and
// doubles its size (TestBinaryKeepsOnlyCalledOperations). A temporary volume an earlier invocation made is
// found by its tags and used.
func (c *Clients) rekeyed(ctx context.Context, t *Isolatee, v IsolateeVolume, intermediate, incident, keyARN string,
	tags map[string]string) (string, error) {
	volumes, err := c.temporaryVolumesOf(ctx, t.ID, v.ID, incident)
	if err != nil {
		return "", err
	}
	temporary := ""
	for _, tv := range volumes {
		if ec2TagMap(tv.Tags)[TemporaryVolumeTag] == intermediate && tv.State != ec2types.VolumeStateError &&
			aws.ToString(tv.KmsKeyId) == keyARN {
			temporary = aws.ToString(tv.VolumeId)
		}
	}
	if temporary == "" {
		marked := map[string]string{TemporaryVolumeTag: intermediate}
		for k, val := range tags {
			marked[k] = val
		}
		out, err := c.ec2.createVolume(ctx, &ec2.CreateVolumeInput{
			SnapshotId:        aws.String(intermediate),
			AvailabilityZone:  aws.String(v.Zone),
			Encrypted:         aws.Bool(true),
			KmsKeyId:          aws.String(keyARN),
			TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVolume, Tags: ec2Tags(marked)}},
		})
		if err != nil {
			return "", fmt.Errorf("making a volume from snapshot %s of volume %s under %s: %w", intermediate, v.ID, keyARN, err)
		}
		temporary = aws.ToString(out.VolumeId)
	}
	w := ec2.NewVolumeAvailableWaiter(c.ec2.describeVolumes, func(o *ec2.VolumeAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	if err := w.Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{temporary}}, snapshotTimeout); err != nil {
		return "", fmt.Errorf("waiting up to %s for the temporary volume %s to be available: %w", snapshotTimeout, temporary, err)
	}
	rekeyed := map[string]string{ForensicsSourceTag: intermediate}
	for k, val := range tags {
		rekeyed[k] = val
	}
	out, err := c.ec2.createSnapshot(ctx, &ec2.CreateSnapshotInput{
		VolumeId:          aws.String(temporary),
		Description:       aws.String(snapshotDescription(incident, t.ID, v.ID)),
		TagSpecifications: snapshotTags(rekeyed),
	})
	if err != nil {
		return "", fmt.Errorf("snapshotting the temporary volume %s of volume %s under %s: %w", temporary, v.ID, keyARN, err)
	}
	return aws.ToString(out.SnapshotId), nil
}

// deleteTemporaryVolumes deletes, once the forensic snapshot of the volume is complete and checked, every
// temporary volume made for it, a second one a retried CreateVolume made included. A volume still being
// made is waited for, since EBS deletes only an available one.
func (c *Clients) deleteTemporaryVolumes(ctx context.Context, instanceID, volumeID, incident string) error {
	volumes, err := c.temporaryVolumesOf(ctx, instanceID, volumeID, incident)
	if err != nil {
		return err
	}
	w := ec2.NewVolumeAvailableWaiter(c.ec2.describeVolumes, func(o *ec2.VolumeAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	for _, tv := range volumes {
		id := aws.ToString(tv.VolumeId)
		if tv.State == ec2types.VolumeStateCreating {
			if err := w.Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{id}}, snapshotTimeout); err != nil {
				return fmt.Errorf("waiting for the temporary volume %s to be available before deleting it: %w", id, err)
			}
		}
		_, err := c.ec2.deleteVolume(ctx, &ec2.DeleteVolumeInput{VolumeId: aws.String(id)})
		if err != nil && code(err) != "InvalidVolume.NotFound" {
			return fmt.Errorf("deleting the temporary volume %s of volume %s: %w", id, volumeID, err)
		}
	}
	return nil
}

// temporaryVolumesOf lists the temporary volumes made for the forensic snapshot of the instance's volume.
func (c *Clients) temporaryVolumesOf(ctx context.Context, instanceID, volumeID, incident string) ([]ec2types.Volume, error) {
	var found []ec2types.Volume
	pages := ec2.NewDescribeVolumesPaginator(c.ec2.describeVolumes, &ec2.DescribeVolumesInput{
		Filters: []ec2types.Filter{
			{Name: aws.String("tag:" + IncidentTag), Values: []string{incident}},
			{Name: aws.String("tag:" + ForensicsForTag), Values: []string{instanceID}},
			{Name: aws.String("tag:" + ForensicsVolumeTag), Values: []string{volumeID}},
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("looking for the temporary volumes of volume %s: %w", volumeID, err)
		}
		for _, v := range page.Volumes {
			// A filter's value may hold wildcards (* and ?) that EC2 expands; only exact tags count.
			tags := ec2TagMap(v.Tags)
			if _, temporary := tags[TemporaryVolumeTag]; temporary && tags[IncidentTag] == incident &&
				tags[ForensicsForTag] == instanceID && tags[ForensicsVolumeTag] == volumeID &&
				v.State != ec2types.VolumeStateDeleting && v.State != ec2types.VolumeStateDeleted {
				found = append(found, v)
			}
		}
	}
	return found, nil
}

// deleteSpares deletes, once the forensic snapshot keep of the volume is complete and checked, the
// intermediate snapshots of the volume and the copies of keep's own source. Read afresh rather than
// remembered: the SDK retries a request whose answer was lost, and CreateSnapshot takes no idempotency
// token, so a retry can have made a second intermediate or a second re-encrypted snapshot of the same data
// that only a new listing shows.
func (c *Clients) deleteSpares(ctx context.Context, instanceID, volumeID, incident, keep string) error {
	all, err := c.forensicSnapshotsOf(ctx, instanceID, incident)
	if err != nil {
		return err
	}
	var source string
	for _, s := range all {
		if aws.ToString(s.SnapshotId) == keep {
			source = ec2TagMap(s.Tags)[ForensicsSourceTag]
		}
	}
	for _, s := range all {
		id, tags := aws.ToString(s.SnapshotId), ec2TagMap(s.Tags)
		_, mid := tags[IntermediateTag]
		same := source != "" && tags[ForensicsSourceTag] == source
		if id == keep || tags[ForensicsVolumeTag] != volumeID || (!mid && !same) {
			continue
		}
		_, err := c.ec2.deleteSnapshot(ctx, &ec2.DeleteSnapshotInput{SnapshotId: aws.String(id)})
		if err != nil && code(err) != "InvalidSnapshot.NotFound" {
			return fmt.Errorf("deleting the spare snapshot %s of volume %s: %w", id, volumeID, err)
		}
	}
	return nil
}

// forensicSnapshotsOf lists the account's snapshots tagged for the incident and the instance.
func (c *Clients) forensicSnapshotsOf(ctx context.Context, instanceID, incident string) ([]ec2types.Snapshot, error) {
	var found []ec2types.Snapshot
	pages := ec2.NewDescribeSnapshotsPaginator(c.ec2.describeSnapshots, &ec2.DescribeSnapshotsInput{
		OwnerIds: []string{"self"},
		Filters: []ec2types.Filter{
			{Name: aws.String("tag:" + IncidentTag), Values: []string{incident}},
			{Name: aws.String("tag:" + ForensicsForTag), Values: []string{instanceID}},
		},
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("looking for the forensic snapshots of instance %s: %w", instanceID, err)
		}
		for _, s := range page.Snapshots {
			// A filter's value may hold wildcards (* and ?) that EC2 expands; only exact tags count.
			tags := ec2TagMap(s.Tags)
			if tags[IncidentTag] == incident && tags[ForensicsForTag] == instanceID {
				found = append(found, s)
			}
		}
	}
	sort.Slice(found, func(a, b int) bool { return aws.ToTime(found[a].StartTime).Before(aws.ToTime(found[b].StartTime)) })
	return found, nil
}

// waitSnapshot waits until the snapshot is completed.
func (c *Clients) waitSnapshot(ctx context.Context, id string) error {
	w := ec2.NewSnapshotCompletedWaiter(c.ec2.describeSnapshots, func(o *ec2.SnapshotCompletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	if err := w.Wait(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}}, snapshotTimeout); err != nil {
		return fmt.Errorf("waiting up to %s for snapshot %s to complete: %w", snapshotTimeout, id, err)
	}
	return nil
}

// checkForensicSnapshot reads the completed snapshot back: encrypted under keyARN, and usable by no one
// else to create volumes.
func (c *Clients) checkForensicSnapshot(ctx context.Context, id, keyARN string) error {
	out, err := c.ec2.describeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{id}})
	if err != nil {
		return fmt.Errorf("reading snapshot %s: %w", id, err)
	}
	if len(out.Snapshots) != 1 {
		return fmt.Errorf("reading snapshot %s: EC2 described %d snapshots", id, len(out.Snapshots))
	}
	if s := out.Snapshots[0]; !aws.ToBool(s.Encrypted) || aws.ToString(s.KmsKeyId) != keyARN {
		got := ""
		if aws.ToBool(s.Encrypted) {
			got = aws.ToString(s.KmsKeyId)
		}
		return &snapshotKeyError{SnapshotID: id, Want: keyARN, Got: got}
	}
	attr, err := c.ec2.describeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
		SnapshotId: aws.String(id), Attribute: ec2types.SnapshotAttributeNameCreateVolumePermission,
	})
	if err != nil {
		return fmt.Errorf("reading who may create volumes from snapshot %s: %w", id, err)
	}
	if len(attr.CreateVolumePermissions) > 0 {
		e := &SharedSnapshotError{SnapshotID: id}
		for _, p := range attr.CreateVolumePermissions {
			switch {
			case p.Group != "":
				e.With = append(e.With, "the group "+string(p.Group))
			case aws.ToString(p.UserId) != "":
				e.With = append(e.With, "account "+aws.ToString(p.UserId))
			}
		}
		return e
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

func snapshotDescription(incident, instanceID, volumeID string) string {
	return fmt.Sprintf("Forensic snapshot of volume %s of instance %s, incident %s (gdpr_isolate_server)", volumeID, instanceID, incident)
}

func snapshotTags(tags map[string]string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSnapshot, Tags: ec2Tags(tags)}}
}

func ec2TagMap(tags []ec2types.Tag) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
