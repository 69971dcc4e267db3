package runtask

import (
	"fmt"
	"sort"
	"strings"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/planrules"
)

// maxOutcomes bounds the outcomes of one callback. The run task integration API does not say how many
// outcomes HCP Terraform accepts or shows; a plan with thousands of violations would otherwise send a body
// of megabytes, so past this many the message says how many more there are.
const maxOutcomes = 100

// maxDescription bounds an outcome's one-line description. The API does not state a limit either; the
// full text is in the outcome's body.
const maxDescription = 200

func failedCallback(message string) Callback {
	return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{Status: StatusFailed, Message: message}}}
}

// resultCallback turns a plan's findings into a task result: passed with no outcome, or failed with one
// outcome for each finding, tagged as the integration API's outcome tags allow, with a Status and a
// Severity column.
func resultCallback(r planrules.Result) Callback {
	if r.Passed() {
		return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{
			Status:  StatusPassed,
			Message: fmt.Sprintf("%s checked: none breaks a gdpr rule.", plural(r.Changes, "resource change")),
		}}}
	}
	outcomes := make([]Outcome, 0, min(len(r.Findings), maxOutcomes))
	for i, f := range r.Findings {
		if i == maxOutcomes {
			break
		}
		outcomes = append(outcomes, Outcome{Type: "task-result-outcomes", Attributes: OutcomeAttributes{
			OutcomeID:   fmt.Sprintf("%s:%s", f.Rule, f.Address),
			Description: truncate(f.Message, maxDescription),
			Body:        fmt.Sprintf("%s\n\nRule: `%s`.", f.Message, f.Rule),
			Tags: map[string][]Tag{
				"Status":   {{Label: "Failed", Level: "error"}},
				"Severity": {{Label: f.Severity, Level: "error"}},
			},
		}})
	}
	msg := fmt.Sprintf("%s in %s: %s.", plural(len(r.Findings), "violation"), plural(r.Changes, "resource change"), byRule(r.Findings))
	if len(r.Findings) > maxOutcomes {
		msg += fmt.Sprintf(" The first %d are listed.", maxOutcomes)
	}
	return Callback{Data: CallbackData{
		Type:          "task-results",
		Attributes:    CallbackAttributes{Status: StatusFailed, Message: msg},
		Relationships: &CallbackRelationships{Outcomes: OutcomeList{Data: outcomes}},
	}}
}

// byRule counts the findings of each rule, in the rules' names' order, as "2 residency, 1 retention".
func byRule(findings []planrules.Finding) string {
	counts := map[string]int{}
	for _, f := range findings {
		counts[f.Rule]++
	}
	rules := make([]string, 0, len(counts))
	for rule := range counts {
		rules = append(rules, rule)
	}
	sort.Strings(rules)
	parts := make([]string, len(rules))
	for i, rule := range rules {
		parts[i] = fmt.Sprintf("%d %s", counts[rule], rule)
	}
	return strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n-1], ' ')
	if cut <= 0 {
		cut = n - 1
	}
	return s[:cut] + "…"
}

func outcomeCount(cb Callback) int {
	if cb.Data.Relationships == nil {
		return 0
	}
	return len(cb.Data.Relationships.Outcomes.Data)
}
