# What to write, instead of the generated import, for a non-compliant bucket
# holding data that the query found: here "crm-export-2019", made by a script.
# Its name cannot change, so it cannot be replaced in place with its data. A
# new compliant bucket takes its objects instead, in the apply that creates it.
resource "gdpr_key" "records" {
  description = "Encrypts the customer records moved out of crm-export-2019"
}

resource "gdpr_bucket" "records" {
  bucket_prefix   = "customer-records-"
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 365
}

# Fires once, after the new bucket exists: a resource's own trigger cannot
# refer to the bucket name that bucket_prefix generates, so terraform_data
# (built into Terraform) carries it.
resource "terraform_data" "fill_records" {
  input = gdpr_bucket.records.bucket

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_move_objects.crm_export]
    }
  }
}

# Each object is copied under the gdpr_key, verified by checksum, and only then
# erased, with every version and delete marker, from crm-export-2019, which is
# left empty for its owner to delete. If the apply stops half-way, invoke it
# again: terraform apply -invoke=action.gdpr_move_objects.crm_export
action "gdpr_move_objects" "crm_export" {
  config {
    from = "crm-export-2019"
    to   = gdpr_bucket.records.bucket
  }
}
