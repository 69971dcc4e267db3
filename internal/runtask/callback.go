package runtask

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/planrules"
)

// The bounds of a callback. The run task integration API states a limit for the body of an outcome
// (under 1 MB recommended, 5 MB at most) and its published result schema one for an outcome-id (64
// characters); a callback that breaks one is refused with a 422, which is not retried, so the whole result
// would be lost. It states none for the number of outcomes or the length of a message or description,
// which HCP Terraform shows on one line: these bounds keep a callback small whatever the plan.
const (
	maxOutcomes    = 100
	maxOutcomeID   = 64
	maxDescription = 200
	maxMessage     = 500
	maxBody        = 8 << 10
)

// The stages of a run at which HCP Terraform calls a run task.
const (
	stagePrePlan   = "pre_plan"
	stagePostPlan  = "post_plan"
	stagePreApply  = "pre_apply"
	stagePostApply = "post_apply"
)

func failedCallback(message string) Callback {
	return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{Status: StatusFailed, Message: truncate(message, maxMessage)}}}
}

// runningCallback is the update sent as soon as a request is accepted.
func runningCallback(req Request) Callback {
	what := "Checking the plan against the gdpr rules."
	if req.Stage == stagePostApply {
		what = "Checking the applied plan against the gdpr rules."
	}
	return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{Status: StatusRunning, Message: what}}}
}

// stageRefusal says why a request cannot be served at its stage: the rules read a plan, which HCP
// Terraform offers at post_plan, pre_apply and post_apply only.
func stageRefusal(req Request) (string, bool) {
	switch req.Stage {
	case stagePostPlan, stagePreApply, stagePostApply:
		if req.PlanJSONAPIURL == "" {
			return fmt.Sprintf("HCP Terraform sent no plan_json_api_url at the %s stage, so there is no plan to check and it is not passed.", req.Stage), true
		}
		return "", false
	case stagePrePlan:
		return "The pre_plan stage comes before Terraform plans, so there is no plan to check: attach this run task at post_plan or pre_apply, where it can stop a plan that breaks a gdpr rule.", true
	}
	return fmt.Sprintf("HCP Terraform called this run task at the %q stage, which it does not serve: attach it at post_plan or pre_apply.", req.Stage), true
}

// notFetchedInTime is the result of a request that waited for a worker until its fetch timeout passed.
func notFetchedInTime(waited, timeout time.Duration) string {
	return fmt.Sprintf("The plan could not be fetched, so it is not passed: the request waited %s for a free worker, past the %s the run task allows to fetch and check a plan. The server is busier than its --concurrency; run the plan again.",
		waited.Round(time.Second), timeout)
}

// notFetched is the result of a download that failed.
func notFetched(err error, ctx context.Context, timeout time.Duration) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Sprintf("The plan could not be fetched within %s of the request, so it is not passed: HCP Terraform's plan endpoint did not answer in time (%v). Run the plan again.", timeout, err)
	}
	return fmt.Sprintf("The plan could not be fetched, so it is not passed: %v.", err)
}

// notChecked is the result of a plan that was fetched but could not be read to the end.
func notChecked(err error, ctx context.Context, timeout time.Duration) string {
	var limit *planrules.LimitError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("The plan could not be read within %s of the request, so it is not passed: %v. Run the plan again.", timeout, err)
	case errors.As(err, &limit):
		return fmt.Sprintf("The plan could not be checked, so it is not passed: %v. The run task reads strings of any length without holding them, but it refuses a resource change or a configuration this large rather than exhaust its memory.", err)
	case errors.Is(err, planrules.ErrUnsupportedFormat):
		return fmt.Sprintf("The plan could not be checked, so it is not passed: %v.", err)
	}
	return fmt.Sprintf("The plan could not be checked, so it is not passed: %v.", err)
}

// resultCallback turns a plan's findings into a task result: passed with no outcome, or failed with one
// outcome for each finding, tagged as the integration API's outcome tags allow, with a Status and a
// Severity column. Outcomes go only where HCP Terraform or Terraform Enterprise offered them
// (capabilities.outcomes); elsewhere the message names the first findings. At post_apply the changes are
// already made, and the words say so.
func resultCallback(req Request, r planrules.Result) Callback {
	applied := req.Stage == stagePostApply
	if r.Passed() {
		msg := fmt.Sprintf("%s checked: none breaks a gdpr rule.", plural(r.Changes, "resource change"))
		if applied {
			msg = fmt.Sprintf("The apply is done: %s applied, none breaks a gdpr rule.", plural(r.Changes, "resource change"))
		}
		return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{Status: StatusPassed, Message: msg}}}
	}
	msg := fmt.Sprintf("%s in %s: %s.", plural(r.Total, "violation"), plural(r.Changes, "resource change"), byRule(r.ByRule))
	if applied {
		msg = fmt.Sprintf("The apply is done and made %s in %s: %s. The run task cannot undo them: correct them with a new run, and attach it at post_plan or pre_apply to stop such plans before they apply.",
			plural(r.Total, "violation"), plural(r.Changes, "resource change"), byRule(r.ByRule))
	}
	if !offersOutcomes(req) {
		return Callback{Data: CallbackData{Type: "task-results", Attributes: CallbackAttributes{
			Status: StatusFailed, Message: truncate(msg+" "+firstFindings(r.Findings), maxMessage),
		}}}
	}
	outcomes := make([]Outcome, 0, min(len(r.Findings), maxOutcomes))
	for i, f := range r.Findings {
		if i == maxOutcomes {
			break
		}
		description, body := f.Message, fmt.Sprintf("%s\n\nRule: `%s`.", f.Message, f.Rule)
		if applied {
			description = "Applied: " + description
			body = "This change has already been applied; the rule's words describe the plan that made it.\n\n" + body
		}
		outcomes = append(outcomes, Outcome{Type: "task-result-outcomes", Attributes: OutcomeAttributes{
			OutcomeID:   outcomeID(f.Rule, f.Address),
			Description: truncate(description, maxDescription),
			Body:        truncate(body, maxBody),
			Tags: map[string][]Tag{
				"Status":   {{Label: "Failed", Level: "error"}},
				"Severity": {{Label: f.Severity, Level: "error"}},
			},
		}})
	}
	if r.Total > len(outcomes) {
		msg += fmt.Sprintf(" The first %d are listed.", len(outcomes))
	}
	return Callback{Data: CallbackData{
		Type:          "task-results",
		Attributes:    CallbackAttributes{Status: StatusFailed, Message: truncate(msg, maxMessage)},
		Relationships: &CallbackRelationships{Outcomes: OutcomeList{Data: outcomes}},
	}}
}

// offersOutcomes reports whether the caller said it accepts outcomes; Terraform Enterprise releases before
// outcomes existed send no capabilities at all.
func offersOutcomes(req Request) bool {
	return req.Capabilities != nil && req.Capabilities.Outcomes
}

// firstFindings names the first findings' rules and resources, for a result without outcomes.
func firstFindings(findings []planrules.Finding) string {
	parts := make([]string, 0, 3)
	for i, f := range findings {
		if i == 3 {
			break
		}
		parts = append(parts, fmt.Sprintf("%s on %s", f.Rule, f.Address))
	}
	return "First: " + strings.Join(parts, "; ") + "."
}

// outcomeID is the rule and the resource's address, bounded to the schema's 64 characters: a longer one
// keeps its start and ends with a short digest of the address, so that ids stay distinct, and the address
// stays whole in the description and body.
func outcomeID(rule, address string) string {
	id := rule + ":" + address
	if len(id) <= maxOutcomeID {
		return id
	}
	sum := sha256.Sum256([]byte(address))
	suffix := "~" + hex.EncodeToString(sum[:4])
	keep := maxOutcomeID - len(suffix)
	for keep > 0 && !utf8.RuneStart(id[keep]) {
		keep--
	}
	return id[:keep] + suffix
}

// byRule writes the count of each rule, in the rules' names' order, as "2 residency, 1 retention".
func byRule(counts map[string]int) string {
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

// truncate bounds s to n characters, cutting at a space where it can, and marks the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	limit := 0
	for range n - 1 {
		_, size := utf8.DecodeRuneInString(s[limit:])
		limit += size
	}
	cut := strings.LastIndexByte(s[:limit], ' ')
	if cut <= 0 {
		cut = limit
	}
	return s[:cut] + "…"
}

// byteSize writes n in MiB when it is a whole number of them.
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

func outcomeCount(cb Callback) int {
	if cb.Data.Relationships == nil {
		return 0
	}
	return len(cb.Data.Relationships.Outcomes.Data)
}
