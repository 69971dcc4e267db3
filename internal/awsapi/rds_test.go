package awsapi

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// TestSortSnapshots: oldest first, and a copy dated the same second as its source after it.
func TestSortSnapshots(t *testing.T) {
	at := time.Date(2026, 12, 7, 5, 0, 0, 0, time.UTC)
	s := []Snapshot{
		{Identifier: "gdpr-move-db-b", Created: at.Add(time.Hour)},
		{Identifier: "gdpr-move-db-a-1234abcd", Created: at},
		{Identifier: "gdpr-move-db-a", Created: at},
	}
	sortSnapshots(s)
	var got []string
	for _, x := range s {
		got = append(got, x.Identifier)
	}
	if want := []string{"gdpr-move-db-a", "gdpr-move-db-a-1234abcd", "gdpr-move-db-b"}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}

// TestUpgradePending: an available instance still waits for an upgrade RDS reports pending to the version
// asked for, and for no other.
func TestUpgradePending(t *testing.T) {
	described := func(version, pending string) *rds.DescribeDBInstancesOutput {
		i := rdstypes.DBInstance{EngineVersion: aws.String(version), PendingModifiedValues: &rdstypes.PendingModifiedValues{}}
		if pending != "" {
			i.PendingModifiedValues.EngineVersion = aws.String(pending)
		}
		return &rds.DescribeDBInstancesOutput{DBInstances: []rdstypes.DBInstance{i}}
	}
	tests := []struct {
		version, pending string
		want             bool
	}{
		{"17.4", "17.5", true},
		{"17.4", "", false},
		{"17.4", "17.6", false},
		{"17.5", "", false},
	}
	for _, tc := range tests {
		if got := upgradePending(described(tc.version, tc.pending), "17.5"); got != tc.want {
			t.Errorf("at %s with %q pending, upgradePending(17.5) = %v, want %v", tc.version, tc.pending, got, tc.want)
		}
	}
}

// TestDatabase_providerTagsAreNotTheUsers: a read instance's tags are the user's; the creation marker goes
// to Unfinished and the move tag is dropped.
func TestDatabase_providerTagsAreNotTheUsers(t *testing.T) {
	d := database(rdstypes.DBInstance{TagList: []rdstypes.Tag{
		{Key: aws.String("team"), Value: aws.String("crm")},
		{Key: aws.String(CreatingTag), Value: aws.String("fp")},
		{Key: aws.String(MoveForTag), Value: aws.String("customers")},
	}})
	if len(d.Tags) != 1 || d.Tags["team"] != "crm" || d.Unfinished != "fp" {
		t.Errorf("tags %v, unfinished %q; want {team: crm}, fp", d.Tags, d.Unfinished)
	}
}
