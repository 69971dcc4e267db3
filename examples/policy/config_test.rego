package gdpr.config_test

import rego.v1

import data.gdpr.config

# testdata/ignore_changes holds the hcl2 parse of main.tf.txt beside it.
test_ignore_changes_on_gdpr_resources_is_denied if {
	denied := config.deny with input as data.testdata.ignore_changes
	denied == {"gdpr_bucket.records sets lifecycle.ignore_changes: resources of the gdpr provider are replace-only, so a change must be applied by a replacement, never ignored"}
}

test_other_lifecycle_settings_are_allowed if {
	cfg := {"resource": {"gdpr_key": {"k": [{"lifecycle": [{"prevent_destroy": true}]}]}}}
	count(config.deny) == 0 with input as cfg
}

test_ignore_changes_on_other_providers_is_allowed if {
	cfg := {"resource": {"aws_s3_bucket": {"b": [{"lifecycle": [{"ignore_changes": ["tags"]}]}]}}}
	count(config.deny) == 0 with input as cfg
}

test_move_data_needs_create_before_destroy_and_a_prefix if {
	cfg := {"resource": {"gdpr_bucket": {
		"ok": [{"bucket_prefix": "records-", "on_replace": "move_data", "lifecycle": [{"create_before_destroy": true}]}],
		"no_cbd": [{"bucket_prefix": "records-", "on_replace": "move_data"}],
		"fixed": [{"bucket": "records", "on_replace": "move_data", "lifecycle": [{"create_before_destroy": true}]}],
		"refuse": [{"bucket": "records"}],
	}}}
	denied := config.deny with input as cfg
	denied == {
		"gdpr_bucket.no_cbd sets on_replace = \"move_data\" without lifecycle { create_before_destroy = true }: Terraform would delete the old bucket before the new one exists, and the provider would refuse",
		"gdpr_bucket.fixed sets on_replace = \"move_data\" without bucket_prefix: S3 bucket names are unique, so the bucket that receives the data needs a generated name",
	}
}
