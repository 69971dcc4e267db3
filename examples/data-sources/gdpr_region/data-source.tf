# A module that stores personal data in a region its caller chooses. The region
# can belong to any cloud; gdpr_region only reports where it is and whether the
# gdpr provider's allowed_jurisdictions admit it.
variable "storage_region" {
  type        = string
  description = "Azure region that will hold the customer records."
  default     = "germanywestcentral"
}

data "gdpr_region" "storage" {
  cloud  = "azure"
  region = var.storage_region
}

# Resources that hold the data depend on this one, so none of them is created
# when the precondition fails, and the failure shows at plan time.
resource "terraform_data" "residency" {
  input = data.gdpr_region.storage.jurisdiction

  lifecycle {
    precondition {
      condition     = data.gdpr_region.storage.allowed
      error_message = "Customer records cannot be stored in ${var.storage_region}: ${data.gdpr_region.storage.reason}"
    }
  }
}

output "storage_country" {
  value = "${data.gdpr_region.storage.country} (${data.gdpr_region.storage.jurisdiction})"
}
