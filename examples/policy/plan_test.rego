package gdpr.plan_test

import rego.v1

import data.gdpr.plan

# The plan of testdata/raw_resources/main.tf.txt, made by the real hashicorp/aws and gdpr providers.
test_raw_personal_data_resources_are_denied if {
	denied := plan.deny with input as data.testdata.raw_resources
	count(denied) == 3
	some a in denied
	startswith(a, "aws_s3_bucket.customer_exports is tagged \"gdpr-personal-data\"")
	contains(a, "use gdpr_bucket")
	some b in denied
	startswith(b, "aws_kms_key.customer_exports ")
	some c in denied
	startswith(c, "aws_instance.crm ")
	contains(c, "use gdpr_server")
}

# The plan of testdata/raw_database/main.tf.txt, made by the real hashicorp/aws provider: the tagged database
# keeps every setting gdpr_database guarantees and is denied all the same; the untagged one is allowed.
test_raw_database_of_a_real_plan_is_denied if {
	plan.violations == {{
		"rule": "personal-data-outside-gdpr", "address": "aws_db_instance.customers",
		"message": "aws_db_instance.customers is tagged \"gdpr-personal-data\" as holding personal data: use gdpr_database from the gdpr provider, which is replace-only and enforces residency, encryption and retention, instead of aws_db_instance",
	}} with input as data.testdata.raw_database
}

test_untagged_and_gdpr_resources_are_allowed if {
	denied := plan.deny with input as data.testdata.raw_resources
	every msg in denied {
		not contains(msg, "build_artifacts")
		not startswith(msg, "gdpr_")
	}
}

test_destroying_a_tagged_raw_resource_is_allowed if {
	destroy := {"resource_changes": [{
		"address": "aws_s3_bucket.old",
		"type": "aws_s3_bucket",
		"change": {"actions": ["delete"], "after": null},
	}]}
	count(plan.deny) == 0 with input as destroy
}

test_default_tags_count if {
	tagged := {"resource_changes": [{
		"address": "aws_kms_key.k",
		"type": "aws_kms_key",
		"change": {"actions": ["create"], "after": {"tags": null, "tags_all": {"gdpr-personal-data": "hr"}}},
	}]}
	count(plan.deny) == 1 with input as tagged
}

test_move_data_replacement_must_create_first if {
	denied := plan.deny with input as {"resource_changes": [bucket_replacement(["delete", "create"])]}
	denied == {"gdpr_bucket.records would be deleted before the bucket that replaces it exists, so its data has nowhere to move: add lifecycle { create_before_destroy = true }"}
	count(plan.deny) == 0 with input as {"resource_changes": [bucket_replacement(["create", "delete"])]}
}

bucket_replacement(actions) := {
	"address": "gdpr_bucket.records",
	"type": "gdpr_bucket",
	"change": {"actions": actions, "after": {"on_replace": "move_data"}},
}

test_in_place_update_of_a_gdpr_resource_is_denied if {
	update := {"resource_changes": [{
		"address": "gdpr_key.k", "mode": "managed", "type": "gdpr_key",
		"change": {"actions": ["update"], "before": {"description": "a", "deletion_window_days": 7}, "after": {"description": "b", "deletion_window_days": 30}},
	}]}
	plan.violations == {{"rule": "gdpr-in-place-update", "address": "gdpr_key.k", "message": "gdpr_key.k would be updated in place (description): gdpr_* resources are replace-only"}} with input as update
}

test_update_of_destroy_only_arguments_is_allowed if {
	update := {"resource_changes": [{
		"address": "gdpr_bucket.b", "mode": "managed", "type": "gdpr_bucket",
		"change": {"actions": ["update"], "before": {"bucket": "b", "force_destroy": false}, "after": {"bucket": "b", "force_destroy": true}},
	}]}
	count(plan.deny) == 0 with input as update
}

test_forgetting_personal_data_is_denied if {
	forget := {"resource_changes": [
		{"address": "gdpr_key.k", "mode": "managed", "type": "gdpr_key", "change": {"actions": ["forget"], "before": {}, "after": null}},
		{"address": "google_sql_database_instance.d", "mode": "managed", "type": "google_sql_database_instance", "change": {"actions": ["forget"], "before": {"labels": {"gdpr-personal-data": "x"}}, "after": null}},
		{"address": "google_sql_database_instance.other", "mode": "managed", "type": "google_sql_database_instance", "change": {"actions": ["forget"], "before": {"labels": {}}, "after": null}},
	]}
	{v.address | some v in plan.violations; v.rule == "forget-personal-data"} == {"gdpr_key.k", "google_sql_database_instance.d"} with input as forget
}

test_in_place_update_of_tagged_resource_is_denied if {
	update := {"resource_changes": [{
		"address": "azurerm_mssql_database.d", "mode": "managed", "type": "azurerm_mssql_database",
		"change": {"actions": ["update"], "before": {"sku_name": "S0", "tags": {"gdpr-personal-data": ""}}, "after": {"sku_name": "S1", "tags": {"gdpr-personal-data": ""}}},
	}]}
	{v.rule | some v in plan.violations} == {"personal-data-in-place-update"} with input as update
}

# An aws_db_instance holds personal data like a bucket: tagged, it is denied whatever its settings, and
# the message names gdpr_database, which keeps every guarantee (encryption under the configured key, no
# public access, deletion protection, no automatic minor upgrades, a password RDS manages, IAM
# authentication, tags on snapshots, bounded backups) and carries the data through a replacement.
database(actions, before, after) := {"resource_changes": [{
	"address": "aws_db_instance.customers", "mode": "managed", "type": "aws_db_instance",
	"change": {"actions": actions, "before": before, "after": after},
}]}

compliant_database(tags) := {
	"identifier": "customers", "engine": "postgres", "engine_version": "17.4", "region": "eu-central-1",
	"storage_encrypted": true, "kms_key_id": "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
	"publicly_accessible": false, "deletion_protection": true, "auto_minor_version_upgrade": false,
	"manage_master_user_password": true, "password": null, "iam_database_authentication_enabled": true,
	"copy_tags_to_snapshot": true, "backup_retention_period": 14, "tags": tags, "tags_all": tags,
}

test_tagged_raw_database_is_denied if {
	denied := plan.violations with input as database(["create"], null, compliant_database({"gdpr-personal-data": "customers"}))
	denied == {{
		"rule": "personal-data-outside-gdpr", "address": "aws_db_instance.customers",
		"message": "aws_db_instance.customers is tagged \"gdpr-personal-data\" as holding personal data: use gdpr_database from the gdpr provider, which is replace-only and enforces residency, encryption and retention, instead of aws_db_instance",
	}}
}

test_raw_database_tagged_through_default_tags_is_denied if {
	after := object.union(compliant_database(null), {"tags_all": {"gdpr-personal-data": ""}})
	{v.rule | some v in plan.violations} == {"personal-data-outside-gdpr"} with input as database(["create"], null, after)
}

test_untagged_raw_database_is_allowed if {
	count(plan.violations) == 0 with input as database(["create"], null, compliant_database({"team": "crm"}))
}

test_tagged_raw_database_updated_in_place_is_denied if {
	tags := {"gdpr-personal-data": "customers"}
	before := compliant_database(tags)
	after := object.union(before, {"engine_version": "17.5"})
	{v.rule | some v in plan.violations} == {"personal-data-in-place-update", "personal-data-outside-gdpr"} with input as database(["update"], before, after)
}

test_tagged_raw_database_replaced_is_denied if {
	tags := {"gdpr-personal-data": "customers"}
	before := compliant_database(tags)
	after := object.union(before, {"engine": "mysql"})
	{v.rule | some v in plan.violations} == {"personal-data-outside-gdpr"} with input as database(["delete", "create"], before, after)
}

test_destroying_a_tagged_raw_database_is_allowed if {
	count(plan.violations) == 0 with input as database(["delete"], compliant_database({"gdpr-personal-data": "customers"}), null)
}

test_forgetting_a_tagged_raw_database_is_denied if {
	forget := database(["forget"], compliant_database({"gdpr-personal-data": "customers"}), null)
	{v.rule | some v in plan.violations} == {"forget-personal-data"} with input as forget
}
