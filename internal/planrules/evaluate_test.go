package planrules

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// planOf builds the JSON of a plan from resource changes written as JSON objects, with an optional
// configuration.
func planOf(configuration string, changes ...string) string {
	if configuration == "" {
		configuration = `{"root_module":{}}`
	}
	return `{"format_version":"1.2","planned_values":{"root_module":{"resources":[{"address":"x","values":{"a":[1,{"b":2}]}}]}},` +
		`"resource_changes":[` + strings.Join(changes, ",") + `],"prior_state":{"values":{}},"configuration":` + configuration + `}`
}

// changeOf is one resource change of the given type, actions, before and after.
func changeOf(address, actions, before, after string) string {
	typ, name, _ := strings.Cut(address, ".")
	return fmt.Sprintf(`{"address":%q,"mode":"managed","type":%q,"name":%q,"change":{"actions":%s,"before":%s,"after":%s,"after_unknown":{},"after_sensitive":{}}}`,
		address, typ, name, actions, before, after)
}

func findings(t *testing.T, plan string, cfg Config) []string {
	t.Helper()
	r, err := Evaluate(strings.NewReader(plan), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Rule+":"+f.Address)
	}
	slices.Sort(out)
	return out
}

func TestEvaluate_rules(t *testing.T) {
	tagged := `{"tags":{"gdpr-personal-data":"x"},"region":"eu-west-1","size":1}`
	taggedBigger := `{"tags":{"gdpr-personal-data":"x"},"region":"eu-west-1","size":2}`
	cases := []struct {
		name string
		plan string
		cfg  Config
		want []string
	}{
		{"gdpr update of a replace-only argument", planOf("", changeOf("gdpr_key.k", `["update"]`, `{"description":"a","force_destroy":false}`, `{"description":"b","force_destroy":false}`)),
			Config{}, []string{"gdpr-in-place-update:gdpr_key.k"}},
		{"gdpr update of destroy-only arguments only", planOf("", changeOf("gdpr_bucket.b", `["update"]`, `{"bucket":"b","force_destroy":false,"on_replace":"delete"}`, `{"bucket":"b","force_destroy":true,"on_replace":"move_data"}`)),
			Config{}, nil},
		{"gdpr replace", planOf("", changeOf("gdpr_key.k", `["create","delete"]`, `{"description":"a"}`, `{"description":"b"}`)), Config{}, nil},
		{"tagged update", planOf("", changeOf("aws_db_instance.d", `["update"]`, tagged, taggedBigger)), Config{}, []string{"personal-data-in-place-update:aws_db_instance.d", "personal-data-outside-gdpr:aws_db_instance.d"}},
		{"tag added by the update", planOf("", changeOf("aws_db_instance.d", `["update"]`, `{"region":"eu-west-1"}`, tagged)), Config{}, []string{"personal-data-in-place-update:aws_db_instance.d", "personal-data-outside-gdpr:aws_db_instance.d"}},
		{"untagged update", planOf("", changeOf("aws_db_instance.d", `["update"]`, `{"region":"eu-west-1","size":1}`, `{"region":"eu-west-1","size":2}`)), Config{}, nil},
		{"google label", planOf("", changeOf("google_sql_database_instance.d", `["update"]`, `{"region":"europe-west1","labels":{"gdpr-personal-data":""}}`, `{"region":"europe-west1","labels":{"gdpr-personal-data":""},"tier":"x"}`)),
			Config{}, []string{"personal-data-in-place-update:google_sql_database_instance.d"}},
		{"custom tag key", planOf("", changeOf("aws_db_instance.d", `["update"]`, `{"region":"eu-west-1","tags":{"pii":"yes"}}`, `{"region":"eu-west-1","tags":{"pii":"no"}}`)),
			Config{PersonalDataKey: "pii"}, []string{"personal-data-in-place-update:aws_db_instance.d", "personal-data-outside-gdpr:aws_db_instance.d"}},
		{"forget gdpr", planOf("", changeOf("gdpr_key.k", `["forget"]`, `{"description":"a"}`, `null`)), Config{}, []string{"forget-personal-data:gdpr_key.k"}},
		{"forget tagged", planOf("", changeOf("aws_db_instance.d", `["forget"]`, tagged, `null`)), Config{}, []string{"forget-personal-data:aws_db_instance.d"}},
		{"forget in a replacement", planOf("", changeOf("gdpr_key.k", `["create","forget"]`, `{"description":"a"}`, `{"description":"b"}`)), Config{}, []string{"forget-personal-data:gdpr_key.k"}},
		{"forget untagged", planOf("", changeOf("aws_db_instance.d", `["forget"]`, `{"region":"us-east-1"}`, `null`)), Config{}, nil},
		{"destroy tagged", planOf("", changeOf("aws_s3_bucket.b", `["delete"]`, tagged, `null`)), Config{}, nil},
		{"residency denied", planOf("", changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"region":"us-east-1"}`)), Config{}, []string{"residency:aws_sqs_queue.q"}},
		{"residency allowed by a country", planOf("", changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"region":"eu-central-2"}`)), Config{AllowedJurisdictions: []string{"CH"}}, nil},
		{"residency of a no-op is not checked", planOf("", changeOf("aws_sqs_queue.q", `["no-op"]`, `{"region":"us-east-1"}`, `{"region":"us-east-1"}`)), Config{}, nil},
		{"azure spelled with spaces", planOf("", changeOf("azurerm_resource_group.g", `["create"]`, `null`, `{"location":"Germany West Central"}`)), Config{}, nil},
		{"azure global", planOf("", changeOf("azurerm_dns_zone.z", `["create"]`, `null`, `{"location":"global"}`)), Config{}, nil},
		{"unknown region", planOf("", changeOf("aws_sqs_queue.q", `["create"]`, `null`, `{"region":"mars-north-1"}`)), Config{}, []string{"residency-unknown-region:aws_sqs_queue.q"}},
		{"route around the provider", planOf("", changeOf("aws_s3_bucket.b", `["create"]`, `null`, `{"region":"eu-west-1","tags_all":{"gdpr-personal-data":"x"}}`)),
			Config{}, []string{"personal-data-outside-gdpr:aws_s3_bucket.b"}},
		{"retention too long", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["update"]`, `{"region":"eu-west-1"}`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":400}]}]}`)), Config{MaxRetentionDays: 365}, []string{"retention:aws_s3_bucket_lifecycle_configuration.l"}},
		{"retention within", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":365}]}]}`)), Config{MaxRetentionDays: 365}, nil},
		// Noncurrent versions count as for a gdpr_bucket: beyond their first day, against the maximum, and
		// never longer than the current objects.
		{"versions kept within the maximum", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":336}],"noncurrent_version_expiration":[{"noncurrent_days":30}]}]}`)),
			Config{MaxRetentionDays: 365}, nil},
		{"versions outlive the maximum", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":337}],"noncurrent_version_expiration":[{"noncurrent_days":30}]}]}`)),
			Config{MaxRetentionDays: 365}, []string{"retention:aws_s3_bucket_lifecycle_configuration.l"}},
		{"versions outlast current objects", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":7}],"noncurrent_version_expiration":[{"noncurrent_days":30}]}]}`)),
			Config{MaxRetentionDays: 365}, []string{"retention:aws_s3_bucket_lifecycle_configuration.l"}},
		{"noncurrent expiration alone", planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
			`{"region":"eu-west-1","rule":[{"status":"Enabled","noncurrent_version_expiration":[{"noncurrent_days":400}]}]}`)),
			Config{MaxRetentionDays: 365}, []string{"retention:aws_s3_bucket_lifecycle_configuration.l"}},
		{"raw database outside the allowed jurisdictions", planOf("", changeOf("aws_db_instance.d", `["create"]`, `null`, `{"region":"us-east-1","tags":{"gdpr-personal-data":"x"}}`)),
			Config{}, []string{"personal-data-outside-gdpr:aws_db_instance.d", "residency:aws_db_instance.d"}},
		{"database backups kept too long", planOf("", changeOf("aws_db_instance.d", `["create"]`, `null`, `{"region":"eu-west-1","backup_retention_period":35}`)),
			Config{MaxRetentionDays: 30}, []string{"retention:aws_db_instance.d"}},
		{"database backups kept within the maximum", planOf("", changeOf("aws_db_instance.d", `["create"]`, `null`, `{"region":"eu-west-1","backup_retention_period":30}`)),
			Config{MaxRetentionDays: 30}, nil},
		{"database without automated backups", planOf("", changeOf("aws_db_instance.d", `["create"]`, `null`, `{"region":"eu-west-1","backup_retention_period":0}`)),
			Config{MaxRetentionDays: 30}, nil},
		{"data sources are not changes", planOf("", `{"address":"data.aws_region.r","mode":"data","type":"aws_region","name":"r","change":{"actions":["read"],"before":null,"after":{"region":"us-east-1"}}}`), Config{}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := findings(t, tc.plan, tc.cfg); !slices.Equal(got, tc.want) {
				t.Fatalf("findings %v, want %v", got, tc.want)
			}
		})
	}
}

// TestEvaluate_ignoreChangesByConfiguration: a constant in the configuration that the plan does not take
// can only be ignore_changes; a reference, a write-only (null) value and a created resource are not.
func TestEvaluate_ignoreChangesByConfiguration(t *testing.T) {
	config := `{"root_module":{"resources":[` +
		`{"address":"gdpr_key.k","mode":"managed","type":"gdpr_key","name":"k","provider_config_key":"gdpr","expressions":{"description":{"constant_value":"new"},"policy":{"references":["var.p"]}}},` +
		`{"address":"gdpr_server.s","mode":"managed","type":"gdpr_server","name":"s","provider_config_key":"gdpr","expressions":{"user_data":{"constant_value":"#!/bin/sh"}}}],` +
		`"module_calls":{"m":{"module":{"resources":[{"address":"gdpr_key.k","mode":"managed","type":"gdpr_key","name":"k","provider_config_key":"m:gdpr","expressions":{"description":{"constant_value":"new"}}}]}}}}}`
	plan := planOf(config,
		changeOf("gdpr_key.k", `["no-op"]`, `{"description":"old","policy":"x"}`, `{"description":"old","policy":"y"}`),
		changeOf("gdpr_server.s", `["no-op"]`, `{"user_data":null}`, `{"user_data":null}`),
		`{"address":"module.m[\"a]b\"].gdpr_key.k[0]","module_address":"module.m[\"a]b\"]","mode":"managed","type":"gdpr_key","name":"k","index":0,"change":{"actions":["no-op"],"before":{"description":"old"},"after":{"description":"old"}}}`,
	)
	want := []string{"gdpr-ignore-changes:gdpr_key.k", `gdpr-ignore-changes:module.m["a]b"].gdpr_key.k[0]`}
	if got := findings(t, plan, Config{}); !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
}

// TestEvaluate_providerRegionForResourcesWithoutOne: an aws_* resource without a region attribute is
// placed by its provider block's constant region.
func TestEvaluate_providerRegionForResourcesWithoutOne(t *testing.T) {
	config := `{"provider_config":{"aws":{"expressions":{"region":{"constant_value":"eu-west-1"}}},"aws.us":{"expressions":{"region":{"constant_value":"us-west-2"}}},"aws.var":{"expressions":{"region":{"references":["var.r"]}}}},` +
		`"root_module":{"resources":[{"address":"aws_iam_role.eu","mode":"managed","provider_config_key":"aws"},{"address":"aws_iam_role.us","mode":"managed","provider_config_key":"aws.us"},{"address":"aws_iam_role.v","mode":"managed","provider_config_key":"aws.var"}]}}`
	plan := planOf(config,
		changeOf("aws_iam_role.eu", `["create"]`, `null`, `{"name":"a"}`),
		changeOf("aws_iam_role.us", `["create"]`, `null`, `{"name":"b"}`),
		changeOf("aws_iam_role.v", `["create"]`, `null`, `{"name":"c"}`))
	want := []string{"residency:aws_iam_role.us"}
	if got := findings(t, plan, Config{}); !slices.Equal(got, want) {
		t.Fatalf("findings %v, want %v", got, want)
	}
}

// TestEvaluate_sensitiveRegionIsNotRepeated: a finding never carries a value the plan marks sensitive.
func TestEvaluate_sensitiveRegionIsNotRepeated(t *testing.T) {
	plan := planOf("", `{"address":"aws_sqs_queue.q","mode":"managed","type":"aws_sqs_queue","name":"q","change":{"actions":["create"],"before":null,"after":{"region":"ap-south-1"},"after_unknown":{},"after_sensitive":{"region":true}}}`)
	r, err := Evaluate(strings.NewReader(plan), Config{})
	if err != nil || len(r.Findings) != 1 {
		t.Fatalf("%v %v", r, err)
	}
	if strings.Contains(r.Findings[0].Message, "ap-south-1") {
		t.Fatalf("the message repeats the sensitive region: %s", r.Findings[0].Message)
	}
}

func TestEvaluate_notAPlan(t *testing.T) {
	for _, doc := range []string{`[]`, `{"a":1}`, `{"resource_changes":{}}`, `{"resource_changes":[`} {
		if _, err := Evaluate(strings.NewReader(doc), Config{}); err == nil {
			t.Errorf("%s: no error", doc)
		}
	}
}

// bigPlan is a plan of n resource changes of several kinds, with a prior state as large as the changes,
// as terraform show -json writes for a workspace of that size.
func bigPlan(n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"format_version":"1.2","terraform_version":"1.15.9","resource_changes":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		switch i % 4 {
		case 0:
			fmt.Fprintf(&b, `{"address":"aws_s3_bucket.b%d","mode":"managed","type":"aws_s3_bucket","name":"b%d","provider_name":"registry.terraform.io/hashicorp/aws","change":{"actions":["create"],"before":null,"after":{"bucket":"bucket-%d","force_destroy":false,"region":"eu-central-1","tags":{"team":"x"},"tags_all":{"team":"x"}},"after_unknown":{"arn":true,"id":true},"before_sensitive":false,"after_sensitive":{"tags":{},"tags_all":{}}}}`, i, i, i)
		case 1:
			fmt.Fprintf(&b, `{"address":"gdpr_key.k%d","mode":"managed","type":"gdpr_key","name":"k%d","provider_name":"registry.terraform.io/gdpr-immutable/gdpr","change":{"actions":["no-op"],"before":{"arn":"arn:aws:kms:eu-central-1:1:key/%d","description":"key %d","deletion_window_days":30},"after":{"arn":"arn:aws:kms:eu-central-1:1:key/%d","description":"key %d","deletion_window_days":30},"after_unknown":{},"before_sensitive":{},"after_sensitive":{}}}`, i, i, i, i, i, i)
		case 2:
			fmt.Fprintf(&b, `{"address":"azurerm_storage_account.s%d","mode":"managed","type":"azurerm_storage_account","name":"s%d","change":{"actions":["update"],"before":{"location":"westeurope","tags":{"gdpr-personal-data":"x"},"account_tier":"Standard"},"after":{"location":"westeurope","tags":{"gdpr-personal-data":"x"},"account_tier":"Premium"},"after_unknown":{},"before_sensitive":{},"after_sensitive":{}}}`, i, i)
		case 3:
			fmt.Fprintf(&b, `{"address":"google_storage_bucket.g%d","mode":"managed","type":"google_storage_bucket","name":"g%d","change":{"actions":["create"],"before":null,"after":{"name":"g%d","location":"EUROPE-WEST3","lifecycle_rule":[{"action":[{"type":"Delete"}],"condition":[{"age":30}]}],"retention_policy":[]},"after_unknown":{"id":true},"before_sensitive":false,"after_sensitive":{}}}`, i, i, i)
		}
	}
	b.WriteString(`],"prior_state":{"values":{"root_module":{"resources":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"address":"r.r%d","values":{"a":"%d","b":[1,2,3],"c":{"d":"e"}}}`, i, i)
	}
	b.WriteString(`]}}},"configuration":{"provider_config":{"aws":{"expressions":{"region":{"constant_value":"eu-central-1"}}}},"root_module":{"resources":[`)
	for i := 1; i < n; i += 4 {
		if i > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"address":"gdpr_key.k%d","mode":"managed","type":"gdpr_key","name":"k%d","provider_config_key":"gdpr","expressions":{"description":{"constant_value":"key %d"}}}`, i, i, i)
	}
	b.WriteString(`]}}}`)
	return b.Bytes()
}

func TestEvaluate_bigPlan(t *testing.T) {
	plan := bigPlan(10000)
	r, err := Evaluate(bytes.NewReader(plan), Config{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Changes != 10000 || r.Total != 2500 || r.ByRule[RulePersonalDataUpdate] != 2500 {
		t.Fatalf("%d changes, %d findings (%v); want 10000 and 2500 (the tagged azurerm updates)", r.Changes, r.Total, r.ByRule)
	}
	if len(r.Findings) != DefaultMaxFindings {
		t.Fatalf("%d findings kept, want the first %d", len(r.Findings), DefaultMaxFindings)
	}
	if !json.Valid(plan) {
		t.Fatal("the generated plan is not JSON")
	}
}

// BenchmarkEvaluate10000 evaluates a plan of 10,000 resource changes (about 6 MB of JSON).
func BenchmarkEvaluate10000(b *testing.B) {
	plan := bigPlan(10000)
	b.SetBytes(int64(len(plan)))
	b.ReportAllocs()
	// The CPU time the process spends, besides the wall time, since a busy machine stretches the latter.
	cpuBefore := cpuTime()
	for b.Loop() {
		if _, err := Evaluate(bytes.NewReader(plan), Config{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpuBefore).Milliseconds())/float64(b.N), "cpu-ms/op")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestDestroyOnly_isTheDesignsList pins the destroy-only arguments to the three the design names (invariant
// 8): each is the one in-place update of a gdpr_* resource the provider makes and the plan rules allow, so
// an argument added to the list would silently turn its changes from a replacement into an update of the
// state alone, in the provider and in the run task at once. Growing the list is a change of the provider's
// promise, to be made in the README's guarantees and the design first, then here.
func TestDestroyOnly_isTheDesignsList(t *testing.T) {
	want := []string{"deletion_window_days", "force_destroy", "on_replace"}
	got := slices.Sorted(slices.Values(DestroyOnly))
	if !slices.Equal(got, want) {
		t.Errorf("DestroyOnly = %q, want exactly %q: every other argument of a gdpr_* resource forces a replacement", got, want)
	}
}

// A lifecycle rule whose versions outlive max_retention_days is reported with both settings, in the words
// gdpr_bucket and gdpr_retention print for the same numbers.
func TestEvaluate_lifecycleVersionsInThePolicysWords(t *testing.T) {
	plan := planOf("", changeOf("aws_s3_bucket_lifecycle_configuration.l", `["create"]`, `null`,
		`{"region":"eu-west-1","rule":[{"status":"Enabled","expiration":[{"days":337}],"noncurrent_version_expiration":[{"noncurrent_days":30}]}]}`))
	r, err := Evaluate(strings.NewReader(plan), Config{MaxRetentionDays: 365})
	if err != nil {
		t.Fatal(err)
	}
	want := "aws_s3_bucket_lifecycle_configuration.l (rule.expiration.days and rule.noncurrent_version_expiration.noncurrent_days): " +
		"A version expired after 337 days is kept 30 days more as a noncurrent version, 367 days in all, which exceeds " +
		"the policy's maximum of 365 days"
	if len(r.Findings) != 1 || !strings.HasPrefix(r.Findings[0].Message, want) {
		t.Fatalf("findings %+v, want one saying %q", r.Findings, want)
	}
}
