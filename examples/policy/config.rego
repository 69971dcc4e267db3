# Rules for Terraform configuration parsed from HCL, as conftest's hcl2 parser presents it
# (conftest test --parser hcl2 *.tf). A plan's JSON does not carry lifecycle settings, so this check needs
# the configuration itself.
package gdpr.config

import rego.v1

# lifecycle { ignore_changes } on a gdpr resource would let a changed argument go unapplied, which breaks
# the replace-only guarantee: the configuration would no longer say what is deployed.
deny contains msg if {
	some type, resources in input.resource
	startswith(type, "gdpr_")
	some name, blocks in resources
	some block in as_list(blocks)
	some lifecycle in as_list(block.lifecycle)
	lifecycle.ignore_changes
	msg := sprintf("%s.%s sets lifecycle.ignore_changes: resources of the gdpr provider are replace-only, so a change must be applied by a replacement, never ignored", [type, name])
}

as_list(x) := x if is_array(x)

as_list(x) := [x] if not is_array(x)

# A gdpr_bucket with on_replace = "move_data" moves its objects to the bucket that replaces it, which must
# exist first and have a name of its own: the move needs create_before_destroy and bucket_prefix. Without
# them the provider refuses the replacement (with nothing touched); this finds it before any plan.
deny contains msg if {
	some name, blocks in input.resource.gdpr_bucket
	some block in as_list(blocks)
	block.on_replace == "move_data"
	not create_before_destroy(block)
	msg := sprintf("gdpr_bucket.%s sets on_replace = \"move_data\" without lifecycle { create_before_destroy = true }: Terraform would delete the old bucket before the new one exists, and the provider would refuse", [name])
}

deny contains msg if {
	some name, blocks in input.resource.gdpr_bucket
	some block in as_list(blocks)
	block.on_replace == "move_data"
	not block.bucket_prefix
	msg := sprintf("gdpr_bucket.%s sets on_replace = \"move_data\" without bucket_prefix: S3 bucket names are unique, so the bucket that receives the data needs a generated name", [name])
}

create_before_destroy(block) if {
	some lifecycle in as_list(block.lifecycle)
	lifecycle.create_before_destroy == true
}
