package restore_test

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// TestAccRestoreObjects_convergesAfterAnInterrupt interrupts an invocation with Ctrl-C (SIGINT) once S3 has
// made its copies and while their answers are on the way. Terraform stops without waiting for the action,
// and ends the provider, so the interrupted invocation cannot record what it changed (Terraform 1.15 shows
// neither its result nor its diagnostics). The next invocation, with no command typed, finds the keys the
// interrupted one restored already right, hides the rest, and records exactly what it changed: the end state
// is exact, every version is kept.
func TestAccRestoreObjects_convergesAfterAnInterrupt(t *testing.T) {
	acctest.RequireActions(t)
	t.Parallel()
	name := acctest.BucketName()
	trail := filepath.Join(t.TempDir(), "audit.jsonl")
	var cmd atomic.Pointer[exec.Cmd]
	var copies atomic.Int32
	var interrupted atomic.Bool
	// Each copy takes effect, then its answer is held back; the first answer held back sends the interrupt.
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Tamper,
		Match: func(_ *http.Request, op string) bool { return op == "s3:PUT/object" && cmd.Load() != nil },
		Answer: func(_ *http.Request, body []byte) []byte {
			if copies.Add(1) == 1 && interrupted.CompareAndSwap(false, true) {
				_ = cmd.Load().Process.Signal(syscall.SIGINT)
			}
			time.Sleep(500 * time.Millisecond)
			return body
		}})
	w := faultWorkdir(t, proxy, name, trail, "")
	// Terraform exits on the interrupt without waiting for the provider, whose copy is still held back: a
	// binary of the test's own lets the test stop that process without touching those of other tests.
	bin := w.OwnBinary()
	to, want := overwriteAndAdd(t, name)
	before := listVersions(t, name)
	toVar := "-var=to_time=" + to.Format(time.RFC3339)

	c := exec.Command(os.Getenv("TF_ACC_TERRAFORM_PATH"), "-chdir="+w.Dir, "apply", "-input=false", "-auto-approve", "-no-color",
		"-invoke=action.gdpr_restore_objects.all", toVar)
	c.Env = append(os.Environ(), w.Env...)
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	cmd.Store(c)
	err := c.Wait()
	cmd.Store(nil)
	acctest.KillProcesses(bin)
	if !interrupted.Load() || !strings.Contains(out.String(), "Interrupt received") {
		t.Fatalf("the invocation was not interrupted during its copies (%d copies, err %v):\n%s", copies.Load(), err, out.String())
	}
	var left []string
	restoredLeft := 0
	for k, body := range want {
		if got, found := content(t, name, k); got != body || found != (body != "") {
			left = append(left, k)
			if body != "" {
				restoredLeft++
			}
		}
	}
	events := restoreEvents(t, trail)

	proxy.Disable()
	if out, err := invoke(w, "all", toVar); err != nil {
		t.Fatalf("the invocation after the interrupt: %v\n%s", err, out)
	}
	checkRestoredOnce(t, name, "", want, before)
	after := restoreEvents(t, trail)
	if len(after) != len(events)+1 {
		t.Fatalf("%d restore events after the next invocation, want %d", len(after), len(events)+1)
	}
	checkEvent(t, after[len(events)], name, to, restoredLeft, len(left)-restoredLeft, len(want)-len(left), left...)
}
