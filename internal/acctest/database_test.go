package acctest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
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

// TestDatabase_aMoveThroughTheEmulator drives the RDS calls of a database replacement against the emulator,
// and asks the emulator, not the calls' answers, for each outcome: a create that keeps every guarantee; the
// delete of the protected instance with a final snapshot, which leaves the instance gone and the snapshot
// available and tagged for the move; the copy of that snapshot under a second key; the restore from the copy
// at a newer engine version, which keeps every guarantee under the second key; and a plain delete.
func TestDatabase_aMoveThroughTheEmulator(t *testing.T) {
	RequireEmulator(t)
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
