package database

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

func TestRestoreProblems_namesWhatARestoreCannotChange(t *testing.T) {
	pg := restorable{Engine: "postgres", EngineVersion: "17.4", StorageGiB: 50, MasterUsername: "gdpr_admin"}
	with := func(f func(*restorable)) restorable { r := pg; f(&r); return r }
	cases := []struct {
		name string
		from restorable
		to   restorable
		want []string // the attributes named, in order
	}{
		{"same", pg, pg, nil},
		{"new class, key and more storage", pg, with(func(r *restorable) { r.StorageGiB = 100 }), nil},
		{"minor upgrade", pg, with(func(r *restorable) { r.EngineVersion = "17.5" }), nil},
		{"minor downgrade", pg, with(func(r *restorable) { r.EngineVersion = "17.2" }), []string{"engine_version"}},
		{"major upgrade", pg, with(func(r *restorable) { r.EngineVersion = "18.1" }), []string{"engine_version"}},
		{"other engine", pg, with(func(r *restorable) { r.Engine = "mysql"; r.EngineVersion = "8.0.40" }), []string{"engine"}},
		{"less storage", pg, with(func(r *restorable) { r.StorageGiB = 20 }), []string{"allocated_storage_gib"}},
		{"other master user", pg, with(func(r *restorable) { r.MasterUsername = "admin" }), []string{"master_username"}},
		{"snapshot does not name its user", with(func(r *restorable) { r.MasterUsername = "" }), with(func(r *restorable) { r.MasterUsername = "admin" }), nil},
		{"mysql major is two numbers", restorable{Engine: "mysql", EngineVersion: "8.0.40", StorageGiB: 20},
			restorable{Engine: "mysql", EngineVersion: "8.4.3", StorageGiB: 20}, []string{"engine_version"}},
		{"mysql minor", restorable{Engine: "mysql", EngineVersion: "8.0.40", StorageGiB: 20},
			restorable{Engine: "mysql", EngineVersion: "8.0.41", StorageGiB: 20}, nil},
		{"version numbers, not text", with(func(r *restorable) { r.EngineVersion = "17.9" }), with(func(r *restorable) { r.EngineVersion = "17.10" }), nil},
		{"everything", pg, restorable{Engine: "mariadb", EngineVersion: "11.4", StorageGiB: 20, MasterUsername: "x"},
			[]string{"engine", "allocated_storage_gib", "master_username"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, p := range restoreProblems(tc.from, tc.to) {
				if p.Why == "" {
					t.Errorf("problem on %s has no reason", p.Attribute)
				}
				got = append(got, p.Attribute)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("restoreProblems(%+v, %+v) named %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

func TestSnapshotNames_generationsNeverCollide(t *testing.T) {
	a := finalSnapshotName("customers", "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ")
	b := finalSnapshotName("customers", "db-ZYXWVUTSRQPONMLKJIHGFEDCBA")
	if a == b || !strings.HasPrefix(a, awsapi.MoveSnapshotPrefix+"customers-") || a != strings.ToLower(a) {
		t.Fatalf("final snapshot names %q and %q", a, b)
	}
	key := "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	if got := copyName(a, key); got != a+"-1234abcd" {
		t.Fatalf("copyName = %q", got)
	}
	if len(copyName(finalSnapshotName(strings.Repeat("a", 63), "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ"), key)) > 255 {
		t.Fatal("the longest copy name exceeds RDS's 255 characters")
	}
}

func TestNewestFinal_skipsCopiesAndTakesTheNewest(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	old := awsapi.Snapshot{Identifier: "gdpr-move-c-db-old", Created: t0}
	newer := awsapi.Snapshot{Identifier: "gdpr-move-c-db-new", Created: t0.Add(time.Hour)}
	// A copy is made after its final snapshot, so it is the newest of all, and must still not be taken as one.
	copyOfOld := awsapi.Snapshot{Identifier: "gdpr-move-c-db-old-1234abcd", Created: t0.Add(2 * time.Hour)}
	got, ok := newestFinal([]awsapi.Snapshot{copyOfOld, newer, old})
	if !ok || got.Identifier != newer.Identifier {
		t.Fatalf("newestFinal = %q, %v; want %q", got.Identifier, ok, newer.Identifier)
	}
	if _, ok := newestFinal(nil); ok {
		t.Fatal("newestFinal of nothing found a snapshot")
	}
}

// private is a private state held in a map, as the framework's is.
type private map[string][]byte

func (p private) GetKey(_ context.Context, key string) ([]byte, diag.Diagnostics) { return p[key], nil }

func TestMarkedForMove_onlyTheReplacementsMarkerForThisDatabase(t *testing.T) {
	ctx := context.Background()
	if !markedForMove(ctx, private{replacementKey: replacementMarker("customers", true)}, "customers") {
		t.Fatal("the replacement's marker was not recognised")
	}
	for name, p := range map[string]privateState{
		"no private state":          nil,
		"no marker":                 private{},
		"a replacement that erases": private{replacementKey: replacementMarker("customers", false)},
		"another database":          private{replacementKey: replacementMarker("orders", true)},
		"not the marker's form":     private{replacementKey: []byte(`"yes"`)},
	} {
		if markedForMove(ctx, p, "customers") {
			t.Errorf("%s: a delete would take a move snapshot", name)
		}
	}
}
