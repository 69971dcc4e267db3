package awsapi

import (
	"context"
	"errors"
	"iter"
	"time"
)

// This file is the contract between the gdpr_database resource and the RDS calls behind it: the types the
// resource reads and the operations it calls. The bodies that still return errRDSNotBuilt are replaced by
// the RDS implementation (rds_*.go).

var errRDSNotBuilt = errors.New("RDS support is not built yet")

// MoveSnapshotPrefix begins the identifier of every snapshot a database replacement makes: the final
// snapshot of the old database (MoveSnapshotPrefix + identifier + "-" + its resource id) and its copy under
// the new key (the same, then "-" and the first 8 characters of the new key's id). Together with the
// snapshot's DB instance identifier it is how a create finds the snapshot to restore, and a plan the
// snapshots nobody claimed.
const MoveSnapshotPrefix = "gdpr-move-"

// MoveForTag is tagged on every move snapshot, with the database identifier it carries the data of.
const MoveForTag = "gdpr:move-for"

// Database is a DB instance as RDS describes it. Tags are the user's tags: the provider's own (gdpr:…)
// are taken out, the creation marker into Unfinished.
type Database struct {
	Identifier, ARN, ResourceID, Status  string
	Engine, EngineVersion, InstanceClass string
	AllocatedStorageGiB                  int32
	StorageEncrypted                     bool
	KMSKeyID                             string // the key's ARN, as RDS reports it
	PubliclyAccessible                   bool
	DeletionProtection                   bool
	AutoMinorVersionUpgrade              bool
	IAMAuthentication                    bool
	CopyTagsToSnapshot                   bool
	MasterUsername                       string
	MasterSecretARN, MasterSecretKMSKey  string // empty when RDS manages no master password
	BackupRetentionDays                  int32
	SubnetGroupName                      string
	SecurityGroupIDs                     []string
	Address                              string
	Port                                 int32
	Tags                                 map[string]string
	Unfinished                           string
}

// DatabaseInput is what a create or a restore is given.
type DatabaseInput struct {
	Identifier, Engine, EngineVersion, InstanceClass string
	AllocatedStorageGiB                              int32
	KMSKeyARN                                        string
	BackupRetentionDays                              int32
	MasterUsername                                   string
	SubnetGroupName                                  string   // "" for RDS's default
	SecurityGroupIDs                                 []string // nil for the VPC's default
	Tags                                             map[string]string
}

// Snapshot is a manual DB snapshot.
type Snapshot struct {
	Identifier, ARN, Status string
	DatabaseIdentifier      string // the DB instance it was taken of
	Engine, EngineVersion   string
	AllocatedStorageGiB     int32
	Encrypted               bool
	KMSKeyID                string
	Created                 time.Time
	Tags                    map[string]string
}

// Problems lists how the database breaks what the provider guarantees of every database, in a fixed order
// (see rds_guarantees.go).
func (d *Database) Problems() []Problem { return nil }

// CreateDatabase creates the DB instance in, with every guarantee, marked with CreatingTag = fingerprint, and
// returns it as CreateDBInstance answers (it is still being created).
func (c *Clients) CreateDatabase(ctx context.Context, in DatabaseInput, fingerprint string) (*Database, error) {
	return nil, errRDSNotBuilt
}

// RestoreDatabase creates the DB instance in from the snapshot, with every guarantee the restore can take
// and the ones it cannot set right after, marked as CreateDatabase marks it. The snapshot must be encrypted
// under in.KMSKeyARN (see CopySnapshot). An engine version newer than the snapshot's is reached by an upgrade
// once the instance is available.
func (c *Clients) RestoreDatabase(ctx context.Context, snapshot string, in DatabaseInput, fingerprint string) (*Database, error) {
	return nil, errRDSNotBuilt
}

// ReadDatabase describes the DB instance; IsNotFound(err) when there is none.
func (c *Clients) ReadDatabase(ctx context.Context, identifier string) (*Database, error) {
	return nil, errRDSNotBuilt
}

// WaitDatabaseAvailable waits until the DB instance is available (and, when version is not "", runs that
// engine version), and returns it.
func (c *Clients) WaitDatabaseAvailable(ctx context.Context, identifier, version string, timeout time.Duration) (*Database, error) {
	return nil, errRDSNotBuilt
}

// FinishDatabase removes the creation marker: the create is complete.
func (c *Clients) FinishDatabase(ctx context.Context, d *Database) error { return errRDSNotBuilt }

// DeleteDatabase lifts the deletion protection and deletes the DB instance with its automated backups,
// and waits until it is gone. With finalSnapshot, RDS first takes that snapshot (tagged MoveForTag), once
// the instance takes no more writes, and the wait includes the snapshot becoming available. A database
// already gone is not an error; nor is one already being deleted, which is waited for.
func (c *Clients) DeleteDatabase(ctx context.Context, identifier, finalSnapshot string, timeout time.Duration) error {
	return errRDSNotBuilt
}

// MoveSnapshots lists the manual snapshots of the DB instance identifier whose identifier begins with
// MoveSnapshotPrefix, oldest first.
func (c *Clients) MoveSnapshots(ctx context.Context, identifier string) ([]Snapshot, error) {
	return nil, errRDSNotBuilt
}

// WaitSnapshotAvailable waits until the snapshot is available, and returns it.
func (c *Clients) WaitSnapshotAvailable(ctx context.Context, identifier string, timeout time.Duration) (Snapshot, error) {
	return Snapshot{}, errRDSNotBuilt
}

// CopySnapshot copies the snapshot from to the snapshot to, encrypted under kmsKeyARN, with from's tags,
// and waits until the copy is available. A copy that exists already (an interrupted apply made it) is waited
// for, not made again.
func (c *Clients) CopySnapshot(ctx context.Context, from, to, kmsKeyARN string, timeout time.Duration) (Snapshot, error) {
	return Snapshot{}, errRDSNotBuilt
}

// DeleteSnapshot deletes the manual snapshot; one already gone is not an error.
func (c *Clients) DeleteSnapshot(ctx context.Context, identifier string) error { return errRDSNotBuilt }

// ListDatabases yields the DB instances of the clients' region that carry every tag in tags and whose
// identifier begins with prefix ("" for any), each as ReadDatabase reads it. An instance that cannot be read
// is yielded as an *ItemError and the listing goes on; an error of the listing itself ends it.
func (c *Clients) ListDatabases(ctx context.Context, tags map[string]string, prefix string) iter.Seq2[*Database, error] {
	return func(yield func(*Database, error) bool) { yield(nil, errRDSNotBuilt) }
}
