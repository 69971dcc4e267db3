variable "region" {
  type        = string
  description = "AWS region that will hold the customer records."
  default     = "eu-central-1"

  validation {
    # Variable validation cannot read data sources; a provider function works here.
    condition     = provider::gdpr::jurisdiction("aws", var.region) == "EU"
    error_message = "Customer records must stay in an EU member state."
  }
}

output "jurisdiction" {
  value = provider::gdpr::jurisdiction("azure", "norwayeast") # "EEA"
}
