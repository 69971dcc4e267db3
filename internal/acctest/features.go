package acctest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/hashicorp/go-version"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// Feature is something of the CLI that some tests need, with the first release of Terraform and of OpenTofu
// that has it. The two number their releases each in their own way (OpenTofu 1.12 has resource identity but
// no actions, which Terraform has from 1.14), so a version number alone cannot tell whether a test can run:
// a Feature asks which of the two the tests drive.
type Feature struct {
	Name      string
	Terraform string
	// OpenTofu is "" while no OpenTofu release has the feature.
	OpenTofu string
}

// The features the tests check for. OpenTofu's column is what its releases have been seen to do (a test run
// with OpenTofu 1.12.6 against these tests): a feature it has none of keeps "" until a release brings it.
var (
	ProviderFunctions  = Feature{Name: "Provider functions", Terraform: "1.8.0", OpenTofu: "1.7.0"}
	RemovedKeepsObject = Feature{Name: "removed blocks with lifecycle { destroy = false }", Terraform: "1.7.0", OpenTofu: "1.10.0"}
	WriteOnly          = Feature{Name: "Write-only arguments", Terraform: "1.11.0", OpenTofu: "1.11.0"}
	ResourceIdentity   = Feature{Name: "Resource identity", Terraform: "1.12.0", OpenTofu: "1.12.0"}
	ListResources      = Feature{Name: "List resources and terraform query", Terraform: "1.14.0"}
	Actions            = Feature{Name: "Actions", Terraform: "1.14.0"}
)

// CLI is the command-line tool the acceptance tests drive: Terraform or OpenTofu, and its version.
type CLI struct {
	OpenTofu bool
	Version  *version.Version
}

func (c CLI) String() string {
	if c.OpenTofu {
		return "OpenTofu " + c.Version.String()
	}
	return "Terraform " + c.Version.String()
}

// missing says why the CLI cannot run a test that needs the feature, or "" when it can.
func (f Feature) missing(c CLI) string {
	switch {
	case c.OpenTofu && f.OpenTofu == "":
		return fmt.Sprintf("%s: not in %s, the CLI under test, nor in any OpenTofu release known to these tests; "+
			"Terraform has it from %s (.ci/run also runs the tests with Terraform)", f.Name, c, f.Terraform)
	case c.OpenTofu && c.Version.LessThan(version.Must(version.NewVersion(f.OpenTofu))):
		return fmt.Sprintf("%s: needs OpenTofu %s or later, and this is %s", f.Name, f.OpenTofu, c)
	case !c.OpenTofu && c.Version.LessThan(version.Must(version.NewVersion(f.Terraform))):
		return fmt.Sprintf("%s: needs Terraform %s or later, and this is %s; set TF_ACC_TERRAFORM_PATH to one "+
			"(CI uses ../shared/bin/terraform)", f.Name, f.Terraform, c)
	}
	return ""
}

// CheckTerraformVersion lets a Feature stand in a TestCase's TerraformVersionChecks: the test is skipped,
// saying why, when the CLI does not have the feature. terraform-plugin-testing's own tfversion.SkipBelow
// compares the version alone, which OpenTofu's numbers would pass.
func (f Feature) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	c, err := testedCLI()
	if err != nil {
		resp.Error = err
		return
	}
	// The version terraform-plugin-testing found is the one its steps run with.
	c.Version = req.TerraformVersion
	resp.Skip = f.missing(c)
}

// Without is a TerraformVersionCheck for a test of what a CLI without the feature does: it skips the test,
// saying why, when the CLI has the feature.
func Without(f Feature) tfversion.TerraformVersionCheck { return without{f} }

type without struct{ f Feature }

func (w without) CheckTerraformVersion(_ context.Context, req tfversion.CheckTerraformVersionRequest, resp *tfversion.CheckTerraformVersionResponse) {
	c, err := testedCLI()
	if err != nil {
		resp.Error = err
		return
	}
	c.Version = req.TerraformVersion
	resp.Skip = w.skip(c)
}

// skip says why a test of a CLI without the feature does not run with c, or "" when it does.
func (w without) skip(c CLI) string {
	if w.f.missing(c) != "" {
		return ""
	}
	return fmt.Sprintf("%s: %s has this feature, and this test covers a CLI without it", w.f.Name, c)
}

// Require skips a test that drives the CLI itself when the CLI does not have the feature, saying why.
// (terraform-plugin-testing cases name the Feature in TerraformVersionChecks instead.)
func Require(t *testing.T, f Feature) {
	t.Helper()
	if why := f.missing(TestedCLI(t)); why != "" {
		t.Skip(why)
	}
}

// Has tells whether the CLI under test has the feature, for a test that checks more where it can.
func Has(t *testing.T, f Feature) bool {
	t.Helper()
	return f.missing(TestedCLI(t)) == ""
}

// TestedCLI is the Terraform or OpenTofu that TF_ACC_TERRAFORM_PATH names, else terraform on PATH, as
// terraform-plugin-testing and Workdir pick it.
func TestedCLI(t testing.TB) CLI {
	t.Helper()
	c, err := testedCLI()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	cliOnce sync.Once
	cli     CLI
	cliErr  error
)

func testedCLI() (CLI, error) {
	cliOnce.Do(func() {
		bin := os.Getenv("TF_ACC_TERRAFORM_PATH")
		if bin == "" {
			bin = "terraform"
		}
		// The JSON form cannot tell the two apart: both name the version terraform_version.
		out, err := exec.Command(bin, "version").Output()
		if err != nil {
			cliErr = fmt.Errorf("%s version: %w", bin, err)
			return
		}
		cli, cliErr = parseCLIVersion(string(out))
		if cliErr != nil {
			cliErr = fmt.Errorf("%s version: %w", bin, cliErr)
		}
	})
	return cli, cliErr
}

// cliVersionLine is the line naming the CLI in the output of `terraform version` and `tofu version`.
var cliVersionLine = regexp.MustCompile(`^(Terraform|OpenTofu) v(\S+)$`)

// parseCLIVersion reads the output of `terraform version` or `tofu version`. OpenTofu prints warnings about
// its CLI configuration on standard output before that line, so every line is looked at.
func parseCLIVersion(out string) (CLI, error) {
	lines := bufio.NewScanner(strings.NewReader(out))
	for lines.Scan() {
		m := cliVersionLine.FindStringSubmatch(strings.TrimSpace(lines.Text()))
		if m == nil {
			continue
		}
		v, err := version.NewVersion(m[2])
		if err != nil {
			return CLI{}, err
		}
		return CLI{OpenTofu: m[1] == "OpenTofu", Version: v}, nil
	}
	return CLI{}, fmt.Errorf("no line names Terraform or OpenTofu and its version in:\n%s", out)
}
