# Module inputs checked where data sources cannot go: variable validation.
variable "region" {
  type        = string
  description = "AWS region of the database that holds customer records."
  default     = "eu-central-1"

  validation {
    condition     = provider::gdpr::jurisdiction("aws", var.region) == "EU"
    error_message = "Customer records must stay in an EU member state."
  }
}

variable "backup_retention_days" {
  type        = number
  description = "Days the database backups are kept."
  default     = 35

  validation {
    condition     = provider::gdpr::retention_compliant(var.backup_retention_days, 365, 7)
    error_message = "Backups are kept from 7 to 365 days."
  }
}

provider "gdpr" {
  region                      = var.region
  skip_credentials_validation = true
  allowed_jurisdictions       = ["EU"]
}

# The provider's policy, applied to a region of any provider, in a precondition.
data "gdpr_region" "database" {
  region = var.region
}

data "gdpr_retention" "backups" {
  days = var.backup_retention_days
}

# Stands for aws_db_instance.main; see the guide for the hashicorp/aws version.
resource "terraform_data" "database" {
  input = {
    region                  = var.region
    engine_version          = "16.4"
    storage_encrypted       = true
    backup_retention_period = var.backup_retention_days
  }

  lifecycle {
    precondition {
      condition     = data.gdpr_region.database.allowed
      error_message = data.gdpr_region.database.reason
    }
    precondition {
      condition     = data.gdpr_retention.backups.compliant
      error_message = data.gdpr_retention.backups.reason
    }
  }
}

# The database may be replaced, never modified in place.
resource "gdpr_immutable" "database" {
  target_id = terraform_data.database.id
  attributes = {
    engine_version    = terraform_data.database.input.engine_version
    storage_encrypted = tostring(terraform_data.database.input.storage_encrypted)
  }
}
