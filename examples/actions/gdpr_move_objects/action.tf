resource "gdpr_key" "records" {
  description = "Encrypts the customer records bucket"
}

resource "gdpr_bucket" "records" {
  bucket          = "example-customer-records"
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 365
}

# The customer records a script once wrote into a bucket of its own, which has
# none of the provider's guarantees. Move them into the compliant bucket with
#   terraform apply -invoke=action.gdpr_move_objects.legacy_records
# Each object is copied under the gdpr_key, verified, and only then erased,
# with every version and delete marker, from the legacy bucket, which stays,
# empty, for its owner to delete.
action "gdpr_move_objects" "legacy_records" {
  config {
    from = "crm-export-2019"
    to   = gdpr_bucket.records.bucket
  }
}

# Copy only one prefix, and leave the source as it is, to check the copies
# before moving the rest.
action "gdpr_move_objects" "try_invoices" {
  config {
    from         = "crm-export-2019"
    to           = gdpr_bucket.records.bucket
    prefix       = "invoices/"
    erase_source = false
  }
}
