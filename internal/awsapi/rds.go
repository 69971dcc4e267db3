package awsapi

import "time"

// This file holds the types the gdpr_database resource reads and the constants it shares with the RDS calls
// behind it; the calls are in rds_create.go, rds_read.go, rds_destroy.go, rds_snapshots.go and rds_list.go,
// the guarantees in rds_guarantees.go.

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
