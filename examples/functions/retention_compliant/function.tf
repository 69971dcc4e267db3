variable "log_retention_days" {
  type        = number
  description = "How long access logs with IP addresses are kept."
  default     = 90

  validation {
    # At most a year, and at least the 30 days the incident response needs; null means no minimum.
    condition     = provider::gdpr::retention_compliant(var.log_retention_days, 365, 30)
    error_message = "Access logs must be kept between 30 and 365 days."
  }
}

output "ten_years_ok" {
  value = provider::gdpr::retention_compliant(3650, 3650, null) # true
}
