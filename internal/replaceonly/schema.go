// Package replaceonly is what makes every gdpr_* resource replace-only: the schema walker that makes every
// configurable attribute force a replacement, and the plan steps each resource's ModifyPlan calls, in its
// own order, by name: Place (residency and placement), then PlanChange (ReplaceMoved, ReplaceDrifted,
// GuardInPlaceUpdate and Replaces); Read records drift with RecordDrift and DriftWarning, telling what an
// import adopted from what changed since with MarkImported, SplitAdopted and AdoptedWarning, and Update
// refuses with RefuseUpdate.
package replaceonly

import (
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/dynamicplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float32planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int32planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/numberplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/planrules"
)

// Schema returns the schema with every configurable attribute, nested ones included, set to require
// replacement, except the top-level arguments in DestroyOnly. Resources pass their schema through it instead of adding modifiers by hand, so an attribute
// added later cannot be forgotten. The modifier is appended last, after any UseStateForUnknown, so an
// optional computed attribute left unset keeps its value instead of planning a replacement every time.
// A write-only attribute gets the modifier too, which the framework accepts but never fires, because the
// value is null in plan and state; the resource must plan a computed <name>_sha256 from the configuration
// instead (see gdpr_server's user_data), and the schema-walking test insists on it.
func Schema(s schema.Schema) schema.Schema {
	s.Attributes = replaceOnlyAttributes(s.Attributes)
	return s
}

// DestroyOnly names the arguments that govern only what the provider itself does when it destroys the
// resource: whether a bucket's objects are erased with it or moved to the bucket that replaces it, how long
// a key's deletion waits. They describe
// nothing stored in the cloud, so a change of one updates the state alone, without any cloud call (see
// UpdateState), and every other configurable attribute forces a replacement. Making them force one would
// leave no way to, say, allow a bucket that holds data to be destroyed.
// The list itself lives in planrules, a package without Terraform imports, so that the run task's plan
// rules allow exactly the in-place updates the provider makes.
var DestroyOnly = planrules.DestroyOnly

// isDestroyOnly reports whether the top-level attribute name is one of DestroyOnly.
func isDestroyOnly(name string) bool { return slices.Contains(DestroyOnly, name) }

func replaceOnlyAttributes(attrs map[string]schema.Attribute) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(attrs))
	for name, a := range attrs {
		if isDestroyOnly(name) {
			out[name] = a
			continue
		}
		out[name] = replaceOnlyAttribute(a)
	}
	return out
}

func replaceOnlyAttribute(a schema.Attribute) schema.Attribute {
	if !a.IsRequired() && !a.IsOptional() {
		return a
	}
	switch a := a.(type) {
	case schema.StringAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), stringplanmodifier.RequiresReplace())
		return a
	case schema.BoolAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), boolplanmodifier.RequiresReplace())
		return a
	case schema.Int64Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), int64planmodifier.RequiresReplace())
		return a
	case schema.Int32Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), int32planmodifier.RequiresReplace())
		return a
	case schema.Float64Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), float64planmodifier.RequiresReplace())
		return a
	case schema.Float32Attribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), float32planmodifier.RequiresReplace())
		return a
	case schema.NumberAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), numberplanmodifier.RequiresReplace())
		return a
	case schema.DynamicAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), dynamicplanmodifier.RequiresReplace())
		return a
	case schema.ListAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), listplanmodifier.RequiresReplace())
		return a
	case schema.SetAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), setplanmodifier.RequiresReplace())
		return a
	case schema.MapAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), mapplanmodifier.RequiresReplace())
		return a
	case schema.ObjectAttribute:
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), objectplanmodifier.RequiresReplace())
		return a
	case schema.SingleNestedAttribute:
		a.Attributes = replaceOnlyAttributes(a.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), objectplanmodifier.RequiresReplace())
		return a
	case schema.ListNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), listplanmodifier.RequiresReplace())
		return a
	case schema.SetNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), setplanmodifier.RequiresReplace())
		return a
	case schema.MapNestedAttribute:
		a.NestedObject.Attributes = replaceOnlyAttributes(a.NestedObject.Attributes)
		a.PlanModifiers = append(slices.Clone(a.PlanModifiers), mapplanmodifier.RequiresReplace())
		return a
	}
	// An attribute kind not handled above is caught by TestReplaceOnly_everyConfigurableAttribute, which
	// walks every resource schema; returning it unchanged keeps the provider from panicking meanwhile.
	return a
}
