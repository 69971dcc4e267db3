package awsapi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// CreateDatabase creates the DB instance in, with every guarantee, marked with CreatingTag = fingerprint, and
// returns it as CreateDBInstance answers (it is still being created).
//
// RDS takes no client token: a request the SDK retries after its first attempt reached RDS is refused as
// DBInstanceAlreadyExists, and the instance that first attempt made, which carries this create's marker,
// is returned as made. An instance of another create, or of nobody's, keeps the error (IsAlreadyExists).
func (c *Clients) CreateDatabase(ctx context.Context, in DatabaseInput, fingerprint string) (*Database, error) {
	input := createDBInstanceInput(in, databaseGuarantees)
	input.Tags = append(input.Tags, creatingTag(fingerprint))
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	out, err := c.rds.createDBInstance(ctx, input)
	if IsAlreadyExists(err) {
		return c.ownInstance(ctx, in.Identifier, fingerprint, err)
	}
	if err != nil {
		return nil, err
	}
	return database(*out.DBInstance), nil
}

// ownInstance returns the instance identifier when the create fingerprint made it, and refused otherwise.
func (c *Clients) ownInstance(ctx context.Context, identifier, fingerprint string, refused error) (*Database, error) {
	d, err := c.ReadDatabase(ctx, identifier)
	if err != nil || d.Unfinished != fingerprint {
		return nil, refused
	}
	return d, nil
}

func creatingTag(fingerprint string) rdstypes.Tag {
	return rdstypes.Tag{Key: aws.String(CreatingTag), Value: aws.String(fingerprint)}
}

// createDBInstanceInput is the request that creates in: the arguments, then what each of the guarantees gs
// asks for (see rds_guarantees.go). Tests leave a guarantee out of gs.
func createDBInstanceInput(in DatabaseInput, gs []*databaseGuarantee) *rds.CreateDBInstanceInput {
	input := &rds.CreateDBInstanceInput{
		DBInstanceIdentifier:  aws.String(in.Identifier),
		Engine:                aws.String(in.Engine),
		EngineVersion:         aws.String(in.EngineVersion),
		DBInstanceClass:       aws.String(in.InstanceClass),
		AllocatedStorage:      aws.Int32(in.AllocatedStorageGiB),
		KmsKeyId:              aws.String(in.KMSKeyARN),
		BackupRetentionPeriod: aws.Int32(in.BackupRetentionDays),
		MasterUsername:        aws.String(in.MasterUsername),
		VpcSecurityGroupIds:   in.SecurityGroupIDs,
		Tags:                  rdsTags(in.Tags),
	}
	if in.SubnetGroupName != "" {
		input.DBSubnetGroupName = aws.String(in.SubnetGroupName)
	}
	for _, g := range gs {
		g.create(input)
	}
	return input
}

// RestoreDatabase creates the DB instance in from the snapshot, with every guarantee the restore can take
// and the ones it cannot set right after, marked as CreateDatabase marks it. The snapshot must be encrypted
// under in.KMSKeyARN (see CopySnapshot). An engine version newer than the snapshot's is reached by an upgrade
// once the instance is available.
//
// The restore takes every guarantee but storage_encrypted, which the snapshot decides: a snapshot that is not
// encrypted under in.KMSKeyARN is refused before anything is made. The upgrade is WaitDatabaseAvailable's,
// given in.EngineVersion, so that an apply interrupted before it still makes it when it waits again.
func (c *Clients) RestoreDatabase(ctx context.Context, snapshot string, in DatabaseInput, fingerprint string) (*Database, error) {
	s, err := c.readSnapshot(ctx, snapshot)
	if err != nil {
		return nil, fmt.Errorf("reading the snapshot %s to restore: %w", snapshot, err)
	}
	if !s.Encrypted || !sameKey(s.KMSKeyID, in.KMSKeyARN) {
		return nil, fmt.Errorf("%w: snapshot %s is encrypted under %q, not under %s", ErrSnapshotKey, snapshot, s.KMSKeyID, in.KMSKeyARN)
	}
	input := restoreDBInstanceInput(snapshot, in, databaseGuarantees)
	input.Tags = append(input.Tags, creatingTag(fingerprint))
	ctx, cancel, err := uninterrupted(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	out, err := c.rds.restoreDBInstanceFromDBSnapshot(ctx, input)
	if IsAlreadyExists(err) {
		return c.ownInstance(ctx, in.Identifier, fingerprint, err)
	}
	if err != nil {
		return nil, err
	}
	return database(*out.DBInstance), nil
}

// ErrSnapshotKey is returned by RestoreDatabase for a snapshot that is not encrypted under the database's
// key: the restore would keep the snapshot's key.
var ErrSnapshotKey = errors.New("the snapshot is not encrypted under the database's key")

// restoreDBInstanceInput is the request that restores in from the snapshot: the arguments the restore
// takes (not the engine version nor the key, which come from the snapshot), then what each of the
// guarantees gs asks for.
func restoreDBInstanceInput(snapshot string, in DatabaseInput, gs []*databaseGuarantee) *rds.RestoreDBInstanceFromDBSnapshotInput {
	input := &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier:  aws.String(in.Identifier),
		DBSnapshotIdentifier:  aws.String(snapshot),
		Engine:                aws.String(in.Engine),
		DBInstanceClass:       aws.String(in.InstanceClass),
		AllocatedStorage:      aws.Int32(in.AllocatedStorageGiB),
		BackupRetentionPeriod: aws.Int32(in.BackupRetentionDays),
		VpcSecurityGroupIds:   in.SecurityGroupIDs,
		Tags:                  rdsTags(in.Tags),
	}
	if in.SubnetGroupName != "" {
		input.DBSubnetGroupName = aws.String(in.SubnetGroupName)
	}
	for _, g := range gs {
		if g.restore != nil {
			g.restore(input, in.KMSKeyARN)
		}
	}
	return input
}

// WaitDatabaseAvailable waits until the DB instance is available (and, when version is not "", runs that
// engine version), and returns it.
//
// An instance available at another version, with no upgrade to version pending, is upgraded
// (ModifyDBInstance, applied at once, never across a major version) and waited for again: a restore keeps
// its snapshot's version.
func (c *Clients) WaitDatabaseAvailable(ctx context.Context, identifier, version string, timeout time.Duration) (*Database, error) {
	deadline := time.Now().Add(timeout)
	in := &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(identifier)}
	upgraded := false
	for {
		w := rds.NewDBInstanceAvailableWaiter(c.rds.describeDBInstances, func(o *rds.DBInstanceAvailableWaiterOptions) {
			o.MinDelay, o.MaxDelay = waitMinDelay, waitMaxDelay
			available := o.Retryable
			o.Retryable = func(ctx context.Context, in *rds.DescribeDBInstancesInput, out *rds.DescribeDBInstancesOutput, err error) (bool, error) {
				retry, err := available(ctx, in, out, err)
				if retry || err != nil || version == "" {
					return retry, err
				}
				// Available, but an upgrade to version is still to come.
				return upgradePending(out, version), nil
			}
		})
		out, err := w.WaitForOutput(ctx, in, max(time.Until(deadline), time.Second))
		if err != nil {
			return nil, fmt.Errorf("waiting up to %s for DB instance %s to be available: %w", timeout, identifier, err)
		}
		d, err := describedDatabase(identifier, out)
		if err != nil || version == "" || d.EngineVersion == version {
			return d, err
		}
		if upgraded {
			return nil, fmt.Errorf("DB instance %s is available at engine version %s after its upgrade to %s", identifier, d.EngineVersion, version)
		}
		if err := c.upgrade(ctx, identifier, version); err != nil {
			return nil, err
		}
		upgraded = true
	}
}

// upgradePending reports whether the described instance is to change to engine version: RDS reports the
// upgrade as pending before the instance leaves the available state.
func upgradePending(out *rds.DescribeDBInstancesOutput, version string) bool {
	for _, i := range out.DBInstances {
		if p := i.PendingModifiedValues; p != nil && aws.ToString(p.EngineVersion) == version && aws.ToString(i.EngineVersion) != version {
			return true
		}
	}
	return false
}

// upgrade moves the instance to engine version at once, never across a major version: the plan refused
// those already, and RDS is not to guess.
func (c *Clients) upgrade(ctx context.Context, identifier, version string) error {
	_, err := c.rds.modifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier:     aws.String(identifier),
		EngineVersion:            aws.String(version),
		AllowMajorVersionUpgrade: aws.Bool(false),
		ApplyImmediately:         aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("upgrading DB instance %s to engine version %s: %w", identifier, version, err)
	}
	return nil
}

// FinishDatabase removes the creation marker: the create is complete.
func (c *Clients) FinishDatabase(ctx context.Context, d *Database) error {
	_, err := c.rds.removeTagsFromResource(ctx, &rds.RemoveTagsFromResourceInput{
		ResourceName: aws.String(d.ARN),
		TagKeys:      []string{CreatingTag},
	})
	if err != nil {
		return err
	}
	d.Unfinished = ""
	return nil
}
