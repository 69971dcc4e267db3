# Import an RDS DB instance by its identifier. One that breaks the guarantees of
# gdpr_database (unencrypted storage, public access, a password not managed by
# RDS) is imported with a warning; with on_replace = "move_data" the next apply
# replaces it and carries the data over.
terraform import gdpr_database.example customers
