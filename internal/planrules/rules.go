// Package planrules checks the JSON of a Terraform plan (terraform show -json PLANFILE) against the gdpr
// provider's rules, for resources of every provider: no in-place update of a store of personal data, no
// "forget" of one, residency by region or location, bounded retention, and no ignore_changes hiding a change
// of a gdpr_* resource. It has no Terraform-framework imports, so the run task server, a CLI or anything
// else can use it, and it decides residency and retention through internal/policy, as the provider does.
package planrules

import (
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// DestroyOnly names the top-level arguments of gdpr_* resources that govern only what the provider does
// when it destroys or replaces the resource. A change of one updates the state alone, so it is the one
// in-place update of a gdpr_* resource that is allowed. internal/replaceonly builds the schemas from this
// list, so the provider and the plan rules cannot disagree about it.
var DestroyOnly = []string{"force_destroy", "deletion_window_days", "on_replace"}

// DefaultPersonalDataKey is the tag or label key that marks a resource of another provider as holding
// personal data, whatever its value; the policy pack in examples/policy uses the same key.
const DefaultPersonalDataKey = "gdpr-personal-data"

// Rule identifiers, which name each finding's rule in run task outcomes and in the guide.
const (
	RuleInPlaceUpdate      = "gdpr-in-place-update"
	RulePersonalDataUpdate = "personal-data-in-place-update"
	RuleUnmanaged          = "personal-data-outside-gdpr"
	RuleResidency          = "residency"
	RuleRetention          = "retention"
	RuleForget             = "forget-personal-data"
	RuleIgnoreChanges      = "gdpr-ignore-changes"
	RuleUnknownRegion      = "residency-unknown-region"
	RuleMoveOrder          = "gdpr-move-needs-create-before-destroy"
	severityHigh           = "High"
)

// Config is what the rules are checked against. The zero value of each field means the provider's default.
type Config struct {
	// AllowedJurisdictions are allowed_jurisdictions values, as the provider block takes them.
	AllowedJurisdictions []string
	// MaxRetentionDays is the provider's max_retention_days.
	MaxRetentionDays int64
	// PersonalDataKey is the tag or label key that marks another provider's resource as holding personal data.
	PersonalDataKey string
	// Limits bound the memory one evaluation uses.
	Limits Limits
}

// WithDefaults returns c with the provider's defaults where c leaves a field unset.
func (c Config) WithDefaults() Config {
	if len(c.AllowedJurisdictions) == 0 {
		c.AllowedJurisdictions = []string{policy.DefaultJurisdiction}
	}
	if c.MaxRetentionDays == 0 {
		c.MaxRetentionDays = policy.DefaultMaxRetentionDays
	}
	if c.PersonalDataKey == "" {
		c.PersonalDataKey = DefaultPersonalDataKey
	}
	c.Limits = c.Limits.withDefaults()
	return c
}

// Finding is one rule that one resource change breaks.
type Finding struct {
	Rule     string
	Address  string
	Severity string
	// Message is one or more sentences naming the resource, what is wrong and what to do. It never
	// carries a value the plan marks sensitive.
	Message string
}

// Result is the outcome of checking one plan.
type Result struct {
	// Changes is how many resource changes the plan holds, no-ops included.
	Changes int
	// Findings are the first Limits.MaxFindings findings, in the plan's order.
	Findings []Finding
	// Total counts every finding, and ByRule every finding of each rule, kept in Findings or not.
	Total  int
	ByRule map[string]int
}

// Passed reports whether the plan breaks no rule.
func (r Result) Passed() bool { return len(r.Findings) == 0 }
