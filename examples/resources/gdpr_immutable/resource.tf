# A database of another provider, stood in for by Terraform's built-in
# terraform_data so that the example runs anywhere. With hashicorp/aws:
#   target_id  = aws_db_instance.main.id
#   attributes = {
#     engine_version    = aws_db_instance.main.engine_version
#     storage_encrypted = tostring(aws_db_instance.main.storage_encrypted)
#   }
resource "terraform_data" "database" {
  input = {
    engine_version    = "16.4"
    storage_encrypted = true
  }
}

# Fails the plan when the watched values change while the database keeps its
# id (an update in place); follows the database when it is replaced.
resource "gdpr_immutable" "database" {
  target_id = terraform_data.database.id
  attributes = {
    engine_version    = terraform_data.database.input.engine_version
    storage_encrypted = tostring(terraform_data.database.input.storage_encrypted)
  }
}
