package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// A databaseGuarantee is a setting every database the provider makes has, whatever its configuration. Its
// one declaration says how a create and a restore ask for it and how an instance read from RDS is checked
// for it, so the three cannot drift apart. Its name and clause are what users see (guarantees_broken), so
// they change only on purpose.
type databaseGuarantee struct {
	name, why string
	// create puts the setting into the CreateDBInstance request, which already holds the arguments, the
	// key (KmsKeyId) among them.
	create func(*rds.CreateDBInstanceInput)
	// restore puts the setting into the RestoreDBInstanceFromDBSnapshot request, which already holds the
	// arguments; key is the database's KMS key, which the restore takes from the snapshot and cannot be
	// given. nil when the restore cannot ask for the setting: the snapshot decides it.
	restore func(in *rds.RestoreDBInstanceFromDBSnapshotInput, key string)
	// holds reports whether d, as ReadDatabase reports it, has the setting.
	holds func(d *Database) bool
}

// databaseGuarantees are the database's guarantees in the order Problems reports them.
var databaseGuarantees = []*databaseGuarantee{
	databaseStorageEncrypted, databaseNotPublic, databaseDeletionProtection, databaseNoMinorUpgrades,
	databaseMasterUserSecret, databaseIAMAuthentication, databaseCopyTagsToSnapshot,
}

// Problems lists how the database breaks what the provider guarantees of every database, in a fixed order.
func (d *Database) Problems() []Problem {
	var p []Problem
	for _, g := range databaseGuarantees {
		if !g.holds(d) {
			p = append(p, Problem{Name: g.name, Why: g.why})
		}
	}
	return p
}

// The storage, its automated backups and its snapshots are encrypted. The key is an argument (kms_key_arn),
// given with the others and compared as an attribute. A restore cannot ask: it keeps the encryption, and the
// key, of its snapshot, which is why a move copies the snapshot under the new key first.
var databaseStorageEncrypted = &databaseGuarantee{
	name:   "storage_encrypted",
	why:    "its storage is not encrypted",
	create: func(in *rds.CreateDBInstanceInput) { in.StorageEncrypted = aws.Bool(true) },
	holds:  func(d *Database) bool { return d.StorageEncrypted },
}

// The database has no address reachable from the internet.
var databaseNotPublic = &databaseGuarantee{
	name:    "publicly_accessible",
	why:     "it is publicly accessible",
	create:  func(in *rds.CreateDBInstanceInput) { in.PubliclyAccessible = aws.Bool(false) },
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, _ string) { in.PubliclyAccessible = aws.Bool(false) },
	holds:   func(d *Database) bool { return !d.PubliclyAccessible },
}

// Nobody deletes the database, and the data with it, by a stray call; the provider lifts the protection
// only in its own delete, after its checks.
var databaseDeletionProtection = &databaseGuarantee{
	name:    "deletion_protection",
	why:     "it is not protected from deletion",
	create:  func(in *rds.CreateDBInstanceInput) { in.DeletionProtection = aws.Bool(true) },
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, _ string) { in.DeletionProtection = aws.Bool(true) },
	holds:   func(d *Database) bool { return d.DeletionProtection },
}

// AWS does not change the engine in place: the engine version is the configuration's, and a new one comes
// through a planned replacement.
var databaseNoMinorUpgrades = &databaseGuarantee{
	name:   "auto_minor_version_upgrade",
	why:    "AWS upgrades its engine's minor version in place",
	create: func(in *rds.CreateDBInstanceInput) { in.AutoMinorVersionUpgrade = aws.Bool(false) },
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, _ string) {
		in.AutoMinorVersionUpgrade = aws.Bool(false)
	},
	holds: func(d *Database) bool { return !d.AutoMinorVersionUpgrade },
}

// RDS makes and keeps the master password in Secrets Manager, encrypted under the database's own key, so
// no password is ever in the configuration, the plan or the state, and deleting the key erases it too.
var databaseMasterUserSecret = &databaseGuarantee{
	name: "master_user_secret",
	why:  "its master password is not managed by RDS in Secrets Manager under the database's own KMS key",
	create: func(in *rds.CreateDBInstanceInput) {
		in.ManageMasterUserPassword = aws.Bool(true)
		in.MasterUserSecretKmsKeyId = in.KmsKeyId
	},
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, key string) {
		in.ManageMasterUserPassword = aws.Bool(true)
		in.MasterUserSecretKmsKeyId = aws.String(key)
	},
	holds: func(d *Database) bool {
		return d.MasterSecretARN != "" && d.MasterSecretKMSKey != "" && sameKey(d.MasterSecretKMSKey, d.KMSKeyID)
	},
}

// Users sign in with IAM credentials, which expire, rather than with passwords handed around.
var databaseIAMAuthentication = &databaseGuarantee{
	name:   "iam_database_authentication",
	why:    "IAM database authentication is off",
	create: func(in *rds.CreateDBInstanceInput) { in.EnableIAMDatabaseAuthentication = aws.Bool(true) },
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, _ string) {
		in.EnableIAMDatabaseAuthentication = aws.Bool(true)
	},
	holds: func(d *Database) bool { return d.IAMAuthentication },
}

// Every snapshot carries the database's tags, the gdpr-personal-data marking and the move tag included, so
// a snapshot of personal data is found and treated as such.
var databaseCopyTagsToSnapshot = &databaseGuarantee{
	name:    "copy_tags_to_snapshot",
	why:     "its snapshots do not carry its tags",
	create:  func(in *rds.CreateDBInstanceInput) { in.CopyTagsToSnapshot = aws.Bool(true) },
	restore: func(in *rds.RestoreDBInstanceFromDBSnapshotInput, _ string) { in.CopyTagsToSnapshot = aws.Bool(true) },
	holds:   func(d *Database) bool { return d.CopyTagsToSnapshot },
}
