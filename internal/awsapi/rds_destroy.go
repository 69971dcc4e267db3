package awsapi

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// deletingStatus is the status RDS reports for a DB instance from its DeleteDBInstance until it is gone.
const deletingStatus = "deleting"

// DeleteDatabase lifts the deletion protection and deletes the DB instance with its automated backups,
// and waits until it is gone. With finalSnapshot, RDS first takes that snapshot (tagged MoveForTag), once
// the instance takes no more writes, and the wait includes the snapshot becoming available. A database
// already gone is not an error; nor is one already being deleted, which is waited for.
//
// The instance is tagged MoveForTag before the delete, so the final snapshot carries the tag from its first
// moment (copy_tags_to_snapshot); the snapshot is tagged again as soon as it is seen, for an instance whose
// tags are not copied. A final snapshot that already exists, because an interrupted delete made it, is waited
// for like a new one.
func (c *Clients) DeleteDatabase(ctx context.Context, identifier, finalSnapshot string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	d, err := c.ReadDatabase(ctx, identifier)
	if IsNotFound(err) {
		if finalSnapshot == "" {
			return nil
		}
		// An interrupted delete may have left its snapshot still being made.
		if _, err := c.readSnapshot(ctx, finalSnapshot); IsNotFound(err) {
			return nil
		}
		return c.waitFinalSnapshot(ctx, identifier, finalSnapshot, deadline, timeout)
	}
	if err != nil {
		return err
	}
	if d.Status != deletingStatus {
		if err := c.deleteInstance(ctx, d, finalSnapshot); err != nil {
			return err
		}
	}
	if finalSnapshot != "" {
		if err := c.waitFinalSnapshot(ctx, identifier, finalSnapshot, deadline, timeout); err != nil {
			return err
		}
	}
	w := rds.NewDBInstanceDeletedWaiter(c.rds.describeDBInstances, func(o *rds.DBInstanceDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
	})
	err = w.Wait(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(identifier)}, max(time.Until(deadline), time.Second))
	if err != nil && !IsNotFound(err) {
		return fmt.Errorf("waiting up to %s for DB instance %s to be deleted: %w", timeout, identifier, err)
	}
	return nil
}

// deleteInstance lifts the instance's deletion protection, tags it for its final snapshot, and deletes it
// with its automated backups, taking finalSnapshot unless that is "".
func (c *Clients) deleteInstance(ctx context.Context, d *Database, finalSnapshot string) error {
	if d.DeletionProtection {
		_, err := c.rds.modifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
			DBInstanceIdentifier: aws.String(d.Identifier),
			DeletionProtection:   aws.Bool(false),
			ApplyImmediately:     aws.Bool(true),
		})
		if err != nil {
			return fmt.Errorf("lifting the deletion protection of DB instance %s: %w", d.Identifier, err)
		}
	}
	input := &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier:   aws.String(d.Identifier),
		DeleteAutomatedBackups: aws.Bool(true),
		SkipFinalSnapshot:      aws.Bool(finalSnapshot == ""),
	}
	if finalSnapshot != "" {
		if err := c.tagMoveFor(ctx, d.ARN, d.Identifier); err != nil {
			return err
		}
		input.FinalDBSnapshotIdentifier = aws.String(finalSnapshot)
	}
	_, err := c.rds.deleteDBInstance(ctx, input)
	switch {
	case err == nil, IsNotFound(err):
		return nil
	case IsAlreadyExists(err):
		// The snapshot was made by a delete that was interrupted after RDS took it; the instance is then on
		// its way out, which only a read tells.
		if now, rerr := c.ReadDatabase(ctx, d.Identifier); IsNotFound(rerr) || (rerr == nil && now.Status == deletingStatus) {
			return nil
		}
	case code(err) == "InvalidDBInstanceState":
		// Another delete began in the meantime: it is waited for as one found deleting.
		if now, rerr := c.ReadDatabase(ctx, d.Identifier); IsNotFound(rerr) || (rerr == nil && now.Status == deletingStatus) {
			return nil
		}
	}
	return fmt.Errorf("deleting DB instance %s: %w", d.Identifier, err)
}

// tagMoveFor tags the instance or snapshot arn MoveForTag = identifier.
func (c *Clients) tagMoveFor(ctx context.Context, arn, identifier string) error {
	_, err := c.rds.addTagsToResource(ctx, &rds.AddTagsToResourceInput{
		ResourceName: aws.String(arn),
		Tags:         []rdstypes.Tag{{Key: aws.String(MoveForTag), Value: aws.String(identifier)}},
	})
	if err != nil {
		return fmt.Errorf("tagging %s %s=%s: %w", arn, MoveForTag, identifier, err)
	}
	return nil
}

// waitFinalSnapshot waits until the final snapshot of the instance identifier is available, and tags it
// MoveForTag = identifier as soon as it is seen without the tag. RDS makes the snapshot some time after the
// delete is accepted, so a snapshot not found yet is waited for.
func (c *Clients) waitFinalSnapshot(ctx context.Context, identifier, finalSnapshot string, deadline time.Time, timeout time.Duration) error {
	var tagErr error
	w := rds.NewDBSnapshotAvailableWaiter(c.rds.describeDBSnapshots, func(o *rds.DBSnapshotAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
		available := o.Retryable
		o.Retryable = func(ctx context.Context, in *rds.DescribeDBSnapshotsInput, out *rds.DescribeDBSnapshotsOutput, err error) (bool, error) {
			if IsNotFound(err) {
				return true, nil
			}
			if err == nil && out != nil {
				for _, s := range out.DBSnapshots {
					if _, tagged := rdsTagMap(s.TagList)[MoveForTag]; !tagged {
						if tagErr = c.tagMoveFor(ctx, aws.ToString(s.DBSnapshotArn), identifier); tagErr != nil {
							return false, tagErr
						}
					}
				}
			}
			return available(ctx, in, out, err)
		}
	})
	err := w.Wait(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(finalSnapshot)}, max(time.Until(deadline), time.Second))
	if tagErr != nil {
		return tagErr
	}
	if err != nil {
		return fmt.Errorf("waiting up to %s for the final snapshot %s of DB instance %s: %w", timeout, finalSnapshot, identifier, err)
	}
	return nil
}
