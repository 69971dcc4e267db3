package awsapi

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

const testDatabaseKey = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func testDatabaseInput() DatabaseInput {
	return DatabaseInput{
		Identifier: "customers", Engine: "postgres", EngineVersion: "17.4", InstanceClass: "db.t4g.medium",
		AllocatedStorageGiB: 50, KMSKeyARN: testDatabaseKey, BackupRetentionDays: 14, MasterUsername: "admin",
		SecurityGroupIDs: []string{"sg-0a"}, Tags: map[string]string{"team": "crm"},
	}
}

// goodDatabase is a database that keeps every guarantee.
func goodDatabase() *Database {
	return &Database{
		StorageEncrypted: true, KMSKeyID: testDatabaseKey, DeletionProtection: true, IAMAuthentication: true,
		CopyTagsToSnapshot: true, MasterSecretARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-1",
		MasterSecretKMSKey: testDatabaseKey,
	}
}

// TestDatabaseProblems_namesAndClauses pins what users see, and its order, for an instance that breaks every
// guarantee.
func TestDatabaseProblems_namesAndClauses(t *testing.T) {
	d := &Database{PubliclyAccessible: true, AutoMinorVersionUpgrade: true}
	want := []Problem{
		{"storage_encrypted", "its storage is not encrypted"},
		{"publicly_accessible", "it is publicly accessible"},
		{"deletion_protection", "it is not protected from deletion"},
		{"auto_minor_version_upgrade", "AWS upgrades its engine's minor version in place"},
		{"master_user_secret", "its master password is not managed by RDS in Secrets Manager under the database's own KMS key"},
		{"iam_database_authentication", "IAM database authentication is off"},
		{"copy_tags_to_snapshot", "its snapshots do not carry its tags"},
	}
	if got := d.Problems(); !slices.Equal(got, want) {
		t.Errorf("problems = %v\nwant %v", got, want)
	}
}

func TestDatabaseProblems(t *testing.T) {
	tests := map[string]struct {
		change func(*Database)
		want   []string
	}{
		"as guaranteed":              {func(*Database) {}, nil},
		"unencrypted":                {func(d *Database) { d.StorageEncrypted = false }, []string{"storage_encrypted"}},
		"public":                     {func(d *Database) { d.PubliclyAccessible = true }, []string{"publicly_accessible"}},
		"unprotected":                {func(d *Database) { d.DeletionProtection = false }, []string{"deletion_protection"}},
		"minor upgrades":             {func(d *Database) { d.AutoMinorVersionUpgrade = true }, []string{"auto_minor_version_upgrade"}},
		"no managed password":        {func(d *Database) { d.MasterSecretARN, d.MasterSecretKMSKey = "", "" }, []string{"master_user_secret"}},
		"secret under another key":   {func(d *Database) { d.MasterSecretKMSKey = "alias/aws/secretsmanager" }, []string{"master_user_secret"}},
		"secret key named by its id": {func(d *Database) { d.MasterSecretKMSKey = "1234abcd-12ab-34cd-56ef-1234567890ab" }, nil},
		"password auth only":         {func(d *Database) { d.IAMAuthentication = false }, []string{"iam_database_authentication"}},
		"untagged snapshots":         {func(d *Database) { d.CopyTagsToSnapshot = false }, []string{"copy_tags_to_snapshot"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			d := goodDatabase()
			tc.change(d)
			if got := ProblemNames(d.Problems()); !slices.Equal(got, tc.want) {
				t.Errorf("problems = %v, want %v", got, tc.want)
			}
		})
	}
}

// leastSafeRDS is the instance the least safe RDS there could be makes when a request leaves a setting out:
// public, with minor upgrades, unencrypted, unprotected, with a password the caller keeps (or, when RDS is
// asked to manage it, in a secret under Secrets Manager's own key), password sign-in only, and untagged
// snapshots. A restore keeps the snapshot's encryption and key.
type leastSafeRDS struct {
	public, minorUpgrades, encrypted, protected, managed, iam, copyTags *bool
	key, secretKey                                                      *string
}

func (r leastSafeRDS) database() *Database {
	d := &Database{
		PubliclyAccessible:      aws.ToBool(orTrue(r.public)),
		AutoMinorVersionUpgrade: aws.ToBool(orTrue(r.minorUpgrades)),
		StorageEncrypted:        aws.ToBool(r.encrypted),
		KMSKeyID:                aws.ToString(r.key),
		DeletionProtection:      aws.ToBool(r.protected),
		IAMAuthentication:       aws.ToBool(r.iam),
		CopyTagsToSnapshot:      aws.ToBool(r.copyTags),
	}
	if aws.ToBool(r.managed) {
		d.MasterSecretARN = "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-1"
		d.MasterSecretKMSKey = "alias/aws/secretsmanager"
		if r.secretKey != nil {
			d.MasterSecretKMSKey = *r.secretKey
		}
	}
	return d
}

func orTrue(b *bool) *bool {
	if b == nil {
		return aws.Bool(true)
	}
	return b
}

func leastSafeCreate(in *rds.CreateDBInstanceInput) *Database {
	return leastSafeRDS{
		public: in.PubliclyAccessible, minorUpgrades: in.AutoMinorVersionUpgrade, encrypted: in.StorageEncrypted,
		protected: in.DeletionProtection, managed: in.ManageMasterUserPassword, iam: in.EnableIAMDatabaseAuthentication,
		copyTags: in.CopyTagsToSnapshot, key: in.KmsKeyId, secretKey: in.MasterUserSecretKmsKeyId,
	}.database()
}

// leastSafeRestore restores from a snapshot encrypted under snapshotKey ("" for an unencrypted one).
func leastSafeRestore(in *rds.RestoreDBInstanceFromDBSnapshotInput, snapshotKey string) *Database {
	r := leastSafeRDS{
		public: in.PubliclyAccessible, minorUpgrades: in.AutoMinorVersionUpgrade, encrypted: aws.Bool(snapshotKey != ""),
		protected: in.DeletionProtection, managed: in.ManageMasterUserPassword, iam: in.EnableIAMDatabaseAuthentication,
		copyTags: in.CopyTagsToSnapshot, secretKey: in.MasterUserSecretKmsKeyId,
	}
	if snapshotKey != "" {
		r.key = aws.String(snapshotKey)
	}
	return r.database()
}

// TestCreateDBInstanceInput_createsWithoutProblems creates, in the least safe RDS there could be, what
// CreateDatabase asks for: the instance must keep every guarantee, whatever RDS's defaults.
func TestCreateDBInstanceInput_createsWithoutProblems(t *testing.T) {
	in := createDBInstanceInput(testDatabaseInput(), databaseGuarantees)
	if p := leastSafeCreate(in).Problems(); len(p) > 0 {
		t.Errorf("the instance CreateDatabase asks for has problems: %v", p)
	}
	if aws.ToString(in.KmsKeyId) != testDatabaseKey || aws.ToString(in.EngineVersion) != "17.4" ||
		aws.ToInt32(in.BackupRetentionPeriod) != 14 || aws.ToString(in.MasterUsername) != "admin" {
		t.Errorf("the request does not carry the arguments: %+v", in)
	}
	if in.MasterUserPassword != nil {
		t.Error("the request carries a master password; RDS is to make and keep it")
	}
}

// TestCreateDBInstanceInput_eachGuaranteeIsAskedFor leaves one guarantee at a time out of the request: the
// instance created from it must break exactly that one, so no guarantee is checked without being asked for.
func TestCreateDBInstanceInput_eachGuaranteeIsAskedFor(t *testing.T) {
	for _, g := range databaseGuarantees {
		t.Run(g.name, func(t *testing.T) {
			in := createDBInstanceInput(testDatabaseInput(), without(databaseGuarantees, g))
			if got := ProblemNames(leastSafeCreate(in).Problems()); !slices.Equal(got, []string{g.name}) {
				t.Errorf("problems = %v, want [%s]", got, g.name)
			}
		})
	}
}

// TestRestoreDBInstanceInput_restoresWithoutProblems restores, in the least safe RDS, from a snapshot under
// the database's key what RestoreDatabase asks for: the instance must keep every guarantee.
func TestRestoreDBInstanceInput_restoresWithoutProblems(t *testing.T) {
	in := restoreDBInstanceInput("gdpr-move-customers-db-abc", testDatabaseInput(), databaseGuarantees)
	if p := leastSafeRestore(in, testDatabaseKey).Problems(); len(p) > 0 {
		t.Errorf("the instance RestoreDatabase asks for has problems: %v", p)
	}
	if aws.ToString(in.DBSnapshotIdentifier) != "gdpr-move-customers-db-abc" || aws.ToInt32(in.AllocatedStorage) != 50 ||
		aws.ToInt32(in.BackupRetentionPeriod) != 14 || len(in.VpcSecurityGroupIds) != 1 {
		t.Errorf("the request does not carry the arguments: %+v", in)
	}
	// The snapshot decides the encryption: no request can ask for it.
	if p := ProblemNames(leastSafeRestore(in, "").Problems()); !slices.Equal(p, []string{"storage_encrypted", "master_user_secret"}) {
		t.Errorf("restored from an unencrypted snapshot, problems = %v, want [storage_encrypted master_user_secret]", p)
	}
}

// TestRestoreDBInstanceInput_eachGuaranteeIsAskedFor leaves one guarantee at a time out of the restore
// request: the instance must break exactly that one. Only the encryption is the snapshot's.
func TestRestoreDBInstanceInput_eachGuaranteeIsAskedFor(t *testing.T) {
	var checkedOnly []string
	for _, g := range databaseGuarantees {
		if g.restore == nil {
			checkedOnly = append(checkedOnly, g.name)
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			in := restoreDBInstanceInput("gdpr-move-customers-db-abc", testDatabaseInput(), without(databaseGuarantees, g))
			if got := ProblemNames(leastSafeRestore(in, testDatabaseKey).Problems()); !slices.Equal(got, []string{g.name}) {
				t.Errorf("problems = %v, want [%s]", got, g.name)
			}
		})
	}
	if want := []string{"storage_encrypted"}; !slices.Equal(checkedOnly, want) {
		t.Errorf("guarantees no restore asks for: %v, want %v", checkedOnly, want)
	}
}
