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
