package provider_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// fleet is a configuration of keys, buckets encrypted under them and servers whose disks they encrypt, all
// named or tagged with the prefix so the emulator's inventory can be scoped to one test.
func fleet(prefix string, keys, buckets, servers int) string {
	return fmt.Sprintf(`
resource "gdpr_key" "k" {
  count                = %[2]d
  description          = "fleet ${count.index} %[1]s"
  deletion_window_days = 7
}

resource "gdpr_bucket" "b" {
  count           = %[3]d
  bucket          = "%[1]sb${count.index}"
  kms_key_arn     = gdpr_key.k[count.index %% %[2]d].arn
  expiration_days = 30
}

resource "gdpr_server" "s" {
  count         = %[4]d
  image_id      = %[5]q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.k[count.index %% %[2]d].arn
  tags          = { run = %[1]q }
}
`, prefix, keys, buckets, servers, acctest.LinuxImage)
}

// fleetInventory checks that the emulator holds exactly what the state knows, for all three kinds.
func fleetInventory(t *testing.T, when string, w *acctest.Workdir, region, prefix string) {
	t.Helper()
	checkInventory(t, when+" (keys)", acctest.KeyInventory(t, region, prefix), acctest.StateIDs(t, w, "gdpr_key"))
	checkInventory(t, when+" (buckets)", bucketInventory(t, region, prefix), acctest.StateIDs(t, w, "gdpr_bucket"))
	checkInventory(t, when+" (servers)", serverInventory(t, region, prefix), acctest.StateIDs(t, w, "gdpr_server"))
}

// TestAccScale_load applies, plans and destroys 100 buckets, 20 keys and 20 servers at -parallelism=30,
// checking at each step that the emulator holds exactly what the state knows.
func TestAccScale_load(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-west-1"
	prefix := sdkacctest.RandomWithPrefix("gdpr-load") + "-"
	proxy := acctest.NewProxy(t)
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "25", fleet(prefix, 20, 100, 20)))
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-parallelism=30")
	fleetInventory(t, "after apply", w, region, prefix)
	if n := len(acctest.StateIDs(t, w, "gdpr_key", "gdpr_bucket", "gdpr_server")); n != 140 {
		t.Fatalf("the state holds %d resources, want 140", n)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-parallelism=30", "-no-color"); err != nil {
		t.Errorf("the plan after apply is not empty:\n%s", out)
	}
	w.MustTerraform("destroy", "-input=false", "-auto-approve", "-parallelism=30")
	fleetInventory(t, "after destroy", w, region, prefix)
}

// TestAccScale_interruptedApply interrupts an apply of 20 resources with SIGINT, as a user pressing Ctrl-C
// would, then applies again: the result must have no duplicates and no orphans.
func TestAccScale_interruptedApply(t *testing.T) {
	acctest.RequireEmulator(t)
	const region = "eu-south-2"
	prefix := sdkacctest.RandomWithPrefix("gdpr-sigint") + "-"
	// Every call is slowed down, so the interrupt lands while resources are being created.
	proxy := acctest.NewProxy(t, &acctest.Rule{Fault: acctest.Delay, Pause: 150 * time.Millisecond,
		Match: func(*http.Request, string) bool { return true }})
	w := acctest.NewWorkdir(t, acctest.FaultConfig(proxy.URL, region, "25", fleet(prefix, 8, 8, 4)))

	bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
	if bin == "" {
		bin = "terraform"
	}
	cmd := exec.Command(bin, "-chdir="+w.Dir, "apply", "-input=false", "-auto-approve", "-parallelism=10", "-no-color")
	cmd.Env = append(os.Environ(), w.Env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Interrupt once some resources exist and others are still being made.
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(out.String(), "Creation complete") || !strings.Contains(out.String(), "gdpr_bucket.b") {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("the apply never got under way:\n%s", out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil && !strings.Contains(out.String(), "Interrupt received") {
		t.Fatalf("the apply finished before the interrupt; the test proves nothing:\n%s", out.String())
	}
	created := strings.Count(out.String(), "Creation complete")
	if created >= 20 {
		t.Fatalf("all %d resources were created before the interrupt took effect; the test proves nothing", created)
	}
	t.Logf("%d of 20 resources were created before the interrupt", created)
	fleetInventory(t, "after the interrupted apply", w, region, prefix)

	proxy.Disable()
	w.MustTerraform("apply", "-input=false", "-auto-approve", "-parallelism=10")
	fleetInventory(t, "after the second apply", w, region, prefix)
	if n := len(acctest.StateIDs(t, w, "gdpr_key", "gdpr_bucket", "gdpr_server")); n != 20 {
		t.Errorf("the state holds %d resources after the second apply, want 20", n)
	}
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after the second apply is not empty:\n%s", out)
	}
	w.MustTerraform("destroy", "-input=false", "-auto-approve", "-parallelism=10")
	fleetInventory(t, "after destroy", w, region, prefix)
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
