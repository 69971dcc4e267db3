resource "gdpr_key" "customers" {
  description = "Encrypts the customer database, its backups and its master password"
}

resource "gdpr_database" "customers" {
  identifier            = "customers"
  engine                = "postgres"
  engine_version        = "17.4"
  instance_class        = "db.t4g.medium"
  allocated_storage_gib = 50
  kms_key_arn           = gdpr_key.customers.arn
  backup_retention_days = 14

  # An existing DB subnet group and security group (for example made with
  # aws_db_subnet_group and aws_security_group); unset, RDS uses the default VPC.
  db_subnet_group_name   = "private"
  vpc_security_group_ids = ["sg-0123456789abcdef0"]

  # A change of any argument (the key included) replaces the database in one
  # apply and carries the data over: final snapshot, copy under the new key,
  # restore. Without it, a plan that would replace the database fails.
  on_replace = "move_data"

  tags = {
    data-category = "customer-records"
  }
}

# Applications read the master password from Secrets Manager; it is never in
# the configuration, the plan or the state.
output "customers_master_secret" {
  value = gdpr_database.customers.master_user_secret_arn
}
