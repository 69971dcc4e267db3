package database

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// A replacement that carries the data runs in Terraform's default order: the old database is deleted, then
// the new one is created with the same identifier. Terraform tells neither call that it is half of a
// replacement, but it plans the new database of every replacement as a create (with the old database still
// there) and hands that plan's private state to the delete half at apply (a DeleteThenCreate change keeps
// it when core splits it in two), while a plain destroy is planned on its own, with a plan that never
// writes it. So every plan of an existing database, and the plan of a new database whose identifier a
// database holds (a tainted one is planned that way), write replacementKey, naming the database and whether
// its data moves; Delete takes the final snapshot exactly when it says so; and a destroy's plan, Create and
// Update clear it so it never survives in the state.
const replacementKey = "replacement"

// replacement is the value of replacementKey.
type replacement struct {
	Identifier string `json:"identifier"`
	MoveData   bool   `json:"move_data"`
}

// privateState is what both the plan's and the delete's private state offer.
type privateState interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

// markedForMove reports whether the private state handed to a delete is the plan of a replacement that
// moves the data of identifier.
func markedForMove(ctx context.Context, p privateState, identifier string) bool {
	if p == nil {
		return false
	}
	b, diags := p.GetKey(ctx, replacementKey)
	if diags.HasError() || len(b) == 0 {
		return false
	}
	var r replacement
	return json.Unmarshal(b, &r) == nil && r.Identifier == identifier && r.MoveData
}

func replacementMarker(identifier string, moveData bool) []byte {
	b, _ := json.Marshal(replacement{Identifier: identifier, MoveData: moveData})
	return b
}

// finalSnapshotName names the snapshot a move takes of the database with this identifier and resource id.
// The resource id is new for every DB instance, so the final snapshots of two generations of one database
// never collide, and a delete that is run again finds the snapshot it began.
func finalSnapshotName(identifier, resourceID string) string {
	return awsapi.MoveSnapshotPrefix + identifier + "-" + strings.ToLower(resourceID)
}

// copyName names the copy of the final snapshot under the key kmsKeyARN.
func copyName(final, kmsKeyARN string) string {
	id := kmsKeyARN[strings.LastIndex(kmsKeyARN, "/")+1:]
	if len(id) > 8 {
		id = id[:8]
	}
	return final + "-" + strings.ToLower(id)
}

// newestFinal returns the final snapshot to restore from: the newest of snaps that is not a copy of
// another. ok is false when snaps holds none.
func newestFinal(snaps []awsapi.Snapshot) (awsapi.Snapshot, bool) {
	var finals []awsapi.Snapshot
	for _, s := range snaps {
		isCopy := slices.ContainsFunc(snaps, func(o awsapi.Snapshot) bool {
			return o.Identifier != s.Identifier && strings.HasPrefix(s.Identifier, o.Identifier+"-")
		})
		if !isCopy {
			finals = append(finals, s)
		}
	}
	if len(finals) == 0 {
		return awsapi.Snapshot{}, false
	}
	return slices.MaxFunc(finals, func(a, b awsapi.Snapshot) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.Identifier, b.Identifier)
	}), true
}

// restoreSource is the snapshot a create restores: the newest final snapshot when it is under the
// configured key, otherwise its copy under that key, made now unless an interrupted apply made it already.
func restoreSource(ctx context.Context, c *awsapi.Clients, snaps []awsapi.Snapshot, kmsKeyARN string, timeout time.Duration) (awsapi.Snapshot, error) {
	final, _ := newestFinal(snaps)
	name := copyName(final.Identifier, kmsKeyARN)
	if slices.ContainsFunc(snaps, func(s awsapi.Snapshot) bool { return s.Identifier == name }) {
		return c.WaitSnapshotAvailable(ctx, name, timeout)
	}
	if final.KMSKeyID == kmsKeyARN {
		return c.WaitSnapshotAvailable(ctx, final.Identifier, timeout)
	}
	if _, err := c.WaitSnapshotAvailable(ctx, final.Identifier, timeout); err != nil {
		return awsapi.Snapshot{}, err
	}
	return c.CopySnapshot(ctx, final.Identifier, name, kmsKeyARN, timeout)
}

// restorable is what a database or a snapshot says about the data a move restores.
type restorable struct {
	Engine, EngineVersion string
	StorageGiB            int64
	// MasterUsername is "" when unknown (a snapshot does not say).
	MasterUsername string
}

// restoreProblem is one change a restore from a snapshot cannot make, on the argument it concerns.
type restoreProblem struct {
	Attribute, Why string
}

// restoreProblems lists what keeps a restore of from with the arguments of to: RDS restores a snapshot
// with its own engine, and a database of a later engine version only by upgrading within the major
// version, into at least as much storage, with the master user of the snapshot.
func restoreProblems(from, to restorable) []restoreProblem {
	var out []restoreProblem
	if from.Engine != to.Engine {
		out = append(out, restoreProblem{"engine", fmt.Sprintf("the data is in a %s database, and RDS restores a "+
			"snapshot only into its own engine, not into %s", from.Engine, to.Engine)})
	} else {
		switch {
		case major(from.Engine, from.EngineVersion) != major(to.Engine, to.EngineVersion):
			out = append(out, restoreProblem{"engine_version", fmt.Sprintf("the data is in %s %s, and a move "+
				"restores it only within major version %s; upgrade the major version in a step of its own "+
				"(a new database, then a dump and load), or keep %s", from.Engine, from.EngineVersion,
				major(from.Engine, from.EngineVersion), major(from.Engine, from.EngineVersion))})
		case compareVersions(to.EngineVersion, from.EngineVersion) < 0:
			out = append(out, restoreProblem{"engine_version", fmt.Sprintf("the data is in %s %s, and RDS "+
				"cannot restore it into the older version %s", from.Engine, from.EngineVersion, to.EngineVersion)})
		}
	}
	if to.StorageGiB < from.StorageGiB {
		out = append(out, restoreProblem{"allocated_storage_gib", fmt.Sprintf("the data is in %d GiB of "+
			"storage, and RDS cannot restore it into less (%d GiB)", from.StorageGiB, to.StorageGiB)})
	}
	if from.MasterUsername != "" && to.MasterUsername != "" && from.MasterUsername != to.MasterUsername {
		out = append(out, restoreProblem{"master_username", fmt.Sprintf("the database's master user is %q, and "+
			"a restore keeps the master user of its snapshot, so it cannot become %q", from.MasterUsername,
			to.MasterUsername)})
	}
	return out
}

// major is the major version of an engine version: its first number for PostgreSQL (since 10), the first
// two for MySQL and MariaDB (8.0, 8.4, 10.11, 11.4).
func major(engine, version string) string {
	parts := strings.Split(version, ".")
	if engine == "postgres" || len(parts) < 2 {
		return parts[0]
	}
	return parts[0] + "." + parts[1]
}

// compareVersions compares dotted versions number by number; a part that is not a number compares as text.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y string
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, errX := strconv.Atoi(x)
		ny, errY := strconv.Atoi(y)
		var c int
		if errX == nil && errY == nil {
			c = nx - ny
		} else {
			c = strings.Compare(x, y)
		}
		if c != 0 {
			if c < 0 {
				return -1
			}
			return 1
		}
	}
	return 0
}

func snapshotNames(snaps []awsapi.Snapshot) []string {
	out := make([]string, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, s.Identifier)
	}
	return out
}
