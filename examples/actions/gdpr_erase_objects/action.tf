resource "gdpr_key" "records" {
  description = "Encrypts the customer records bucket"
}

resource "gdpr_bucket" "records" {
  bucket          = "example-customer-records"
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 365
}

# Customer 4711 asked to be forgotten (GDPR Art. 17): erase every version and
# delete marker of their objects with
#   terraform apply -invoke=action.gdpr_erase_objects.subject_4711
action "gdpr_erase_objects" "subject_4711" {
  config {
    bucket = gdpr_bucket.records.bucket
    prefix = "customers/4711/"
  }
}

# Objects whose keys are known one by one are erased by key.
action "gdpr_erase_objects" "subject_4712" {
  config {
    bucket = gdpr_bucket.records.bucket
    keys = [
      "invoices/2025/4712-0001.pdf",
      "invoices/2025/4712-0002.pdf",
    ]
  }
}
