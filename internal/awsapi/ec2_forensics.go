package awsapi

// The evidence an isolation keeps: a snapshot of every EBS volume of the instance under the incident's key,
// re-encrypted through a temporary volume when the volume's key is another, found again by its tags.

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

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

func snapshotDescription(incident, instanceID, volumeID string) string {
	return fmt.Sprintf("Forensic snapshot of volume %s of instance %s, incident %s (gdpr_isolate_server)", volumeID, instanceID, incident)
}

func snapshotTags(tags map[string]string) []ec2types.TagSpecification {
	return []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeSnapshot, Tags: ec2Tags(tags)}}
}
