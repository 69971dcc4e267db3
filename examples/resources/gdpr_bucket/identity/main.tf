# The bucket the import block adopts. The documentation shows only the import block.
resource "gdpr_key" "customer_records" {
  description = "Encrypts the customer records bucket"
}

resource "gdpr_bucket" "customer_records" {
  bucket          = "example-customer-records"
  kms_key_arn     = gdpr_key.customer_records.arn
  expiration_days = 365
}
