# The database the import block adopts. The documentation shows only the import block.
resource "gdpr_key" "customers" {
  description = "Encrypts the customer database"
}

resource "gdpr_database" "example" {
  identifier            = "customers"
  engine                = "postgres"
  engine_version        = "17.4"
  instance_class        = "db.t4g.medium"
  allocated_storage_gib = 50
  kms_key_arn           = gdpr_key.customers.arn
  backup_retention_days = 14
  on_replace            = "move_data"
}
