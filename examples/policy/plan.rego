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
