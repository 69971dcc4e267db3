variable "region" {
  type        = string
  description = "AWS region for the module's personal data; it must be in an EU member state."
  default     = "eu-central-1"

  validation {
    condition     = provider::gdpr::jurisdiction("aws", var.region) == "EU"
    error_message = "The region must be in an EU member state (jurisdiction EU)."
  }
}

variable "retention_days" {
  type        = number
  description = "Days the module keeps records before they expire."
  default     = 365

  validation {
    condition     = provider::gdpr::retention_compliant(var.retention_days, 3650, null)
    error_message = "Records must expire within ten years."
  }
}
