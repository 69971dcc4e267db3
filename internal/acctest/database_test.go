package acctest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// databaseWait bounds each wait of these tests; the emulator shows each state for one describe.
const databaseWait = 2 * time.Minute

func databaseInput(identifier, key string) awsapi.DatabaseInput {
	return awsapi.DatabaseInput{
		Identifier: identifier, Engine: "postgres", EngineVersion: "17.4", InstanceClass: "db.t4g.micro",
		AllocatedStorageGiB: 20, KMSKeyARN: key, BackupRetentionDays: 7, MasterUsername: "admin",
		Tags: map[string]string{"team": "crm"},
	}
}

func keyARN(t *testing.T) string {
	t.Helper()
	id := CreateKey(t, &kms.CreateKeyInput{Description: aws.String("database tests")}, false)
	out, err := KMS(t, Region).DescribeKey(context.Background(), &kms.DescribeKeyInput{KeyId: &id})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.KeyMetadata.Arn)
}

// TestAccDatabaseCalls_aMoveThroughTheEmulator drives the RDS calls of a database replacement against the emulator,
// and asks the emulator, not the calls' answers, for each outcome: a create that keeps every guarantee; the
// delete of the protected instance with a final snapshot, which leaves the instance gone and the snapshot
// available and tagged for the move; the copy of that snapshot under a second key; the restore from the copy
// at a newer engine version, which keeps every guarantee under the second key; and a plain delete.
func TestAccDatabaseCalls_aMoveThroughTheEmulator(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := EmulatorClients(t, Region)
	const id = "move-db"
	t.Cleanup(func() { RemoveDatabase(t, Region, id) })
	oldKey, newKey := keyARN(t), keyARN(t)

	// Create.
	in := databaseInput(id, oldKey)
	made, err := c.CreateDatabase(ctx, in, "fp-create")
	if err != nil {
		t.Fatal(err)
	}
	if made.Unfinished != "fp-create" {
		t.Errorf("the new instance's creation marker = %q, want fp-create", made.Unfinished)
	}
	if i, _ := DescribeDatabase(t, Region, id); aws.ToString(i.DBInstanceStatus) == "available" {
		t.Error("the emulator reports a new instance available at once; RDS reports it creating first")
	}
	d, err := c.WaitDatabaseAvailable(ctx, id, "", databaseWait)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.FinishDatabase(ctx, d); err != nil {
		t.Fatal(err)
	}
	d, err = c.ReadDatabase(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != "available" || d.Unfinished != "" || d.Tags["team"] != "crm" || len(d.Tags) != 1 {
		t.Errorf("after the create, status %q, marker %q, tags %v; want available, none, {team: crm}", d.Status, d.Unfinished, d.Tags)
	}
	if p := d.Problems(); len(p) > 0 {
		t.Errorf("the created instance breaks guarantees: %v", p)
	}
	if d.KMSKeyID != oldKey || d.BackupRetentionDays != 7 || d.EngineVersion != "17.4" {
		t.Errorf("the created instance has key %q, retention %d, version %q", d.KMSKeyID, d.BackupRetentionDays, d.EngineVersion)
	}

	// Delete with a final snapshot: the instance is protected, which the delete lifts.
	final := awsapi.MoveSnapshotPrefix + id + "-" + strings.ToLower(d.ResourceID)
	if err := c.DeleteDatabase(ctx, id, final, databaseWait); err != nil {
		t.Fatal(err)
	}
	if i, ok := DescribeDatabase(t, Region, id); ok {
		t.Fatalf("after DeleteDatabase the instance is still there, %s", aws.ToString(i.DBInstanceStatus))
	}
	snaps := DatabaseSnapshots(t, Region, id)
	if len(snaps) != 1 || aws.ToString(snaps[0].DBSnapshotIdentifier) != final {
		t.Fatalf("after the delete, the instance's snapshots are %v, want [%s]", snapshotIDs(snaps), final)
	}
	if s := snaps[0]; aws.ToString(s.Status) != "available" || SnapshotTags(s)[awsapi.MoveForTag] != id || !aws.ToBool(s.Encrypted) {
		t.Errorf("the final snapshot is %s, encrypted %v, tags %v; want available, encrypted, tagged %s=%s",
			aws.ToString(s.Status), aws.ToBool(s.Encrypted), SnapshotTags(s), awsapi.MoveForTag, id)
	}
	moves, err := c.MoveSnapshots(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(moves) != 1 || moves[0].Identifier != final {
		t.Fatalf("MoveSnapshots = %v, want [%s]", moves, final)
	}

	// Copy under the new key.
	copied := final + "-newkey00"
	s, err := c.CopySnapshot(ctx, final, copied, newKey, databaseWait)
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != "available" || s.KMSKeyID != newKey || s.Tags[awsapi.MoveForTag] != id {
		t.Errorf("the copy is %s under %q with tags %v; want available under %s, tagged", s.Status, s.KMSKeyID, s.Tags, newKey)
	}
	// A copy made already (an interrupted apply) is waited for, not refused.
	if _, err := c.CopySnapshot(ctx, final, copied, newKey, databaseWait); err != nil {
		t.Errorf("copying again to an existing copy: %v", err)
	}
	moves, _ = c.MoveSnapshots(ctx, id)
	if got := moveIDs(moves); !slices.Equal(got, []string{final, copied}) {
		t.Errorf("MoveSnapshots = %v, want [%s %s], oldest first", got, final, copied)
	}

	// The old snapshot cannot give the new database its key.
	in = databaseInput(id, newKey)
	in.EngineVersion = "17.5"
	if _, err := c.RestoreDatabase(ctx, final, in, "fp-restore"); err == nil {
		t.Fatal("a restore from the snapshot under the old key was not refused")
	}
	// Restore from the copy, at a newer engine version.
	if _, err := c.RestoreDatabase(ctx, copied, in, "fp-restore"); err != nil {
		t.Fatal(err)
	}
	d, err = c.WaitDatabaseAvailable(ctx, id, "17.5", databaseWait)
	if err != nil {
		t.Fatal(err)
	}
	i, ok := DescribeDatabase(t, Region, id)
	if !ok {
		t.Fatal("the restored instance is not in the emulator")
	}
	if aws.ToString(i.EngineVersion) != "17.5" || aws.ToString(i.KmsKeyId) != newKey {
		t.Errorf("the restored instance runs %s under %s, want 17.5 under %s", aws.ToString(i.EngineVersion), aws.ToString(i.KmsKeyId), newKey)
	}
	if aws.ToBool(i.AutoMinorVersionUpgrade) || aws.ToBool(i.PubliclyAccessible) {
		t.Errorf("the restored instance has AutoMinorVersionUpgrade %v, PubliclyAccessible %v; want both false",
			aws.ToBool(i.AutoMinorVersionUpgrade), aws.ToBool(i.PubliclyAccessible))
	}
	if p := d.Problems(); len(p) > 0 {
		t.Errorf("the restored instance breaks guarantees: %v", p)
	}
	if d.Unfinished != "fp-restore" {
		t.Errorf("the restored instance's creation marker = %q, want fp-restore", d.Unfinished)
	}

	// The move's snapshots go; deleting one gone already is no error.
	for _, s := range []string{final, copied, copied} {
		if err := c.DeleteSnapshot(ctx, s); err != nil {
			t.Errorf("deleting snapshot %s: %v", s, err)
		}
	}
	if snaps := DatabaseSnapshots(t, Region, id); len(snaps) != 0 {
		t.Errorf("snapshots left after the move: %v", snapshotIDs(snaps))
	}

	// A plain delete of the protected instance, twice: the second finds it gone.
	for range 2 {
		if err := c.DeleteDatabase(ctx, id, "", databaseWait); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := DescribeDatabase(t, Region, id); ok {
		t.Error("after a plain delete the instance is still there")
	}
	if snaps := DatabaseSnapshots(t, Region, id); len(snaps) != 0 {
		t.Errorf("a plain delete left snapshots: %v", snapshotIDs(snaps))
	}
}

func snapshotIDs(s []rdstypes.DBSnapshot) []string {
	var ids []string
	for _, x := range s {
		ids = append(ids, aws.ToString(x.DBSnapshotIdentifier))
	}
	return ids
}

func moveIDs(s []awsapi.Snapshot) []string {
	var ids []string
	for _, x := range s {
		ids = append(ids, x.Identifier)
	}
	return ids
}

// TestEmulator_RDSShowsTheStatesAWSShows asks the emulator directly, describe by describe: a created instance
// is creating, then backing-up, then available; an engine upgrade shows upgrading; a deleted instance is
// deleting before it is gone; its final snapshot and a copy of it are creating before they are available.
// moto alone answers available, or gone, at once, which would leave the provider's waiters untested.
func TestEmulator_RDSShowsTheStatesAWSShows(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := RDS(t, Region)
	const id = "states-db"
	t.Cleanup(func() { RemoveDatabase(t, Region, id) })
	key := keyARN(t)
	instanceStates := func(n int) []string {
		var got []string
		for range n {
			i, ok := DescribeDatabase(t, Region, id)
			if !ok {
				got = append(got, "gone")
				continue
			}
			got = append(got, aws.ToString(i.DBInstanceStatus))
		}
		return got
	}
	snapshotStates := func(snapshot string, n int) []string {
		var got []string
		for range n {
			out, err := c.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String(snapshot)})
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, aws.ToString(out.DBSnapshots[0].Status))
		}
		return got
	}
	expect := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: the emulator described %v, want %v", what, got, want)
		}
	}

	_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), EngineVersion: aws.String("17.4"),
		DBInstanceClass: aws.String("db.t4g.micro"), AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"),
		ManageMasterUserPassword: aws.Bool(true), StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(key),
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("a new instance", instanceStates(3), []string{"creating", "backing-up", "available"})

	if _, err := c.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), EngineVersion: aws.String("17.5"), ApplyImmediately: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	expect("an engine upgrade", instanceStates(2), []string{"upgrading", "available"})

	final := "states-final"
	if _, err := c.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), FinalDBSnapshotIdentifier: aws.String(final),
	}); err != nil {
		t.Fatal(err)
	}
	expect("a deleted instance", instanceStates(2), []string{"deleting", "gone"})
	expect("a final snapshot", snapshotStates(final, 2), []string{"creating", "available"})

	copied := "states-copy"
	if _, err := c.CopyDBSnapshot(ctx, &rds.CopyDBSnapshotInput{
		SourceDBSnapshotIdentifier: aws.String(final), TargetDBSnapshotIdentifier: aws.String(copied), KmsKeyId: aws.String(key),
	}); err != nil {
		t.Fatal(err)
	}
	expect("a copied snapshot", snapshotStates(copied, 2), []string{"creating", "available"})
	for _, s := range []string{final, copied} {
		if _, err := c.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(s)}); err != nil {
			t.Error(err)
		}
	}
}

// TestAccDatabaseCalls_aDeleteResumes resumes deletes an interrupted apply began, asking the emulator for the outcome:
// an instance already deleting with its final snapshot still being made is waited for, and the snapshot, made
// from an instance that was never tagged for the move, is tagged when it is seen; an instance gone whose final
// snapshot exists is no error either.
func TestAccDatabaseCalls_aDeleteResumes(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := EmulatorClients(t, Region)
	const id = "resumed-db"
	final := awsapi.MoveSnapshotPrefix + id + "-db-resumed"
	t.Cleanup(func() { RemoveDatabase(t, Region, id) })
	if _, err := c.CreateDatabase(ctx, databaseInput(id, keyARN(t)), "fp"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitDatabaseAvailable(ctx, id, "", databaseWait); err != nil {
		t.Fatal(err)
	}
	// The delete an interrupted apply sent before it tagged the instance for the move.
	r := RDS(t, Region)
	if _, err := r.ModifyDBInstance(ctx, &rds.ModifyDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), DeletionProtection: aws.Bool(false), ApplyImmediately: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), FinalDBSnapshotIdentifier: aws.String(final),
	}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := c.DeleteDatabase(ctx, id, final, databaseWait); err != nil {
			t.Fatalf("resuming the delete: %v", err)
		}
	}
	if _, ok := DescribeDatabase(t, Region, id); ok {
		t.Error("the instance is still there")
	}
	snaps := DatabaseSnapshots(t, Region, id)
	if len(snaps) != 1 || aws.ToString(snaps[0].Status) != "available" || SnapshotTags(snaps[0])[awsapi.MoveForTag] != id {
		t.Errorf("after the resumed delete, the snapshots are %v; want %s, available, tagged %s=%s", snapshotIDs(snaps), final, awsapi.MoveForTag, id)
	}
}

// TestEmulator_RDSRestoreHonoursItsSettings restores, with AutoMinorVersionUpgrade and PubliclyAccessible
// false, a snapshot of an instance that had both true: as at AWS, the restored instance has both false.
// moto alone takes only the parameters that are true, and keeps the snapshot's instance's settings.
func TestEmulator_RDSRestoreHonoursItsSettings(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := RDS(t, Region)
	const id, restored, snapshot = "restore-source-db", "restored-db", "restore-source-snapshot"
	t.Cleanup(func() {
		RemoveDatabase(t, Region, id)
		RemoveDatabase(t, Region, restored)
		_, _ = c.DeleteDBSnapshot(context.Background(), &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String(snapshot)})
	})
	if _, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{
		DBInstanceIdentifier: aws.String(id), Engine: aws.String("postgres"), DBInstanceClass: aws.String("db.t4g.micro"),
		AllocatedStorage: aws.Int32(20), MasterUsername: aws.String("admin"), MasterUserPassword: aws.String("not-a-secret-1"),
		AutoMinorVersionUpgrade: aws.Bool(true), PubliclyAccessible: aws.Bool(true),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{
		DBInstanceIdentifier: aws.String(id), DBSnapshotIdentifier: aws.String(snapshot),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := c.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
		DBInstanceIdentifier: aws.String(restored), DBSnapshotIdentifier: aws.String(snapshot),
		AutoMinorVersionUpgrade: aws.Bool(false), PubliclyAccessible: aws.Bool(false),
	})
	if err != nil {
		t.Fatal(err)
	}
	i := out.DBInstance
	if source, _ := DescribeDatabase(t, Region, id); aws.ToString(i.DbiResourceId) == aws.ToString(source.DbiResourceId) {
		t.Errorf("the restored instance has the resource id of its source, %s; RDS gives each instance its own", aws.ToString(i.DbiResourceId))
	}
	if aws.ToBool(i.AutoMinorVersionUpgrade) || i.PubliclyAccessible == nil || *i.PubliclyAccessible {
		t.Errorf("restored with both false, the instance has AutoMinorVersionUpgrade %v, PubliclyAccessible %v",
			aws.ToBool(i.AutoMinorVersionUpgrade), i.PubliclyAccessible)
	}
}

// TestAccDatabaseCalls_listing lists the emulator's DB instances by tag and identifier prefix: only the instance that
// has both is yielded, read as ReadDatabase reads it.
func TestAccDatabaseCalls_listing(t *testing.T) {
	RequireEmulator(t)
	t.Parallel()
	ctx := context.Background()
	c := EmulatorClients(t, Region)
	key := keyARN(t)
	for _, id := range []string{"listed-db", "listed-untagged-db", "unlisted-db"} {
		t.Cleanup(func() { RemoveDatabase(t, Region, id) })
		in := databaseInput(id, key)
		if id == "listed-untagged-db" {
			in.Tags = nil
		}
		if _, err := c.CreateDatabase(ctx, in, "fp-"+id); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for d, err := range c.ListDatabases(ctx, map[string]string{"team": "crm"}, "listed-") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, d.Identifier)
		if d.Unfinished != "fp-"+d.Identifier || d.KMSKeyID != key || len(d.Problems()) > 0 {
			t.Errorf("listed %s with marker %q, key %q, problems %v", d.Identifier, d.Unfinished, d.KMSKeyID, d.Problems())
		}
	}
	if !slices.Equal(got, []string{"listed-db"}) {
		t.Errorf("ListDatabases(team=crm, listed-) = %v, want [listed-db]", got)
	}
}
