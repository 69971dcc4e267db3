resource "gdpr_key" "customer_records" {
  description = "Encrypts the customer records bucket"
}

# Customer records are kept for a year at most, and each version is write-once
# for 30 days so that nobody can tamper with or delete a record it holds.
resource "gdpr_bucket" "customer_records" {
  bucket          = "example-customer-records"
  kms_key_arn     = gdpr_key.customer_records.arn
  expiration_days = 365

  object_lock = {
    mode = "GOVERNANCE"
    days = 30
  }

  tags = {
    data_category = "customer"
  }
}
