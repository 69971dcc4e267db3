package planrules

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
)

// placement is where a planned resource keeps its data, as its attributes say.
type placement struct {
	cloud, region, attr string
}

// placementOf reads the region of an aws_* resource (hashicorp/aws 6 plans one on every regional resource),
// the location of an azurerm_* resource, and the region, location or zone of a google_* resource. found is
// false when the resource has none of them or the value is unknown until apply.
func placementOf(typ string, after, unknown map[string]json.RawMessage) (p placement, found bool) {
	var cloud string
	var attrs []string
	switch {
	case strings.HasPrefix(typ, "aws_"):
		cloud, attrs = "aws", []string{"region"}
	case strings.HasPrefix(typ, "azurerm_"):
		cloud, attrs = "azure", []string{"location"}
	case strings.HasPrefix(typ, "google_"):
		cloud, attrs = "gcp", []string{"region", "location", "zone"}
	default:
		return placement{}, false
	}
	for _, attr := range attrs {
		if string(unknown[attr]) == "true" {
			return placement{}, false
		}
		var v string
		if json.Unmarshal(after[attr], &v) != nil || v == "" {
			continue
		}
		return placement{cloud: cloud, region: normaliseRegion(cloud, attr, v), attr: attr}, true
	}
	return placement{cloud: cloud}, false
}

// normaliseRegion turns a value as the providers accept it into the region name the clouds use: azurerm
// takes "West Europe" for westeurope, google takes EUROPE-WEST3 for a bucket's location, and a zone such
// as europe-west3-a lies in region europe-west3.
func normaliseRegion(cloud, attr, v string) string {
	switch cloud {
	case "azure":
		return strings.ToLower(strings.ReplaceAll(v, " ", ""))
	case "gcp":
		v = strings.ToLower(v)
		if attr == "zone" {
			if i := strings.LastIndexByte(v, '-'); i > 0 && len(v)-i == 2 {
				return v[:i]
			}
		}
		return v
	}
	return v
}

func (e *evaluator) residency(c *change, after, unknown map[string]json.RawMessage) {
	p, found := placementOf(c.Type, after, unknown)
	if !found {
		if p.cloud == "aws" && !isUnknown(unknown, "region") {
			e.wait(pending{address: c.Address, configKey: configKey(c), typ: c.Type})
		}
		return
	}
	var sensitive map[string]json.RawMessage
	_ = json.Unmarshal(c.Change.AfterSensitive, &sensitive)
	e.checkPlacement(c.Address, p, string(sensitive[p.attr]) == "true", "")
}

// providerRegion checks an aws_* resource without a region attribute (hashicorp/aws before 6, or a global
// service) by its provider block's region, when that is a constant in the configuration.
func (e *evaluator) providerRegion(p pending, res configResource) {
	if e.config == nil {
		return
	}
	pc, ok := e.config.ProviderConfig[res.providerKey]
	if !ok {
		// A resource in a module names its provider block module.NAME:aws when the module has its own,
		// and the root module's key otherwise; fall back to the root one.
		if i := strings.LastIndexByte(res.providerKey, ':'); i >= 0 {
			pc, ok = e.config.ProviderConfig[res.providerKey[i+1:]]
		}
		if !ok {
			return
		}
	}
	var ce struct {
		ConstantValue string `json:"constant_value"`
	}
	if json.Unmarshal(pc.Expressions["region"], &ce) != nil || ce.ConstantValue == "" {
		return
	}
	e.checkPlacement(p.address, placement{cloud: "aws", region: ce.ConstantValue, attr: "region"}, false,
		" (the region of its provider block, since the resource has no region attribute)")
}

// checkPlacement decides residency through policy.Residency, as the provider does, and reports a region
// the jurisdiction data does not know as a finding too: the data's rule is to fail rather than guess a
// country. A value the plan marks sensitive is not repeated.
func (e *evaluator) checkPlacement(address string, p placement, sensitive bool, from string) {
	if p.region == "global" {
		// Global services (a DNS zone, a global load balancer address) keep no data in one region.
		return
	}
	r, err := jurisdiction.Lookup(p.cloud, p.region)
	if err != nil {
		what := err.Error()
		if sensitive {
			what = fmt.Sprintf("its %s is sensitive and not a %s region the jurisdiction data knows", p.attr, p.cloud)
		}
		e.add(RuleUnknownRegion, address, fmt.Sprintf("%s%s: %s, so the run task cannot tell which "+
			"country would hold its data and does not allow it. Use a region from the gdpr_region data "+
			"source's list.", address, from, what))
		return
	}
	d := policy.Residency(r, e.cfg.AllowedJurisdictions)
	if d.Allowed {
		return
	}
	reason := d.Reason
	if sensitive {
		reason = fmt.Sprintf("its %s (sensitive, not shown) is outside the policy %v.", p.attr, e.cfg.AllowedJurisdictions)
	}
	e.add(RuleResidency, address, fmt.Sprintf("%s%s: %s", address, from, reason))
}

func isUnknown(unknown map[string]json.RawMessage, attr string) bool {
	return string(unknown[attr]) == "true"
}
