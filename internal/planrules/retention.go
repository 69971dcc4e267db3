package planrules

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// period is one retention a resource's planned settings show: how many days, and which setting says so;
// noncurrent is, for an expiration of versioned objects, how many days each version is kept after it.
type period struct {
	days       int64
	noncurrent *int64
	setting    string
}

// retentionReaders read the retention settings of the resources that have them. Each returns the periods
// after which data is deleted or until which it is locked; a setting that is unknown or unset is left out,
// since only what the plan shows can be checked.
var retentionReaders = map[string]func(after map[string]any) []period{
	"aws_s3_bucket_lifecycle_configuration": func(after map[string]any) []period {
		var out []period
		for _, rule := range list(after["rule"]) {
			if str(rule["status"]) != "Enabled" {
				continue
			}
			// A rule that expires both current objects and noncurrent versions keeps a version up to the
			// sum, which the policy judges as it judges a gdpr_bucket's expiration_days and
			// noncurrent_version_days.
			var expirations, noncurrent []period
			for _, exp := range list(rule["expiration"]) {
				expirations = appendDays(expirations, exp["days"], 1, "rule.expiration.days")
			}
			for _, exp := range list(rule["noncurrent_version_expiration"]) {
				noncurrent = appendDays(noncurrent, exp["noncurrent_days"], 1, "rule.noncurrent_version_expiration.noncurrent_days")
			}
			if len(expirations) == 1 && len(noncurrent) == 1 {
				expirations[0].noncurrent = &noncurrent[0].days
				expirations[0].setting += " and " + noncurrent[0].setting
				noncurrent = nil
			}
			out = append(append(out, expirations...), noncurrent...)
		}
		return out
	},
	"aws_s3_bucket_object_lock_configuration": func(after map[string]any) []period {
		var out []period
		for _, rule := range list(after["rule"]) {
			for _, ret := range list(rule["default_retention"]) {
				out = appendDays(out, ret["days"], 1, "rule.default_retention.days")
				out = appendDays(out, ret["years"], 365, "rule.default_retention.years")
			}
		}
		return out
	},
	// RDS keeps automated backups for backup_retention_period days (0 turns them off, which keeps none); the
	// backups hold the database's personal data as long as the database itself.
	"aws_db_instance": func(after map[string]any) []period {
		return appendDays(nil, after["backup_retention_period"], 1, "backup_retention_period")
	},
	"google_storage_bucket": func(after map[string]any) []period {
		var out []period
		for _, rule := range list(after["lifecycle_rule"]) {
			deletes := false
			for _, a := range list(rule["action"]) {
				deletes = deletes || str(a["type"]) == "Delete"
			}
			if !deletes {
				continue
			}
			for _, cond := range list(rule["condition"]) {
				out = appendDays(out, cond["age"], 1, "lifecycle_rule.condition.age")
			}
		}
		for _, rp := range list(after["retention_policy"]) {
			if secs, ok := rp["retention_period"].(float64); ok && secs > 0 {
				out = append(out, period{days: int64(math.Ceil(secs / 86400)), setting: "retention_policy.retention_period"})
			}
		}
		return out
	},
	"azurerm_storage_management_policy": func(after map[string]any) []period {
		var out []period
		for _, rule := range list(after["rule"]) {
			if enabled, ok := rule["enabled"].(bool); ok && !enabled {
				continue
			}
			for _, act := range list(rule["actions"]) {
				for _, blob := range list(act["base_blob"]) {
					for _, k := range []string{"delete_after_days_since_modification_greater_than",
						"delete_after_days_since_creation_greater_than", "delete_after_days_since_last_access_time_greater_than"} {
						out = appendDays(out, blob[k], 1, "rule.actions.base_blob."+k)
					}
				}
			}
		}
		return out
	},
}

// retention checks each period a resource's settings show against max_retention_days through
// policy.Retention, as gdpr_bucket and the gdpr_retention data source do.
func (e *evaluator) retention(c *change, after map[string]json.RawMessage) {
	read, ok := retentionReaders[c.Type]
	if !ok || after == nil {
		return
	}
	var values map[string]any
	if json.Unmarshal(c.Change.After, &values) != nil {
		return
	}
	for _, p := range read(values) {
		days := p.days
		d := policy.Retention(policy.RetentionInput{ExpirationDays: &days, NoncurrentDays: p.noncurrent, MaxDays: e.cfg.MaxRetentionDays})
		if d.Allowed {
			continue
		}
		e.add(RuleRetention, c.Address, fmt.Sprintf("%s (%s): %s", c.Address, p.setting, d.Reason))
	}
}

func list(v any) []map[string]any {
	items, _ := v.([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// appendDays adds a number of days (times unit) when the setting is set: providers plan an unset number as
// null, 0 or, in azurerm, -1.
func appendDays(out []period, v any, unit int64, setting string) []period {
	n, ok := v.(float64)
	if !ok || n <= 0 {
		return out
	}
	return append(out, period{days: int64(n) * unit, setting: setting})
}
