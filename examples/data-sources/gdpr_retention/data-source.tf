variable "log_retention_days" {
  description = "How long the application logs are kept."
  type        = number
  default     = 400
}

# Tax records must be kept for at least seven years, and no longer than the
# provider's max_retention_days.
data "gdpr_retention" "logs" {
  days         = var.log_retention_days
  minimum_days = 7 * 365
}

# Any bucket, made by this provider or another tool, can be checked too.
data "gdpr_retention" "exports" {
  bucket = "example-analytics-exports"
}

check "exports_retention" {
  assert {
    condition     = data.gdpr_retention.exports.compliant
    error_message = data.gdpr_retention.exports.reason
  }
}

resource "terraform_data" "log_pipeline" {
  input = var.log_retention_days

  lifecycle {
    precondition {
      condition     = data.gdpr_retention.logs.compliant
      error_message = data.gdpr_retention.logs.reason
    }
  }
}
