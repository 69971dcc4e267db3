resource "gdpr_key" "example" {
  description = "Encrypts the customer database"

  # After `terraform destroy`, the key material is deleted after this many
  # days, and everything encrypted under the key becomes unrecoverable.
  deletion_window_days = 30
  rotation_period_days = 365

  tags = {
    data-category = "customer-records"
  }
}
