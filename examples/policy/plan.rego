# Rules for the JSON of a plan (terraform show -json PLANFILE), for OPA or conftest.
# They stop teams from routing personal data around the gdpr provider, and from changing or abandoning a
# store of personal data in place. The run task (terraform-provider-gdpr run-task serve) checks the same
# rules, with the same rule names, and residency and retention besides; a Go test runs both on one table of
# plans.
package gdpr.plan

import rego.v1

# The tag or label key that marks a resource as holding personal data, whatever its value.
personal_data_tag := "gdpr-personal-data"

# The attributes in which the AWS, Azure and Google Cloud providers keep tags and labels.
tag_attributes := {"tags", "tags_all", "labels", "effective_labels", "terraform_labels"}

# The arguments of gdpr_* resources that only govern what the provider does at destroy or replacement: a
# change of one updates the state alone (internal/planrules.DestroyOnly in the provider's source).
destroy_only := {"force_destroy", "deletion_window_days", "on_replace"}

# The raw hashicorp/aws resources and the gdpr resource to use instead.
replacements := {
	"aws_s3_bucket": "gdpr_bucket",
	"aws_kms_key": "gdpr_key",
	"aws_instance": "gdpr_server",
	"aws_db_instance": "gdpr_database",
}

deny contains v.message if some v in violations

violations contains v if {
	some change in input.resource_changes
	instead := replacements[change.type]
	some action in change.change.actions
	action in {"create", "update"}
	tagged_personal(change.change.after)
	v := violation("personal-data-outside-gdpr", change, sprintf(
		"%s is tagged %q as holding personal data: use %s from the gdpr provider, which is replace-only and enforces residency, encryption and retention, instead of %s",
		[change.address, personal_data_tag, instead, change.type],
	))
}

tagged_personal(after) if after.tags[personal_data_tag]

tagged_personal(after) if after.tags_all[personal_data_tag]

# A replacement of a gdpr_bucket with on_replace = "move_data" must create the new bucket before deleting the
# old one, or there is nowhere to move the objects (the provider refuses, with nothing touched). The plan's
# actions say the order: ["create", "delete"] with create_before_destroy, ["delete", "create"] without.
violations contains v if {
	some change in input.resource_changes
	change.type == "gdpr_bucket"
	change.change.actions == ["delete", "create"]
	change.change.after.on_replace == "move_data"
	v := violation("gdpr-move-needs-create-before-destroy", change, sprintf("%s would be deleted before the bucket that replaces it exists, so its data has nowhere to move: add lifecycle { create_before_destroy = true }", [change.address]))
}

# gdpr_* resources are replace-only: an in-place update of anything but a destroy-only argument never comes
# from the gdpr provider's own plan.
violations contains v if {
	some change in managed_changes
	startswith(change.type, "gdpr_")
	change.change.actions == ["update"]
	changed := changed_attributes(change.change)
	count(changed) > 0
	v := violation("gdpr-in-place-update", change, sprintf("%s would be updated in place (%s): gdpr_* resources are replace-only", [change.address, concat(", ", sort(changed))]))
}

# A resource of another provider tagged or labelled as holding personal data is replaced, not updated in place.
violations contains v if {
	some change in managed_changes
	not startswith(change.type, "gdpr_")
	change.change.actions == ["update"]
	holds_personal_data(change.change)
	v := violation("personal-data-in-place-update", change, sprintf("%s is tagged %q as holding personal data and would be updated in place: replace it instead", [change.address, personal_data_tag]))
}

# A store of personal data is destroyed or kept, never forgotten (removed { lifecycle { destroy = false } }):
# forgotten, it keeps running with nothing that manages, audits or erases it.
violations contains v if {
	some change in managed_changes
	"forget" in change.change.actions
	personal_data_store(change)
	v := violation("forget-personal-data", change, sprintf("%s holds personal data and would be forgotten: removed from the state but left running", [change.address]))
}

managed_changes contains change if {
	some change in input.resource_changes
	object.get(change, "mode", "managed") == "managed"
}

personal_data_store(change) if startswith(change.type, "gdpr_")

personal_data_store(change) if {
	not startswith(change.type, "gdpr_")
	holds_personal_data(change.change)
}

holds_personal_data(c) if tagged_in(c.before)

holds_personal_data(c) if tagged_in(c.after)

tagged_in(values) if {
	some attr in tag_attributes
	tags := values[attr]
	is_object(tags)
	personal_data_tag in object.keys(tags)
}

# The top-level attributes an update changes, destroy-only ones left out; a value unknown until apply counts
# as changed, and a missing one as null.
changed_attributes(c) := {k |
	before := object_or_empty(c.before)
	after := object_or_empty(c.after)
	some k in (object.keys(before) | object.keys(after))
	not k in destroy_only
	object.get(before, k, null) != object.get(after, k, null)
} | {k |
	some k, unknown in object_or_empty(object.get(c, "after_unknown", {}))
	unknown == true
	not k in destroy_only
}

object_or_empty(x) := x if is_object(x)

object_or_empty(x) := {} if not is_object(x)

violation(rule, change, message) := {"rule": rule, "address": change.address, "message": message}
