package planrules

import (
	"bytes"
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// ParityTable is testdata/parity.json: one table of plans that this package, the run task end to end
// (internal/runtask) and the Rego pack in examples/policy all check, and which must pass and fail the same
// way in each, rule by rule. The pack has no jurisdiction data, retention settings or configuration walk,
// so the table keeps to the rules all have: residency, retention and ignore_changes are the run task's
// alone (aws resources here are in EU regions so that residency passes).
const ParityTable = "testdata/parity.json"

type parityCase struct {
	Name string          `json:"name"`
	Plan json.RawMessage `json:"plan"`
	Want []string        `json:"want"`
}

func parityCases(t *testing.T) []parityCase {
	t.Helper()
	raw, err := os.ReadFile(ParityTable)
	if err != nil {
		t.Fatal(err)
	}
	var cases []parityCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestParity_goAndRegoAgree checks every plan of parityCases with Evaluate and with OPA on the policy pack,
// in one opa eval, and requires both to find exactly the expected violations. `make test` passes the OPA
// binary it builds in GDPR_OPA; without it the test uses .cache/opa when that exists and otherwise skips.
func TestParity_goAndRegoAgree(t *testing.T) {
	root := filepath.Join("..", "..")
	opa := opaBinary(t)
	cases := parityCases(t)
	inputs := map[string]json.RawMessage{}
	for _, tc := range cases {
		inputs[tc.Name] = tc.Plan
	}
	input, err := json.Marshal(map[string]any{"cases": inputs})
	if err != nil {
		t.Fatal(err)
	}
	query := `result := {name: ids | some name, plan in input.cases; ids := [id | some v in data.gdpr.plan.violations with input as plan; id := concat(":", [v.rule, v.address])]}`
	cmd := exec.Command(opa, "eval", "--format", "json", "--stdin-input", "-d", filepath.Join(root, "examples", "policy"), query)
	cmd.Stdin = bytes.NewReader(input)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("opa eval: %v\n%s", err, stderr.String())
	}
	var answer struct {
		Result []struct {
			Bindings struct {
				Result map[string][]string `json:"result"`
			} `json:"bindings"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &answer); err != nil || len(answer.Result) != 1 {
		t.Fatalf("opa eval answered %s: %v", out, err)
	}
	rego := answer.Result[0].Bindings.Result
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			fromGo := findings(t, string(tc.Plan), Config{})
			fromRego := rego[tc.Name]
			slices.Sort(fromRego)
			if !slices.Equal(fromGo, tc.Want) || !slices.Equal(fromRego, tc.Want) {
				t.Fatalf("want %s\n  Go:   %s\n  Rego: %s", strings.Join(tc.Want, ", "), strings.Join(fromGo, ", "), strings.Join(fromRego, ", "))
			}
		})
	}
}

// opaBinary is the OPA binary the Rego pack is checked with: GDPR_OPA, which `make test` sets to the binary
// it builds, or else .cache/opa; the test skips, saying so, when there is neither.
func opaBinary(t *testing.T) string {
	t.Helper()
	if opa := os.Getenv("GDPR_OPA"); opa != "" {
		return opa
	}
	opa := filepath.Join("..", "..", ".cache", "opa")
	if _, err := os.Stat(opa); err != nil {
		t.Skip("no OPA binary: set GDPR_OPA, or run `make opa` to build .cache/opa")
	}
	return opa
}

// TestParity_regoDestroyOnlyIsDestroyOnly reads the Rego pack's list of destroy-only arguments and requires
// it to be DestroyOnly, the list the provider's schemas and the Go rules are built from: an argument added
// to one list alone would make the pack and the run task disagree about which in-place updates are allowed.
func TestParity_regoDestroyOnlyIsDestroyOnly(t *testing.T) {
	opa := opaBinary(t)
	out, err := exec.Command(opa, "eval", "--format", "json", "-d", filepath.Join("..", "..", "examples", "policy"), "data.gdpr.plan.destroy_only").Output()
	if err != nil {
		t.Fatalf("opa eval: %v", err)
	}
	var answer struct {
		Result []struct {
			Expressions []struct {
				Value []string `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &answer); err != nil || len(answer.Result) != 1 || len(answer.Result[0].Expressions) != 1 {
		t.Fatalf("opa eval answered %s: %v", out, err)
	}
	rego := answer.Result[0].Expressions[0].Value
	goList := slices.Clone(DestroyOnly)
	slices.Sort(rego)
	slices.Sort(goList)
	if !slices.Equal(rego, goList) {
		t.Errorf("examples/policy/plan.rego's destroy_only is %q, planrules.DestroyOnly is %q: they must name the same arguments", rego, goList)
	}
}

// TestParity_regoReplacementsAreUnmanagedTypes reads the Rego pack's map of raw hashicorp/aws resources to
// the gdpr resource to use instead and requires it to be unmanagedTypes: a type added to one map alone
// would let the pack pass a tagged resource the run task stops, or the other way round, and the two would
// name different resources in the same message.
func TestParity_regoReplacementsAreUnmanagedTypes(t *testing.T) {
	opa := opaBinary(t)
	out, err := exec.Command(opa, "eval", "--format", "json", "-d", filepath.Join("..", "..", "examples", "policy"), "data.gdpr.plan.replacements").Output()
	if err != nil {
		t.Fatalf("opa eval: %v", err)
	}
	var answer struct {
		Result []struct {
			Expressions []struct {
				Value map[string]string `json:"value"`
			} `json:"expressions"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &answer); err != nil || len(answer.Result) != 1 || len(answer.Result[0].Expressions) != 1 {
		t.Fatalf("opa eval answered %s: %v", out, err)
	}
	if rego := answer.Result[0].Expressions[0].Value; !maps.Equal(rego, unmanagedTypes) {
		t.Errorf("examples/policy/plan.rego's replacements are %v, planrules' unmanagedTypes are %v: they must map the same raw types to the same gdpr resources", rego, unmanagedTypes)
	}
}

// sameWords are the rules whose message the Rego pack and the run task word alike (the run task ends it
// with a full stop). The others say more in the run task, where a reader has no pack's source to read.
var sameWords = []string{RuleUnmanaged, RuleMoveOrder}

// TestParity_sameWords checks, on every plan of the parity table, that the rules of sameWords give the same
// message in the pack and in the run task, so that the gdpr resource a message names, or its reason, cannot
// change in one alone.
func TestParity_sameWords(t *testing.T) {
	opa := opaBinary(t)
	inputs := map[string]json.RawMessage{}
	for _, tc := range parityCases(t) {
		inputs[tc.Name] = tc.Plan
	}
	input, err := json.Marshal(map[string]any{"cases": inputs})
	if err != nil {
		t.Fatal(err)
	}
	query := `result := {name: msgs | some name, plan in input.cases; msgs := {id: v.message | some v in data.gdpr.plan.violations with input as plan; id := concat(":", [v.rule, v.address])}}`
	cmd := exec.Command(opa, "eval", "--format", "json", "--stdin-input", "-d", filepath.Join("..", "..", "examples", "policy"), query)
	cmd.Stdin = bytes.NewReader(input)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("opa eval: %v", err)
	}
	var answer struct {
		Result []struct {
			Bindings struct {
				Result map[string]map[string]string `json:"result"`
			} `json:"bindings"`
		} `json:"result"`
	}
	if err := json.Unmarshal(out, &answer); err != nil || len(answer.Result) != 1 {
		t.Fatalf("opa eval answered %s: %v", out, err)
	}
	compared := map[string]int{}
	for _, tc := range parityCases(t) {
		r, err := Evaluate(bytes.NewReader(tc.Plan), Config{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range r.Findings {
			if !slices.Contains(sameWords, f.Rule) {
				continue
			}
			compared[f.Rule]++
			rego := answer.Result[0].Bindings.Result[tc.Name][f.Rule+":"+f.Address]
			if f.Message != rego+"." {
				t.Errorf("%s: rule %s words %s differently:\n  run task: %s\n  pack:     %s", tc.Name, f.Rule, f.Address, f.Message, rego)
			}
		}
	}
	for _, rule := range sameWords {
		if compared[rule] == 0 {
			t.Errorf("no plan of the parity table breaks rule %s, so its words were not compared", rule)
		}
	}
}
