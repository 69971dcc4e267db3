# A generated name lets Terraform create the replacement bucket before it
# destroys the old one, and on_replace = "move_data" moves the objects across
# in the same apply: changing any argument of a bucket that holds data is then
# one terraform apply.
resource "gdpr_bucket" "invoices" {
  bucket_prefix   = "example-invoices-"
  kms_key_arn     = gdpr_key.customer_records.arn
  expiration_days = 3650
  on_replace      = "move_data"

  lifecycle {
    create_before_destroy = true
  }
}
