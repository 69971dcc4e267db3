package database_test

// Helpers of the gdpr_database tests: configurations, and checks that ask RDS (the emulator) rather than the
// state.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	gdpracctest "github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

const dbAddr = "gdpr_database.test"

// randomIdentifier is an identifier no other test uses.
func randomIdentifier(prefix string) string {
	return prefix + "-" + acctest.RandStringFromCharSet(8, acctest.CharSetAlphaNum)
}

// dbConfig is a provider block (with extra lines inside it), two keys (a and b) and a database with the
// given identifier and arguments; kms_key_arn defaults to key a's.
func dbConfig(extra, identifier, body string) string {
	if !strings.Contains(body, "kms_key_arn") {
		body = "  kms_key_arn = gdpr_key.a.arn\n" + body
	}
	for _, def := range []string{
		`engine                = "postgres"`, `engine_version        = "17.4"`, `instance_class        = "db.t4g.medium"`,
		`allocated_storage_gib = 50`, `backup_retention_days = 7`,
	} {
		name := strings.Fields(def)[0]
		if !strings.Contains(body, "  "+name+" ") && !strings.Contains(body, "  "+name+"=") {
			body += "  " + def + "\n"
		}
	}
	return gdpracctest.ProviderConfig(gdpracctest.Region, extra) + fmt.Sprintf(`
resource "gdpr_key" "a" {
  description          = "database a"
  deletion_window_days = 7
}

resource "gdpr_key" "b" {
  description          = "database b"
  deletion_window_days = 7
}

resource "gdpr_database" "test" {
  identifier = %q
%s
}
`, identifier, body)
}

func rdsClient(t *testing.T) *rds.Client {
	return rds.NewFromConfig(gdpracctest.AWSConfig(t, gdpracctest.Region))
}

// describe asks the emulator for the DB instance; nil when there is none.
func describe(t *testing.T, identifier string) *rdstypes.DBInstance {
	t.Helper()
	out, err := rdsClient(t).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(identifier)})
	var nf *rdstypes.DBInstanceNotFoundFault
	if errorsAs(err, &nf) {
		return nil
	}
	if err != nil {
		t.Fatalf("describing DB instance %s: %v", identifier, err)
	}
	if len(out.DBInstances) == 0 {
		return nil
	}
	return &out.DBInstances[0]
}

// snapshotsOf lists the manual snapshots of the DB instance identifier, by name: those a move takes and
// leaves, never the automated backups of the database that exists.
func snapshotsOf(t *testing.T, identifier string) []string {
	return snapshotNamesOf(t, identifier, "manual")
}

// snapshotNamesOf lists the snapshots of the DB instance identifier of the type given ("" for any), by name.
func snapshotNamesOf(t *testing.T, identifier, snapshotType string) []string {
	t.Helper()
	in := &rds.DescribeDBSnapshotsInput{Filters: []rdstypes.Filter{{Name: aws.String("db-instance-id"), Values: []string{identifier}}}}
	if snapshotType != "" {
		in.SnapshotType = aws.String(snapshotType)
	}
	out, err := rdsClient(t).DescribeDBSnapshots(context.Background(), in)
	if err != nil {
		t.Fatalf("listing the snapshots of %s: %v", identifier, err)
	}
	var names []string
	for _, s := range out.DBSnapshots {
		names = append(names, aws.ToString(s.DBSnapshotIdentifier))
	}
	slices.Sort(names)
	return names
}

// keyARN returns the ARN of gdpr_key.<name> in the state.
func keyARN(s *terraform.State, name string) string {
	return s.RootModule().Resources["gdpr_key."+name].Primary.Attributes["arn"]
}

// checkGuarantees checks, by asking the emulator, that the DB instance keeps every guarantee of a
// gdpr_database under the key of gdpr_key.<key>, with the arguments want.
func checkGuarantees(t *testing.T, identifier, key string, want func(*rdstypes.DBInstance) error) func(*terraform.State) error {
	return func(s *terraform.State) error {
		return guaranteesHold(t, identifier, keyARN(s, key), want)
	}
}

// guaranteesHold is checkGuarantees for the key with the ARN k: nil when the DB instance keeps every
// guarantee under it, with the arguments want.
func guaranteesHold(t *testing.T, identifier, k string, want func(*rdstypes.DBInstance) error) error {
	db := describe(t, identifier)
	if db == nil {
		return fmt.Errorf("DB instance %s does not exist", identifier)
	}
	var problems []string
	check := func(ok bool, what string) {
		if !ok {
			problems = append(problems, what)
		}
	}
	check(aws.ToBool(db.StorageEncrypted), "storage not encrypted")
	check(aws.ToString(db.KmsKeyId) == k, fmt.Sprintf("storage key %s, not %s", aws.ToString(db.KmsKeyId), k))
	check(!aws.ToBool(db.PubliclyAccessible), "publicly accessible")
	check(aws.ToBool(db.DeletionProtection), "no deletion protection")
	check(!aws.ToBool(db.AutoMinorVersionUpgrade), "automatic minor version upgrades on")
	check(aws.ToBool(db.IAMDatabaseAuthenticationEnabled), "IAM database authentication off")
	check(aws.ToBool(db.CopyTagsToSnapshot), "tags not copied to snapshots")
	check(db.MasterUserSecret != nil && aws.ToString(db.MasterUserSecret.KmsKeyId) == k, "master password not managed by RDS under the key")
	check(aws.ToString(db.DBInstanceStatus) == "available", "status "+aws.ToString(db.DBInstanceStatus))
	if len(problems) > 0 {
		return fmt.Errorf("DB instance %s: %s", identifier, strings.Join(problems, "; "))
	}
	if want != nil {
		return want(db)
	}
	return nil
}

// checkGone checks that the DB instance and every snapshot of it are gone from the emulator.
func checkGone(t *testing.T, identifier string) func(*terraform.State) error {
	return func(*terraform.State) error {
		if db := describe(t, identifier); db != nil {
			return fmt.Errorf("DB instance %s still exists (%s)", identifier, aws.ToString(db.DBInstanceStatus))
		}
		// Every snapshot goes with the database, its automated backups included.
		if snaps := snapshotNamesOf(t, identifier, ""); len(snaps) > 0 {
			return fmt.Errorf("snapshots of %s outlive it: %v", identifier, snaps)
		}
		return nil
	}
}

func errorsAs(err error, target any) bool { return err != nil && errors.As(err, target) }
