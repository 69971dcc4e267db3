# Rules for the JSON of a Terraform plan (terraform show -json PLANFILE), for OPA or conftest.
# They stop teams from routing personal data around the gdpr provider.
package gdpr.plan

import rego.v1

# The tag key that marks an AWS resource as holding personal data, whatever its value.
personal_data_tag := "gdpr-personal-data"

# The raw hashicorp/aws resources and the gdpr resource to use instead.
replacements := {
	"aws_s3_bucket": "gdpr_bucket",
	"aws_kms_key": "gdpr_key",
	"aws_instance": "gdpr_server",
}

deny contains msg if {
	some change in input.resource_changes
	instead := replacements[change.type]
	some action in change.change.actions
	action in {"create", "update"}
	tagged_personal(change.change.after)
	msg := sprintf(
		"%s is tagged %q as holding personal data: use %s from the gdpr provider, which is replace-only and enforces residency, encryption and retention, instead of %s",
		[change.address, personal_data_tag, instead, change.type],
	)
}

tagged_personal(after) if after.tags[personal_data_tag]

tagged_personal(after) if after.tags_all[personal_data_tag]

# A replacement of a gdpr_bucket with on_replace = "move_data" must create the new bucket before deleting the
# old one, or there is nowhere to move the objects (the provider refuses, with nothing touched). The plan's
# actions say the order: ["create", "delete"] with create_before_destroy, ["delete", "create"] without.
deny contains msg if {
	some change in input.resource_changes
	change.type == "gdpr_bucket"
	change.change.actions == ["delete", "create"]
	change.change.after.on_replace == "move_data"
	msg := sprintf("%s would be deleted before the bucket that replaces it exists, so its data has nowhere to move: add lifecycle { create_before_destroy = true }", [change.address])
}
