package planrules

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// parityCases is one table of plans that both this package and the Rego pack in examples/policy check, and
// which must pass and fail the same way in both, rule by rule. The pack has no jurisdiction data, retention
// settings or configuration walk, so the table keeps to the rules both have: residency, retention and
// ignore_changes are the run task's alone (aws resources here are in EU regions so that residency passes).
var parityCases = []struct {
	name string
	plan string
	want []string
}{
	{"gdpr create", planOf("", changeOf("gdpr_key.k", `["create"]`, `null`, `{"description":"a"}`)), nil},
	{"gdpr replace", planOf("", changeOf("gdpr_key.k", `["delete","create"]`, `{"description":"a"}`, `{"description":"b"}`)), nil},
	{"gdpr in-place update", planOf("", changeOf("gdpr_key.k", `["update"]`, `{"description":"a","deletion_window_days":7}`, `{"description":"b","deletion_window_days":7}`)),
		[]string{"gdpr-in-place-update:gdpr_key.k"}},
	{"gdpr update of destroy-only arguments", planOf("", changeOf("gdpr_bucket.b", `["update"]`, `{"bucket":"b","force_destroy":false}`, `{"bucket":"b","force_destroy":true}`)), nil},
	{"gdpr update to an unknown value", planOf("", `{"address":"gdpr_key.k","mode":"managed","type":"gdpr_key","name":"k","change":{"actions":["update"],"before":{"description":"a"},"after":{},"after_unknown":{"description":true}}}`),
		[]string{"gdpr-in-place-update:gdpr_key.k"}},
	{"gdpr forget", planOf("", changeOf("gdpr_bucket.b", `["forget"]`, `{"bucket":"b"}`, `null`)), []string{"forget-personal-data:gdpr_bucket.b"}},
	{"gdpr forget in a replacement", planOf("", changeOf("gdpr_key.k", `["forget","create"]`, `{"description":"a"}`, `{"description":"b"}`)), []string{"forget-personal-data:gdpr_key.k"}},
	{"tagged forget", planOf("", changeOf("azurerm_mssql_database.d", `["forget"]`, `{"tags":{"gdpr-personal-data":""}}`, `null`)),
		[]string{"forget-personal-data:azurerm_mssql_database.d"}},
	{"untagged forget", planOf("", changeOf("azurerm_mssql_database.d", `["forget"]`, `{"tags":{"team":"x"}}`, `null`)), nil},
	{"tagged update", planOf("", changeOf("aws_db_instance.d", `["update"]`, `{"region":"eu-west-1","tags_all":{"gdpr-personal-data":"x"},"size":1}`, `{"region":"eu-west-1","tags_all":{"gdpr-personal-data":"x"},"size":2}`)),
		[]string{"personal-data-in-place-update:aws_db_instance.d"}},
	{"labelled update", planOf("", changeOf("kubernetes_secret.s", `["update"]`, `{"labels":{"gdpr-personal-data":"x"}}`, `{"labels":{"gdpr-personal-data":"y"}}`)),
		[]string{"personal-data-in-place-update:kubernetes_secret.s"}},
	{"untagged update", planOf("", changeOf("aws_db_instance.d", `["update"]`, `{"region":"eu-west-1","size":1}`, `{"region":"eu-west-1","size":2}`)), nil},
	{"tagged destroy", planOf("", changeOf("aws_db_instance.d", `["delete"]`, `{"region":"eu-west-1","tags":{"gdpr-personal-data":"x"}}`, `null`)), nil},
	{"tagged raw bucket", planOf("", changeOf("aws_s3_bucket.b", `["create"]`, `null`, `{"region":"eu-west-1","tags":{"gdpr-personal-data":"x"}}`)),
		[]string{"personal-data-outside-gdpr:aws_s3_bucket.b"}},
	{"tagged raw key updated", planOf("", changeOf("aws_kms_key.k", `["update"]`, `{"region":"eu-west-1","tags":{"gdpr-personal-data":"x"},"description":"a"}`, `{"region":"eu-west-1","tags":{"gdpr-personal-data":"x"},"description":"b"}`)),
		[]string{"personal-data-in-place-update:aws_kms_key.k", "personal-data-outside-gdpr:aws_kms_key.k"}},
	{"untagged raw bucket", planOf("", changeOf("aws_s3_bucket.b", `["create"]`, `null`, `{"region":"eu-west-1","tags":{"team":"x"}}`)), nil},
	{"move without create_before_destroy", planOf("", changeOf("gdpr_bucket.b", `["delete","create"]`, `{"on_replace":"move_data"}`, `{"on_replace":"move_data"}`)),
		[]string{"gdpr-move-needs-create-before-destroy:gdpr_bucket.b"}},
	{"move with create_before_destroy", planOf("", changeOf("gdpr_bucket.b", `["create","delete"]`, `{"on_replace":"move_data"}`, `{"on_replace":"move_data"}`)), nil},
	{"data source", planOf("", `{"address":"data.gdpr_region.r","mode":"data","type":"gdpr_region","name":"r","change":{"actions":["read"],"before":null,"after":{}}}`), nil},
}

// TestParity_goAndRegoAgree checks every plan of parityCases with Evaluate and with OPA on the policy pack,
// in one opa eval, and requires both to find exactly the expected violations. `make test` passes the OPA
// binary it builds in GDPR_OPA; without it the test uses .cache/opa when that exists and otherwise skips.
func TestParity_goAndRegoAgree(t *testing.T) {
	root := filepath.Join("..", "..")
	opa := os.Getenv("GDPR_OPA")
	if opa == "" {
		opa = filepath.Join(root, ".cache", "opa")
		if _, err := os.Stat(opa); err != nil {
			t.Skip("no OPA binary: set GDPR_OPA, or run `make opa` to build .cache/opa")
		}
	}
	inputs := map[string]json.RawMessage{}
	for _, tc := range parityCases {
		inputs[tc.name] = json.RawMessage(tc.plan)
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
	for _, tc := range parityCases {
		t.Run(tc.name, func(t *testing.T) {
			fromGo := findings(t, tc.plan, Config{})
			fromRego := rego[tc.name]
			slices.Sort(fromRego)
			if !slices.Equal(fromGo, tc.want) || !slices.Equal(fromRego, tc.want) {
				t.Fatalf("want %s\n  Go:   %s\n  Rego: %s", strings.Join(tc.want, ", "), strings.Join(fromGo, ", "), strings.Join(fromRego, ", "))
			}
		})
	}
}
