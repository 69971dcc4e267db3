package awsapi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"
)

// manualSnapshot is the snapshot type of the snapshots a user or the provider makes, as opposed to RDS's
// automated backups, which go with the instance.
const manualSnapshot = "manual"

// readSnapshot describes one snapshot; IsNotFound(err) when there is none.
func (c *Clients) readSnapshot(ctx context.Context, identifier string) (Snapshot, error) {
	out, err := c.rds.describeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(identifier)})
	if err != nil {
		return Snapshot{}, err
	}
	return describedSnapshot(identifier, out)
}

// describedSnapshot takes the snapshot out of a DescribeDBSnapshots answer; an empty answer is a not-found
// error, as RDS answers for an identifier it does not know.
func describedSnapshot(identifier string, out *rds.DescribeDBSnapshotsOutput) (Snapshot, error) {
	for _, s := range out.DBSnapshots {
		if strings.EqualFold(aws.ToString(s.DBSnapshotIdentifier), identifier) {
			return snapshot(s), nil
		}
	}
	return Snapshot{}, &smithy.GenericAPIError{Code: "DBSnapshotNotFound", Message: "DB snapshot " + identifier + " not found"}
}

// MoveSnapshots lists the manual snapshots of the DB instance identifier whose identifier begins with
// MoveSnapshotPrefix, oldest first.
func (c *Clients) MoveSnapshots(ctx context.Context, identifier string) ([]Snapshot, error) {
	pages := rds.NewDescribeDBSnapshotsPaginator(c.rds.describeDBSnapshots, &rds.DescribeDBSnapshotsInput{
		Filters: []rdstypes.Filter{
			{Name: aws.String("db-instance-id"), Values: []string{identifier}},
			{Name: aws.String("snapshot-type"), Values: []string{manualSnapshot}},
		},
	})
	var found []Snapshot
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("listing the snapshots of DB instance %s: %w", identifier, err)
		}
		for _, s := range page.DBSnapshots {
			// The filters are checked here too: some services ignore them.
			sn := snapshot(s)
			if strings.HasPrefix(sn.Identifier, MoveSnapshotPrefix) && strings.EqualFold(sn.DatabaseIdentifier, identifier) &&
				aws.ToString(s.SnapshotType) == manualSnapshot {
				found = append(found, sn)
			}
		}
	}
	sortSnapshots(found)
	return found, nil
}

// sortSnapshots orders snapshots oldest first; a copy made in the same second as its source, which RDS
// dates the same, comes after it, as its identifier is the source's with a suffix.
func sortSnapshots(s []Snapshot) {
	slices.SortStableFunc(s, func(a, b Snapshot) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Identifier, b.Identifier)
	})
}

// WaitSnapshotAvailable waits until the snapshot is available, and returns it.
func (c *Clients) WaitSnapshotAvailable(ctx context.Context, identifier string, timeout time.Duration) (Snapshot, error) {
	w := rds.NewDBSnapshotAvailableWaiter(c.rds.describeDBSnapshots, func(o *rds.DBSnapshotAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	out, err := w.WaitForOutput(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(identifier)}, timeout)
	if err != nil {
		return Snapshot{}, fmt.Errorf("waiting up to %s for snapshot %s to be available: %w", timeout, identifier, err)
	}
	return describedSnapshot(identifier, out)
}

// CopySnapshot copies the snapshot from to the snapshot to, encrypted under kmsKeyARN, with from's tags,
// and waits until the copy is available. A copy that exists already (an interrupted apply made it) is waited
// for, not made again.
func (c *Clients) CopySnapshot(ctx context.Context, from, to, kmsKeyARN string, timeout time.Duration) (Snapshot, error) {
	cctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	_, err = c.rds.copyDBSnapshot(cctx, &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String(from),
		TargetDBSnapshotIdentifier: aws.String(to),
		KmsKeyId:                   aws.String(kmsKeyARN),
		CopyTags:                   aws.Bool(true),
	})
	cancel()
	if err != nil && !IsAlreadyExists(err) {
		return Snapshot{}, fmt.Errorf("copying snapshot %s to %s under %s: %w", from, to, kmsKeyARN, err)
	}
	return c.WaitSnapshotAvailable(ctx, to, timeout)
}

// DeleteSnapshot deletes the manual snapshot; one already gone is not an error.
func (c *Clients) DeleteSnapshot(ctx context.Context, identifier string) error {
	_, err := c.rds.deleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(identifier)})
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("deleting snapshot %s: %w", identifier, err)
	}
	return nil
}
