package database_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// A move of a database, in these tests, changes its key (from gdpr_key.a to gdpr_key.b) and its instance
// class in one apply: the delete takes the final snapshot, the create copies it under the new key, restores
// the new database from the copy and deletes both snapshots.

// moveCall is one request of a move: the n-th (1-based) request of an RDS operation about the database,
// counted from the first request of the apply of the move.
type moveCall struct {
	op  string
	nth int
}

func (c moveCall) String() string {
	return fmt.Sprintf("%s#%d", strings.TrimPrefix(c.op, "rds:"), c.nth)
}

// mutating reports whether an RDS operation changes something; the others are describes.
func mutating(op string) bool { return !strings.HasPrefix(op, "rds:Describe") }

// moveCalls moves a database once without faults and returns the RDS requests of the apply of the move,
// in order, and the requests to fail in turn, derived from them: the first request of each operation, and
// the first describe of each kind after each request that changes something (the first poll of each wait
// on what that request began).
func moveCalls(t *testing.T) (calls []string, targets []moveCall) {
	t.Helper()
	id := randomIdentifier("calls")
	proxy := acctest.NewProxy(t)
	w := moveWorkdir(t, proxy, id)
	databasesToMove(t, w, id)
	proxy.Reset()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "move.tfplan")
	counted := map[string]int{}
	sinceChange := map[string]bool{}
	for _, op := range proxy.Seen() {
		if !strings.HasPrefix(op, "rds:") {
			continue
		}
		calls = append(calls, op)
		counted[op]++
		if counted[op] == 1 || (!mutating(op) && sinceChange[op]) {
			targets = append(targets, moveCall{op, counted[op]})
		}
		if mutating(op) {
			sinceChange = map[string]bool{"rds:DescribeDBInstances": true, "rds:DescribeDBSnapshots": true}
		} else {
			delete(sinceChange, op)
		}
	}
	if counted["rds:CreateDBInstance"] > 0 || counted["rds:RestoreDBInstanceFromDBSnapshot"] == 0 {
		t.Fatalf("the move made an empty database instead of restoring its data: %v", calls)
	}
	for _, op := range []string{"rds:ModifyDBInstance", "rds:AddTagsToResource", "rds:DeleteDBInstance", "rds:CopyDBSnapshot",
		"rds:RestoreDBInstanceFromDBSnapshot", "rds:DeleteDBSnapshot", "rds:RemoveTagsFromResource"} {
		if counted[op] == 0 {
			t.Fatalf("the move made no %s: %v", op, calls)
		}
	}
	return calls, targets
}

// recorded is the clean move moveCalls records, once for every test that needs it.
var recorded struct {
	once    sync.Once
	ok      bool
	calls   []string
	targets []moveCall
}

// recordedMove returns what moveCalls returns, recording it at the first call.
func recordedMove(t *testing.T) (calls []string, targets []moveCall) {
	t.Helper()
	recorded.once.Do(func() {
		recorded.calls, recorded.targets = moveCalls(t)
		recorded.ok = true
	})
	if !recorded.ok {
		t.Fatal("recording a clean move failed (see the test that recorded it)")
	}
	return recorded.calls, slices.Clone(recorded.targets)
}

// moveWorkdir is a working directory with a database of each identifier, with on_replace = "move_data",
// which -var moved=true moves; the provider reaches RDS through proxy. The faults the tests inject are not
// retried (AccessDenied), so retries only absorb what a busy machine drops, as they would at AWS.
func moveWorkdir(t *testing.T, proxy *acctest.FaultProxy, identifiers ...string) *acctest.Workdir {
	return acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, acctest.Region, "10", fmt.Sprintf(`
variable "moved" {
  default = false
}

resource "gdpr_key" "a" {
  description          = "database a"
  deletion_window_days = 7
}

resource "gdpr_key" "b" {
  description          = "database b"
  deletion_window_days = 7
}

resource "gdpr_database" "test" {
  for_each              = toset(["%s"])
  identifier            = each.key
  engine                = "postgres"
  engine_version        = "17.4"
  instance_class        = var.moved ? "db.t4g.large" : "db.t4g.medium"
  allocated_storage_gib = 50
  backup_retention_days = 7
  kms_key_arn           = var.moved ? gdpr_key.b.arn : gdpr_key.a.arn
  on_replace            = "move_data"
}

output "key_b" {
  value = gdpr_key.b.arn
}
`, strings.Join(identifiers, `", "`))))
}

// databaseAddr is the address of the database with this identifier in a moveWorkdir.
func databaseAddr(identifier string) string { return fmt.Sprintf("gdpr_database.test[%q]", identifier) }

// applyMove runs terraform apply in a moveWorkdir with every database at once, with args.
func applyMove(w *acctest.Workdir, args ...string) (string, error) {
	return w.Terraform(append([]string{"apply", "-input=false", "-auto-approve", "-no-color", "-parallelism=32"}, args...)...)
}

// databasesToMove applies the working directory's databases, plans their move into move.tfplan, and
// returns the resource id of the DB instance that holds the data of each identifier. The test removes the
// DB instances and their snapshots with the SDK at the end, whatever became of them.
func databasesToMove(t *testing.T, w *acctest.Workdir, identifiers ...string) map[string]string {
	t.Helper()
	t.Cleanup(func() {
		for _, id := range identifiers {
			acctest.RemoveDatabase(t, acctest.Region, id)
		}
	})
	if out, err := applyMove(w); err != nil {
		t.Fatalf("creating the databases to move: %v\n%s", err, out)
	}
	old := map[string]string{}
	for _, id := range identifiers {
		db := describe(t, id)
		if db == nil {
			t.Fatalf("the apply made no DB instance %s", id)
		}
		old[id] = aws.ToString(db.DbiResourceId)
	}
	w.MustTerraform("plan", "-input=false", "-var", "moved=true", "-out=move.tfplan")
	return old
}

// dataSomewhere fails unless the data of the DB instance with the resource id old is still somewhere after
// an apply that stopped: in that instance, not being deleted; in a move snapshot of it, tagged for the
// identifier, so the next create finds it; or in the new instance a restore made (restored: no empty
// create), once it is available and keeps every guarantee under the new key, which a move checks before it
// deletes the snapshots.
func dataSomewhere(t *testing.T, w *acctest.Workdir, identifier, old string, restored bool) {
	t.Helper()
	db := describe(t, identifier)
	if db != nil && aws.ToString(db.DbiResourceId) == old && aws.ToString(db.DBInstanceStatus) != "deleting" {
		return
	}
	final := awsapi.MoveSnapshotPrefix + identifier + "-" + strings.ToLower(old)
	var found []string
	for _, s := range acctest.DatabaseSnapshots(t, acctest.Region, identifier) {
		name := aws.ToString(s.DBSnapshotIdentifier)
		found = append(found, name)
		if (name == final || strings.HasPrefix(name, final+"-")) && acctest.SnapshotTags(s)[awsapi.MoveForTag] == identifier {
			return
		}
	}
	status := "none"
	if db != nil {
		status = aws.ToString(db.DbiResourceId) + " " + aws.ToString(db.DBInstanceStatus)
		if aws.ToString(db.DbiResourceId) != old && restored {
			err := guaranteesHold(t, identifier, keyB(w), nil)
			if err == nil {
				return
			}
			status += " (" + err.Error() + ")"
		}
	}
	t.Fatalf("the data of %s (%s) is only in the deleted database: the DB instance is %s, restored %v, the snapshots "+
		"are %v, no move snapshot %s tagged %s=%s", identifier, old, status, restored, found, final, awsapi.MoveForTag, identifier)
}

// keyB is the ARN of gdpr_key.b in a moveWorkdir's state.
func keyB(w *acctest.Workdir) string {
	return strings.TrimSpace(w.MustTerraform("output", "-raw", "key_b"))
}

// restoredFrom is restored_from_snapshot of each database in a moveWorkdir's state, "" for null, and
// "tainted" for a tainted database, which the move did not finish. It reads the state rather than an
// output, which an apply that failed for one database leaves unwritten for all.
func restoredFrom(t *testing.T, w *acctest.Workdir) map[string]string {
	t.Helper()
	out := w.MustTerraform("show", "-json")
	var state struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Type    string `json:"type"`
					Tainted bool   `json:"tainted"`
					Values  struct {
						ID                   string  `json:"id"`
						RestoredFromSnapshot *string `json:"restored_from_snapshot"`
					} `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &state); err != nil {
		t.Fatalf("reading the state: %v\n%s", err, out)
	}
	from := map[string]string{}
	if state.Values != nil {
		for _, r := range state.Values.RootModule.Resources {
			switch {
			case r.Type != "gdpr_database":
			case r.Tainted:
				from[r.Values.ID] = "tainted"
			default:
				from[r.Values.ID] = aws.ToString(r.Values.RestoredFromSnapshot)
			}
		}
	}
	return from
}

// moveFinished fails unless the move of the database identifier is finished: a new DB instance under the
// new key and class with every guarantee, not tainted and, when restored, restored from a move snapshot as
// far as the state knows (from, as restoredFrom gives it), and no manual snapshot left.
func moveFinished(t *testing.T, identifier, old, key, from string, restored bool) {
	t.Helper()
	if err := guaranteesHold(t, identifier, key, func(db *rdstypes.DBInstance) error {
		if aws.ToString(db.DBInstanceClass) != "db.t4g.large" || aws.ToString(db.DbiResourceId) == old {
			return fmt.Errorf("DB instance %s is %s %s, want a new db.t4g.large instance", identifier,
				aws.ToString(db.DbiResourceId), aws.ToString(db.DBInstanceClass))
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
	if from == "tainted" {
		t.Errorf("database %s is tainted in the state after the converging apply", identifier)
	} else if restored && !strings.HasPrefix(from, awsapi.MoveSnapshotPrefix+identifier+"-") {
		t.Errorf("restored_from_snapshot is %q after the converging apply, want a move snapshot of %s: the data was not restored", from, identifier)
	}
	if left := snapshotsOf(t, identifier); len(left) > 0 {
		t.Errorf("snapshots left after the converging apply: %v", left)
	}
}

// planEmpty fails unless a plan of the moved databases shows no change.
func planEmpty(t *testing.T, w *acctest.Workdir) {
	t.Helper()
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color", "-var", "moved=true"); err != nil {
		t.Errorf("the plan after the converging apply is not empty (%v):\n%s", err, out)
	}
}

// faultPerDatabase fails, for each database, one request of its move, and every later request of that
// operation for that database, as FailFrom fails one operation: so the moves of many databases, each with
// its fault at another call, run side by side in one apply. It counts requests by the identifier they name.
type faultPerDatabase struct {
	mu        sync.Mutex
	armed     bool
	target    map[string]moveCall
	seen      map[string]map[string]int
	forwarded map[string]map[string]int
	hit       map[string]bool
}

func newFaultPerDatabase() *faultPerDatabase {
	return &faultPerDatabase{target: map[string]moveCall{}, seen: map[string]map[string]int{},
		forwarded: map[string]map[string]int{}, hit: map[string]bool{}}
}

func (f *faultPerDatabase) add(identifier string, at moveCall) {
	f.target[identifier] = at
	f.seen[identifier], f.forwarded[identifier] = map[string]int{}, map[string]int{}
}

func (f *faultPerDatabase) arm(on bool) {
	f.mu.Lock()
	f.armed = on
	f.mu.Unlock()
}

// match is the proxy rule's Match.
func (f *faultPerDatabase) match(r *http.Request, op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.armed || !strings.HasPrefix(op, "rds:") {
		return false
	}
	id := f.about(r)
	if id == "" {
		return false
	}
	f.seen[id][op]++
	if at := f.target[id]; op == at.op && f.seen[id][op] >= at.nth {
		f.hit[id] = true
		return true
	}
	f.forwarded[id][op]++
	return false
}

// about returns the identifier of the database an RDS request names (as its identifier, in a snapshot's
// name or in an ARN), "" for none.
func (f *faultPerDatabase) about(r *http.Request) string {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	for id := range f.target {
		for _, values := range form {
			if slices.ContainsFunc(values, func(v string) bool { return strings.Contains(v, id) }) {
				return id
			}
		}
	}
	return ""
}

// restored reports whether the apply restored the database identifier from a snapshot and created none.
func (f *faultPerDatabase) restored(identifier string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.forwarded[identifier]["rds:RestoreDBInstanceFromDBSnapshot"] > 0 && f.forwarded[identifier]["rds:CreateDBInstance"] == 0
}

// TestAccDatabase_moveConvergesAfterAFaultAtAnyCall fails each request moveCalls derives from a clean move,
// and every later request of its operation, with a fault no retryer retries: one database per request, all
// moved in one apply. The failed apply must leave the data of each somewhere (the old DB instance, or a
// move snapshot of it, or the database restored from one and checked); the next apply, without faults and
// with no command typed, must finish every move, and a plan after it must be empty. A fault after the new
// database is saved leaves it tainted: that apply replaces it through a move of its own.
func TestAccDatabase_moveConvergesAfterAFaultAtAnyCall(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	calls, targets := recordedMove(t)
	t.Logf("the move's RDS requests: %v; faults at %v", calls, targets)
	faults := newFaultPerDatabase()
	ids := make([]string, len(targets))
	for i, at := range targets {
		ids[i] = randomIdentifier("fault")
		faults.add(ids[i], at)
	}
	proxy := acctest.NewProxy(t, &acctest.Rule{Match: faults.match, Fault: acctest.AccessDenied})
	w := moveWorkdir(t, proxy, ids...)
	old := databasesToMove(t, w, ids...)

	faults.arm(true)
	out, err := applyMove(w, "move.tfplan")
	faults.arm(false)
	if err == nil {
		t.Fatalf("the apply succeeded although a request of every move failed:\n%s", out)
	}
	t.Run("failed apply", func(t *testing.T) {
		for i, at := range targets {
			t.Run(at.String(), func(t *testing.T) {
				if !faults.hit[ids[i]] {
					t.Fatalf("the fault never hit request %d of %s for %s", at.nth, at.op, ids[i])
				}
				dataSomewhere(t, w, ids[i], old[ids[i]], faults.restored(ids[i]))
			})
		}
	})

	// Each database whose move did not finish fails below, by the call its fault hit.
	if out, err := applyMove(w, "-var", "moved=true"); err != nil {
		t.Errorf("the apply after the failed moves did not finish them:\n%s", out)
	}
	key, from := keyB(w), restoredFrom(t, w)
	t.Run("next apply", func(t *testing.T) {
		for i, at := range targets {
			t.Run(at.String(), func(t *testing.T) {
				moveFinished(t, ids[i], old[ids[i]], key, from[ids[i]], true)
			})
		}
	})
	planEmpty(t, w)
}

// TestAccDatabase_moveConvergesAfterACrash kills the provider after each step of a move that changes
// something in RDS: the request reaches RDS and takes effect, and the provider dies before it learns so.
// Terraform's state then holds the database as before the apply, or nothing once the delete is recorded;
// the data must be somewhere, and the next apply, in a new provider process and with no command typed,
// must finish the move. (A crash in a describe changes nothing a crash after the step before it does not.)
// The create's last call is the one point no creation marker covers: see lastAnswerLost.
func TestAccDatabase_moveConvergesAfterACrash(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	calls, targets := recordedMove(t)
	targets = slices.DeleteFunc(targets, func(c moveCall) bool { return !mutating(c.op) })
	last := moveCall{calls[len(calls)-1], 0}
	for _, op := range calls {
		if op == last.op {
			last.nth++
		}
	}
	t.Logf("the move's RDS requests: %v; crashes at %v", calls, targets)
	for _, tc := range targets {
		t.Run(tc.String(), func(t *testing.T) {
			t.Parallel()
			id := randomIdentifier("crash")
			var bin string
			var seen atomic.Int32
			var armed, fired atomic.Bool
			proxy := acctest.NewProxy(t, &acctest.Rule{
				Match: func(_ *http.Request, op string) bool {
					return armed.Load() && op == tc.op && int(seen.Add(1)) == tc.nth
				},
				Fault: acctest.Crash,
				Then: func() {
					fired.Store(true)
					acctest.KillProcesses(bin)
				},
			})
			w := moveWorkdir(t, proxy, id)
			bin = w.OwnBinary()
			old := databasesToMove(t, w, id)[id]

			proxy.Reset()
			armed.Store(true)
			out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "move.tfplan")
			armed.Store(false)
			if !fired.Load() || err == nil {
				t.Fatalf("the provider was not killed at request %d of %s (err %v):\n%s", tc.nth, tc.op, err, out)
			}
			proxy.Disable()
			forwarded := proxy.Forwarded()
			dataSomewhere(t, w, id, old, slices.Contains(forwarded, "rds:RestoreDBInstanceFromDBSnapshot=1") &&
				!slices.ContainsFunc(forwarded, func(f string) bool { return strings.HasPrefix(f, "rds:CreateDBInstance=") }))
			if tc == last {
				lastAnswerLost(t, w, id, old)
				return
			}
			if out, err := applyMove(w, "-var", "moved=true"); err != nil {
				t.Fatalf("the apply after the crash did not finish the move:\n%s", out)
			}
			moveFinished(t, id, old, keyB(w), restoredFrom(t, w)[id], true)
			planEmpty(t, w)
		})
	}
}

// lastAnswerLost is what follows the one point no creation marker covers (see the resources' docs): the
// provider killed once the create's last call, which removes the marker, reached RDS. The new database is
// then finished and checked, with the data, and unknown to the state: the next apply must stop at the
// identifier in use, saying to import it, and touch nothing; after an import, an apply converges without
// replacing it.
func lastAnswerLost(t *testing.T, w *acctest.Workdir, identifier, old string) {
	t.Helper()
	db := describe(t, identifier)
	if db == nil || aws.ToString(db.DbiResourceId) == old {
		t.Fatalf("no new DB instance %s after the create's last call", identifier)
	}
	made := aws.ToString(db.DbiResourceId)
	out, err := w.Terraform("apply", "-input=false", "-auto-approve", "-no-color", "-var", "moved=true")
	folded := strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(folded, "Identifier in use") || !strings.Contains(folded, "import the existing database") {
		t.Fatalf("the apply after the lost answer did not stop at the identifier in use, saying to import it (err %v):\n%s", err, out)
	}
	if db := describe(t, identifier); db == nil || aws.ToString(db.DbiResourceId) != made {
		t.Fatalf("the apply that stopped at the identifier in use touched DB instance %s", identifier)
	}
	w.MustTerraform("import", "-input=false", "-var", "moved=true", databaseAddr(identifier), identifier)
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-var", "moved=true")
	if db := describe(t, identifier); db == nil || aws.ToString(db.DbiResourceId) != made {
		t.Fatalf("the apply after the import replaced DB instance %s, which holds the data", identifier)
	}
	moveFinished(t, identifier, old, keyB(w), restoredFrom(t, w)[identifier], false)
	planEmpty(t, w)
}

// TestAccDatabase_planNamesUnclaimedMoveSnapshots leaves, beside a database, a snapshot named and tagged
// like a move snapshot of it that no create claimed: every plan must name it, with the commands to restore
// it beside the database or to delete it, and leave another manual snapshot of the database alone.
func TestAccDatabase_planNamesUnclaimedMoveSnapshots(t *testing.T) {
	acctest.RequireEmulator(t)
	t.Parallel()
	id := randomIdentifier("unclaimed")
	w := moveWorkdir(t, acctest.NewProxy(t), id)
	databasesToMove(t, w, id)
	stray := awsapi.MoveSnapshotPrefix + id + "-db-stray"
	other := "manual-" + id
	c := rdsClient(t)
	for _, name := range []string{stray, other} {
		in := &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(id), DBSnapshotIdentifier: aws.String(name)}
		if name == stray {
			in.Tags = []rdstypes.Tag{{Key: aws.String(awsapi.MoveForTag), Value: aws.String(id)}}
		}
		if _, err := c.CreateDBSnapshot(context.Background(), in); err != nil {
			t.Fatalf("creating the snapshot %s: %v", name, err)
		}
	}

	out, err := w.Terraform("plan", "-input=false", "-no-color", "-detailed-exitcode")
	if err != nil {
		t.Fatalf("the plan beside the unclaimed snapshot failed or plans a change (%v):\n%s", err, out)
	}
	folded := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{
		"Move snapshots nobody claimed",
		"The move snapshots " + stray + " hold the data of an earlier generation of database \"" + id + "\"",
		"aws rds restore-db-instance-from-db-snapshot --region " + acctest.Region + " --db-instance-identifier " + id +
			"-restored --db-snapshot-identifier " + stray,
		"aws rds delete-db-snapshot --region " + acctest.Region + " --db-snapshot-identifier " + stray,
	} {
		if !strings.Contains(folded, want) {
			t.Errorf("the plan does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, other) {
		t.Errorf("the plan names the manual snapshot %s, which no move made:\n%s", other, out)
	}
}
