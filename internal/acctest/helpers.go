package acctest

// Helpers that the tests of every package share: ids captured from the state, the steps that prove every
// argument forces a replacement, request counting, and bad inputs run through plan.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// CaptureID saves the id of the resource at addr into into.
func CaptureID(addr string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s not in state", addr)
		}
		*into = rs.Primary.ID
		return nil
	}
}

// ReplacementSteps builds the steps that prove every argument forces a replacement: a first configuration
// with the base values, then one step per argument, in order, that changes it and expects the plan to
// replace the resource at addr. Each step appends the resource's id to ids. It returns the steps and the
// arguments as the last step left them.
func ReplacementSteps(addr string, order []string, base, changed map[string]string, render func(map[string]string) string, ids *[]string) ([]resource.TestStep, map[string]string) {
	steps := []resource.TestStep{{Config: render(base), Check: AppendID(addr, ids)}}
	current := maps.Clone(base)
	for _, attr := range order {
		current[attr] = changed[attr]
		steps = append(steps, resource.TestStep{
			Config: render(current),
			ConfigPlanChecks: resource.ConfigPlanChecks{
				PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionReplace)},
			},
			Check: AppendID(addr, ids),
		})
	}
	return steps, current
}

// RenderArguments writes the arguments in order as the body of a resource block.
func RenderArguments(order []string, args map[string]string) string {
	var b strings.Builder
	for _, k := range order {
		fmt.Fprintf(&b, "  %s = %s\n", k, args[k])
	}
	return b.String()
}

// AppendID appends the id of the resource at addr to ids.
func AppendID(addr string, ids *[]string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		var id string
		if err := CaptureID(addr, &id)(s); err != nil {
			return err
		}
		*ids = append(*ids, id)
		return nil
	}
}

// DistinctIDs checks that every step made a new resource: n ids, none seen twice.
func DistinctIDs(ids *[]string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		seen := map[string]bool{}
		for _, id := range *ids {
			if seen[id] {
				return fmt.Errorf("%s was reused; every change must create a new resource (ids %v)", id, *ids)
			}
			seen[id] = true
		}
		if len(*ids) != n {
			return fmt.Errorf("saw %d resources, want %d", len(*ids), n)
		}
		return nil
	}
}

// BucketName is a fresh bucket name for a test.
func BucketName() string { return sdkacctest.RandomWithPrefix("gdpr-test") }

// Requests applies resources through a counting proxy in front of every service, then plans (a refresh
// that must find nothing to change), and returns the operations each sent, sorted, as Operation
// names them. The resources are destroyed at the end.
func Requests(t *testing.T, region, resources string) (apply, refresh []string) {
	t.Helper()
	proxy := NewProxy(t)
	w := NewWorkdir(t, FaultConfig(proxy.URL, region, "1", resources))
	w.MustTerraform("apply", "-input=false", "-auto-approve")
	apply = proxy.Seen()
	proxy.Reset()
	if out, err := w.Terraform("plan", "-input=false", "-detailed-exitcode", "-no-color"); err != nil {
		t.Errorf("the plan after apply is not empty: the state the apply wrote is not what a refresh reads:\n%s", out)
	}
	refresh = proxy.Seen()
	w.MustTerraform("destroy", "-input=false", "-auto-approve")
	slices.Sort(apply)
	slices.Sort(refresh)
	return apply, refresh
}

// CheckRequests fails when a phase sent other requests than want, in any order.
func CheckRequests(t *testing.T, phase string, got, want []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("%s sent %d requests, want %d:\n got: %v\nwant: %v", phase, len(got), len(want), got, want)
	}
}

// EmulatorClients are the provider's own AWS clients, pointed at the emulator, for tests that call awsapi.
func EmulatorClients(t *testing.T, region string) *awsapi.Clients {
	t.Helper()
	RequireEmulator(t)
	c, err := awsapi.New(context.Background(), awsapi.Config{
		Region: region, AccessKey: "testing", SecretKey: "testing", MaxRetries: -1, S3UsePathStyle: true,
		Endpoints: awsapi.Endpoints{KMS: Endpoint(), S3: Endpoint(), EC2: Endpoint(), STS: Endpoint(), RDS: Endpoint()},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Plan runs terraform plan and returns its output with line breaks folded, so Wrapped messages match.
func Plan(t *testing.T, w *Workdir) (string, error) {
	t.Helper()
	out, err := w.Terraform("plan", "-input=false", "-no-color")
	return strings.Join(strings.Fields(out), " "), err
}

// DummyKeyARN is a well-formed KMS key ARN for configurations that fail before any key is used.
const DummyKeyARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// Wrapped lets a pattern's spaces match the line breaks Terraform puts into long messages.
func Wrapped(pattern string) string {
	return strings.ReplaceAll(pattern, " ", `\s+`)
}

// BadInput is a configuration that must fail at validate or plan time, with an error matching want: the
// attribute's path (Terraform shows the offending line), what is wrong and what is allowed.
type BadInput struct {
	Kind, Name, Config, Want string
}

// RunBadInputs plans every bad input, in parallel, and fails unless each plan fails with its error; nothing
// may reach apply. Each package runs its own, and asks for at least minimum of them so a lost list is caught.
func RunBadInputs(t *testing.T, cases []BadInput, minimum int) {
	t.Helper()
	if len(cases) < minimum {
		t.Errorf("%d bad inputs, want at least %d", len(cases), minimum)
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].Kind+cases[i].Name < cases[j].Kind+cases[j].Name })
	for _, c := range cases {
		t.Run(c.Kind+"/"+c.Name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      c.Config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(c.Want),
				}},
			})
		})
	}
}

// FaultConfig is a provider block that reaches the emulator through proxy, with maxRetries, and resources.
func FaultConfig(proxy, region, maxRetries, resources string) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    gdpr = { source = "gdpr-immutable/gdpr" }
  }
}

provider "gdpr" {
  region                      = %q
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  max_retries                 = %s
  s3_use_path_style           = true
  endpoints = { kms = %[3]q, s3 = %[3]q, ec2 = %[3]q, sts = %[3]q, rds = %[3]q }
}
%[4]s`, region, maxRetries, proxy, resources)
}

// StateIDs lists the ids of the resources of the given types in the working directory's state, tainted
// ones included.
func StateIDs(t *testing.T, w *Workdir, types ...string) []string {
	t.Helper()
	out := w.MustTerraform("show", "-json")
	var state struct {
		Values *struct {
			RootModule struct {
				Resources []struct {
					Type   string         `json:"type"`
					Values map[string]any `json:"values"`
				} `json:"resources"`
			} `json:"root_module"`
		} `json:"values"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &state); err != nil {
		t.Fatalf("reading the state: %v\n%s", err, out)
	}
	var ids []string
	if state.Values != nil {
		for _, r := range state.Values.RootModule.Resources {
			if slices.Contains(types, r.Type) {
				ids = append(ids, fmt.Sprint(r.Values["id"]))
			}
		}
	}
	return ids
}

// TagBadInputs are tags every gdpr_* resource refuses at validate, by AWS's tag rules, each with its error.
func TagBadInputs() map[string]struct{ Tags, Want string } {
	return map[string]struct{ Tags, Want string }{
		"51 tags": {ManyTags(51), `(?s)Too many tags.*51 tags are configured, and at most 49 are allowed: AWS allows 50 tags per resource, and the provider adds its own "gdpr:creating" tag`},
		"50 tags, leaving no room for the creation marker": {ManyTags(50), `(?s)Too many tags.*50 tags are configured, and at most 49 are allowed`},
		"129-character tag key":                            {fmt.Sprintf("{ %q = \"x\" }", strings.Repeat("k", 129)), `(?s)Invalid tag key.*is 129 characters long; tag keys must be 1 to 128 characters long`},
		"257-character tag value":                          {fmt.Sprintf("{ owner = %q }", strings.Repeat("v", 257)), `(?s)Invalid tag value.*The value of the tag "owner" is 257 characters long; tag values may have at most 256 characters`},
		"control character in a tag value":                 {`{ owner = "a\u0000b" }`, `(?s)Invalid tag value.*The value of the tag "owner" contains '\\x00', which AWS does not accept in tags; values may contain letters, numbers, spaces and the characters _ \. : / = \+ - @`},
		"newline in a tag key":                             {`{ "own\ner" = "x" }`, `(?s)Invalid tag key.*The tag key "own\\ner" contains '\\n', which AWS does not accept`},
		"aws: tag key in mixed case":                       {`{ "AwS:owner" = "x" }`, `(?s)Reserved tag key.*The tag key "AwS:owner" starts with "aws:", which AWS reserves`},
	}
}

// ManyTags is a tags map of n distinct, valid tags.
func ManyTags(n int) string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%02d = \"x\"", i)
	}
	return "{ " + strings.Join(tags, ", ") + " }"
}

// AuditEvents reads the events of an audit file, failing the test on a line that is not one.
func AuditEvents(t *testing.T, path string) []audit.Event {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
