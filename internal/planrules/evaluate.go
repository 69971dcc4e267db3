package planrules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
)

// change is the part of one entry of a plan's resource_changes that the rules read. Before and After stay
// raw until a rule needs them, so that a resource no rule concerns costs one scan of its bytes.
type change struct {
	Address       string `json:"address"`
	ModuleAddress string `json:"module_address"`
	Mode          string `json:"mode"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Change        struct {
		Actions        []string        `json:"actions"`
		Before         json.RawMessage `json:"before"`
		After          json.RawMessage `json:"after"`
		AfterUnknown   json.RawMessage `json:"after_unknown"`
		AfterSensitive json.RawMessage `json:"after_sensitive"`
	} `json:"change"`
}

// configuration is the part of a plan's configuration the rules read: each provider block's constant
// region, and each resource block's constant arguments and provider.
type configuration struct {
	ProviderConfig map[string]struct {
		Expressions map[string]json.RawMessage `json:"expressions"`
	} `json:"provider_config"`
	RootModule configModule `json:"root_module"`
}

type configModule struct {
	Resources []struct {
		Address           string                     `json:"address"`
		Mode              string                     `json:"mode"`
		ProviderConfigKey string                     `json:"provider_config_key"`
		Expressions       map[string]json.RawMessage `json:"expressions"`
	} `json:"resources"`
	ModuleCalls map[string]struct {
		Module configModule `json:"module"`
	} `json:"module_calls"`
}

type configResource struct {
	providerKey string
	expressions map[string]json.RawMessage
}

// pending is a check that needs the plan's configuration, which Terraform writes after resource_changes.
type pending struct {
	address   string
	configKey string
	typ       string
	// after holds the planned top-level values of a gdpr_* resource, for the ignore_changes check; nil
	// for an aws_* resource whose region comes from its provider block.
	after   map[string]json.RawMessage
	unknown map[string]json.RawMessage
}

type evaluator struct {
	cfg      Config
	result   Result
	pending  []pending
	config   *configuration
	resource map[string]configResource
	// where names the value being read, for a *LimitError.
	where string
	// pendingBytes is what pending holds, and tooMuchPending is set once it passes MaxPendingBytes.
	pendingBytes   int64
	tooMuchPending bool
}

// wait queues a check until the configuration is read, within MaxPendingBytes: a plan of more gdpr_*
// resources that stay, or aws_* resources without a region, than that holds is refused rather than held.
func (e *evaluator) wait(p pending) {
	size := int64(len(p.address) + len(p.configKey) + len(p.typ))
	for k, v := range p.after {
		size += int64(len(k) + len(v))
	}
	for k, v := range p.unknown {
		size += int64(len(k) + len(v))
	}
	if e.pendingBytes+size > e.cfg.Limits.MaxPendingBytes {
		e.tooMuchPending = true
		return
	}
	e.pendingBytes += size
	e.pending = append(e.pending, p)
}

// ErrNotAPlan is returned for JSON that is not the JSON of a plan (an object with resource_changes).
var ErrNotAPlan = errors.New("the document is not the JSON of a Terraform plan")

// ErrUnsupportedFormat is returned for a plan whose format_version has a major version the rules do not
// know: Terraform changes the major version when it moves or renames what the rules read, so such a plan
// would pass unread.
var ErrUnsupportedFormat = errors.New("the plan's JSON format is not one these rules read")

// formatMajor is the major format_version of the plan JSON the rules read, as Terraform 0.12 to 1.15 write it.
const formatMajor = "1"

// Evaluate checks the JSON of a plan, as terraform show -json PLANFILE writes it and as HCP Terraform serves
// it at a run task's plan_json_api_url, against the rules. It reads the document as a stream, one resource
// change at a time, and skips prior_state and planned_values without holding them. cfg.Limits bound what it
// holds: no string longer than MaxStringBytes (a longer one is read through and stands as its length and
// digest), no resource change or configuration larger than MaxValueBytes (a *LimitError), and at most
// MaxFindings findings; beyond that, its memory grows only with the number of gdpr_* resources that stay and
// of aws_* resources without a region attribute, which need the configuration that follows the changes.
func Evaluate(r io.Reader, cfg Config) (Result, error) {
	e := &evaluator{cfg: cfg.WithDefaults()}
	e.result.ByRule = map[string]int{}
	src := &window{r: newStringBound(r, e.cfg.Limits.MaxStringBytes), max: e.cfg.Limits.MaxValueBytes}
	dec := json.NewDecoder(src)
	src.dec = dec
	result, err := e.evaluate(dec)
	if errors.Is(err, errValueTooLarge) {
		return Result{}, &LimitError{What: e.where, Limit: e.cfg.Limits.MaxValueBytes}
	}
	return result, err
}

func (e *evaluator) evaluate(dec *json.Decoder) (Result, error) {
	e.where = "the document's first value"
	if err := expectDelim(dec, '{'); err != nil {
		return Result{}, fmt.Errorf("%w: %w", ErrNotAPlan, err)
	}
	sawChanges, sawVersion := false, false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Result{}, err
		}
		key, _ := tok.(string)
		e.where = fmt.Sprintf("the plan's %q", key)
		switch key {
		case "format_version":
			var v string
			if err := dec.Decode(&v); err != nil {
				return Result{}, fmt.Errorf("%w: format_version is not a string: %w", ErrNotAPlan, err)
			}
			if major, _, _ := strings.Cut(v, "."); major != formatMajor {
				return Result{}, fmt.Errorf("%w: the plan has format_version %q, and these rules read format %s.x, "+
					"which Terraform 0.12 to 1.15 write; a new major version can move or rename what the rules read, "+
					"so the plan is not passed unread. Use a release of the gdpr run task that reads it", ErrUnsupportedFormat, v, formatMajor)
			}
			sawVersion = true
		case "resource_changes":
			sawChanges = true
			if err := e.changes(dec); err != nil {
				return Result{}, err
			}
		case "configuration":
			e.where = "the plan's configuration"
			var c configuration
			if err := dec.Decode(&c); err != nil {
				return Result{}, fmt.Errorf("reading the plan's configuration: %w", err)
			}
			e.config = &c
		default:
			if err := skip(dec); err != nil {
				return Result{}, err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return Result{}, err
	}
	if !sawVersion {
		return Result{}, fmt.Errorf("%w: it has no format_version, which terraform show -json always writes", ErrNotAPlan)
	}
	if !sawChanges {
		// A plan with nothing to do still has "resource_changes" only when something is managed; an
		// empty configuration has none, which is no violation.
		if e.config == nil {
			return Result{}, fmt.Errorf("%w: it has neither resource_changes nor configuration", ErrNotAPlan)
		}
	}
	e.resolvePending()
	return e.result, nil
}

func (e *evaluator) changes(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return fmt.Errorf("%w: resource_changes is not a list", ErrNotAPlan)
	}
	for i := 0; dec.More(); i++ {
		e.where = fmt.Sprintf("resource change %d", i)
		var c change
		if err := dec.Decode(&c); err != nil {
			return fmt.Errorf("reading resource_changes: %w", err)
		}
		if c.Mode == "data" {
			continue
		}
		e.result.Changes++
		e.check(&c)
		if e.tooMuchPending {
			return &LimitError{What: "the planned values that wait for the plan's configuration (of gdpr_* resources that stay, and of aws_* resources without a region)", Limit: e.cfg.Limits.MaxPendingBytes}
		}
	}
	_, err = dec.Token()
	return err
}

// check applies every rule that needs only the change itself, and queues those that need the configuration.
func (e *evaluator) check(c *change) {
	actions := c.Change.Actions
	gdpr := strings.HasPrefix(c.Type, "gdpr_")
	var before, after map[string]json.RawMessage
	_ = json.Unmarshal(c.Change.Before, &before)
	_ = json.Unmarshal(c.Change.After, &after)
	tagged := !gdpr && (e.tagged(before) || e.tagged(after))
	creates := slices.Contains(actions, "create") || slices.Contains(actions, "update")

	switch {
	case slices.Equal(actions, []string{"update"}) && gdpr:
		if attrs := changedAttributes(before, after, c.Change.AfterUnknown); len(attrs) > 0 {
			e.add(RuleInPlaceUpdate, c.Address, fmt.Sprintf("%s would be updated in place (%s). "+
				"gdpr_* resources are replace-only: every change but %s must replace them, and the provider "+
				"refuses the update at plan; a plan that shows one was not made by the gdpr provider's own "+
				"checks. Plan it again with a gdpr provider release, or replace the resource.",
				c.Address, strings.Join(attrs, ", "), strings.Join(DestroyOnly, ", ")))
		}
	case slices.Equal(actions, []string{"update"}) && tagged:
		e.add(RulePersonalDataUpdate, c.Address, fmt.Sprintf("%s is tagged %q as holding personal "+
			"data and would be updated in place, which changes a store of personal data without a new, "+
			"reviewable build. Replace it instead (lifecycle { replace_triggered_by } or terraform apply "+
			"-replace), or guard it with gdpr_immutable.", c.Address, e.cfg.PersonalDataKey))
	}

	if slices.Contains(actions, "forget") && (gdpr || tagged) {
		what := "is a gdpr_* resource"
		if !gdpr {
			what = fmt.Sprintf("is tagged %q as holding personal data", e.cfg.PersonalDataKey)
		}
		e.add(RuleForget, c.Address, fmt.Sprintf("%s %s and would be forgotten: removed from "+
			"the state (removed { lifecycle { destroy = false } }) but left running, so its personal data "+
			"would no longer be managed, audited or erased by Terraform. Destroy it, or keep it in the "+
			"configuration.", c.Address, what))
	}

	if unmanagedTypes[c.Type] != "" && creates && (hasKey(after, "tags", e.cfg.PersonalDataKey) || hasKey(after, "tags_all", e.cfg.PersonalDataKey)) {
		e.add(RuleUnmanaged, c.Address, fmt.Sprintf("%s is tagged %q as holding personal data: use "+
			"%s from the gdpr provider, which is replace-only and enforces residency, encryption and "+
			"retention, instead of %s.", c.Address, e.cfg.PersonalDataKey, unmanagedTypes[c.Type], c.Type))
	}

	if c.Type == "gdpr_bucket" && slices.Equal(actions, []string{"delete", "create"}) && string(after["on_replace"]) == `"move_data"` {
		e.add(RuleMoveOrder, c.Address, fmt.Sprintf("%s would be deleted before the bucket that "+
			"replaces it exists, so its data has nowhere to move: add lifecycle { create_before_destroy = true }.", c.Address))
	}

	var unknown map[string]json.RawMessage
	_ = json.Unmarshal(c.Change.AfterUnknown, &unknown)
	// ignore_changes keeps a value the resource already has, so only a resource that stays (no-op or
	// update) can show it; a created or replaced one takes its values from the configuration.
	if gdpr && (slices.Equal(actions, []string{"no-op"}) || slices.Equal(actions, []string{"update"})) && after != nil {
		e.wait(pending{address: c.Address, configKey: configKey(c), typ: c.Type, after: after, unknown: unknown})
	}
	if creates && !gdpr {
		e.residency(c, after, unknown)
		e.retention(c, after)
	}
}

// unmanagedTypes are the hashicorp/aws resources that the gdpr provider replaces, as the policy pack's
// plan.rego names them: tagged as holding personal data, they route personal data around the provider.
var unmanagedTypes = map[string]string{
	"aws_s3_bucket":   "gdpr_bucket",
	"aws_kms_key":     "gdpr_key",
	"aws_instance":    "gdpr_server",
	"aws_db_instance": "gdpr_database",
}

// tagKeys are the attributes in which the big three clouds' providers keep tags and labels: tags_all and
// effective_labels include the provider's default tags and labels.
var tagKeys = []string{"tags", "tags_all", "labels", "effective_labels", "terraform_labels"}

func (e *evaluator) tagged(values map[string]json.RawMessage) bool {
	for _, k := range tagKeys {
		if hasKey(values, k, e.cfg.PersonalDataKey) {
			return true
		}
	}
	return false
}

// hasKey reports whether the map attribute attr of values has the key key, whatever its value.
func hasKey(values map[string]json.RawMessage, attr, key string) bool {
	raw, ok := values[attr]
	if !ok || len(raw) == 0 || raw[0] != '{' {
		return false
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return false
	}
	_, ok = m[key]
	return ok
}

// changedAttributes lists, sorted, the top-level attributes an update changes, leaving out DestroyOnly. An
// attribute whose planned value is unknown counts as changed; one missing on a side counts as null.
func changedAttributes(before, after map[string]json.RawMessage, afterUnknown json.RawMessage) []string {
	var unknown map[string]json.RawMessage
	_ = json.Unmarshal(afterUnknown, &unknown)
	var out []string
	seen := map[string]bool{}
	consider := func(k string) {
		if seen[k] || slices.Contains(DestroyOnly, k) {
			return
		}
		seen[k] = true
		if string(unknown[k]) == "true" || !sameJSON(before[k], after[k]) {
			out = append(out, k)
		}
	}
	for k := range before {
		consider(k)
	}
	for k := range after {
		consider(k)
	}
	for k := range unknown {
		consider(k)
	}
	slices.Sort(out)
	return out
}

// sameJSON compares two JSON values by meaning; a missing value is null.
func sameJSON(a, b json.RawMessage) bool {
	if bytes.Equal(a, b) {
		return true
	}
	var x, y any
	if len(a) > 0 {
		_ = json.Unmarshal(a, &x)
	}
	if len(b) > 0 {
		_ = json.Unmarshal(b, &y)
	}
	return reflect.DeepEqual(x, y)
}

// add records a finding. Every rule is of high severity today: each one, broken, lets personal data be
// changed, kept or placed against the rules without anyone deciding so.
func (e *evaluator) add(rule, address, message string) {
	e.result.Total++
	e.result.ByRule[rule]++
	if len(e.result.Findings) < e.cfg.Limits.MaxFindings {
		e.result.Findings = append(e.result.Findings, Finding{Rule: rule, Address: address, Severity: severityHigh, Message: message})
	}
}

// configKey is the address of the resource block a change comes from: its module path without instance
// keys, then type.name, as the plan's configuration names resource blocks.
func configKey(c *change) string {
	base := c.Type + "." + c.Name
	if c.ModuleAddress == "" {
		return base
	}
	return stripInstanceKeys(c.ModuleAddress) + "." + base
}

// stripInstanceKeys turns module.a["x"].module.b[0] into module.a.module.b. A key is a number or a quoted
// string, in which a bracket may appear.
func stripInstanceKeys(addr string) string {
	var b strings.Builder
	inKey, inString, escaped := false, false, false
	for _, r := range addr {
		switch {
		case !inKey && r == '[':
			inKey = true
		case !inKey:
			b.WriteRune(r)
		case inString && escaped:
			escaped = false
		case inString && r == '\\':
			escaped = true
		case r == '"':
			inString = !inString
		case !inString && r == ']':
			inKey = false
		}
	}
	return b.String()
}

// resolvePending runs the checks that need the configuration: the region of aws_* resources that have no
// region attribute, and ignore_changes on gdpr_* resources.
func (e *evaluator) resolvePending() {
	if len(e.pending) == 0 {
		return
	}
	e.indexConfig()
	for _, p := range e.pending {
		res, ok := e.resource[p.configKey]
		if !ok {
			continue
		}
		if p.after == nil {
			e.providerRegion(p, res)
			continue
		}
		e.ignoredChanges(p, res)
	}
}

func (e *evaluator) indexConfig() {
	e.resource = map[string]configResource{}
	if e.config == nil {
		return
	}
	var walk func(prefix string, m configModule)
	walk = func(prefix string, m configModule) {
		for _, r := range m.Resources {
			if r.Mode == "data" {
				continue
			}
			e.resource[prefix+r.Address] = configResource{providerKey: r.ProviderConfigKey, expressions: r.Expressions}
		}
		for name, call := range m.ModuleCalls {
			walk(prefix+"module."+name+".", call.Module)
		}
	}
	walk("", e.config.RootModule)
}

// ignoredChanges reports a gdpr_* resource whose configuration sets an argument to a constant that the
// plan does not take. Terraform makes a provider's planned value equal the configured one, so the only way
// they can differ is lifecycle { ignore_changes }, which the plan's JSON does not show itself. Arguments
// set from references or functions are not constants in the plan's JSON and cannot be compared; a
// write-only argument is always null in the plan and is left out.
func (e *evaluator) ignoredChanges(p pending, res configResource) {
	var ignored []string
	for name, expr := range res.expressions {
		var ce struct {
			ConstantValue json.RawMessage `json:"constant_value"`
		}
		if json.Unmarshal(expr, &ce) != nil || len(ce.ConstantValue) == 0 || string(ce.ConstantValue) == "null" {
			continue
		}
		planned, ok := p.after[name]
		if !ok || string(planned) == "null" || string(p.unknown[name]) == "true" {
			continue
		}
		if !sameJSON(ce.ConstantValue, planned) {
			ignored = append(ignored, name)
		}
	}
	if len(ignored) == 0 {
		return
	}
	slices.Sort(ignored)
	e.add(RuleIgnoreChanges, p.address, fmt.Sprintf("%s's configuration sets %s, but the plan keeps "+
		"the value it had: lifecycle { ignore_changes } hides the change, so the resource would no longer be "+
		"what its configuration says, against the replace-only rule. Remove ignore_changes and let the "+
		"change replace the resource.", p.address, strings.Join(ignored, ", ")))
}

// expectDelim reads the next token and fails unless it is d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("expected %q, found %v", d, tok)
	}
	return nil
}

// skip reads past the next value, token by token, so that a large value such as prior_state is never held.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}
