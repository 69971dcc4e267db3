locals {
  placement = provider::gdpr::region_info("aws", var.region)
}

# Stands for the module's resources; any provider's resources can use the
# validated variables and the placement details the same way.
resource "terraform_data" "records" {
  input = {
    region         = var.region
    country        = local.placement.country
    retention_days = var.retention_days
  }
}

output "placement" {
  value = local.placement.reason
}
