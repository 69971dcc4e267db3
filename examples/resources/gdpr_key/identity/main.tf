# The key the import block adopts. The documentation shows only the import block.
resource "gdpr_key" "example" {
  description = "Encrypts the customer database"
}
