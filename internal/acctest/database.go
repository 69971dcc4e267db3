package acctest

// Helpers for tests that need to ask the emulator about DB instances and their snapshots: the tests of
// gdpr_database and of the RDS calls behind it.

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// RDS returns an RDS client for the emulator.
func RDS(t testing.TB, region string) *rds.Client {
	return rds.NewFromConfig(AWSConfig(t, region))
}

// DescribeDatabase asks the emulator for the DB instance; ok is false when there is none. Each call is a
// describe, which moves an instance the emulator shows in a transitional state on by one state (see
// scripts/moto-tls.py).
func DescribeDatabase(t testing.TB, region, identifier string) (instance rdstypes.DBInstance, ok bool) {
	t.Helper()
	out, err := RDS(t, region).DescribeDBInstances(context.Background(), &rds.DescribeDBInstancesInput{
		DBInstanceIdentifier: aws.String(identifier),
	})
	if awsapi.IsNotFound(err) {
		return rdstypes.DBInstance{}, false
	}
	if err != nil {
		t.Fatalf("describing DB instance %s: %v", identifier, err)
	}
	for _, i := range out.DBInstances {
		if strings.EqualFold(aws.ToString(i.DBInstanceIdentifier), identifier) {
			return i, true
		}
	}
	return rdstypes.DBInstance{}, false
}

// DatabaseSnapshots lists the manual snapshots of the DB instance identifier the emulator holds, by
// snapshot identifier.
func DatabaseSnapshots(t testing.TB, region, identifier string) []rdstypes.DBSnapshot {
	t.Helper()
	var found []rdstypes.DBSnapshot
	pages := rds.NewDescribeDBSnapshotsPaginator(RDS(t, region), &rds.DescribeDBSnapshotsInput{
		DBInstanceIdentifier: aws.String(identifier),
		SnapshotType:         aws.String("manual"),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing the snapshots of DB instance %s: %v", identifier, err)
		}
		found = append(found, page.DBSnapshots...)
	}
	slices.SortFunc(found, func(a, b rdstypes.DBSnapshot) int {
		return strings.Compare(aws.ToString(a.DBSnapshotIdentifier), aws.ToString(b.DBSnapshotIdentifier))
	})
	return found
}

// SnapshotTags returns a snapshot's tags as a map.
func SnapshotTags(s rdstypes.DBSnapshot) map[string]string {
	m := map[string]string{}
	for _, tag := range s.TagList {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

// RemoveDatabase deletes a DB instance directly in the emulator, protected or not, without a final
// snapshot, and its manual snapshots, so a test leaves nothing behind whatever became of it.
func RemoveDatabase(t testing.TB, region, identifier string) {
	t.Helper()
	ctx := context.Background()
	c := RDS(t, region)
	_, _ = c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(identifier), DeletionProtection: aws.Bool(false), ApplyImmediately: aws.Bool(true),
	})
	_, _ = c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String(identifier), SkipFinalSnapshot: aws.Bool(true), DeleteAutomatedBackups: aws.Bool(true),
	})
	for _, s := range DatabaseSnapshots(t, region, identifier) {
		_, _ = c.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: s.DBSnapshotIdentifier})
	}
}
