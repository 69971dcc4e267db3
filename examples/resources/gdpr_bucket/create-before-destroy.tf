# A generated name lets Terraform create the replacement bucket before it
# destroys the old one, so data can be copied across in between.
resource "gdpr_bucket" "invoices" {
  bucket_prefix   = "example-invoices-"
  kms_key_arn     = gdpr_key.customer_records.arn
  expiration_days = 3650

  lifecycle {
    create_before_destroy = true
  }
}
