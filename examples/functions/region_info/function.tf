locals {
  storage = provider::gdpr::region_info("gcp", "europe-west6")
}

output "storage_country" {
  # "Switzerland (ADEQUACY)"
  value = "${local.storage.country} (${local.storage.jurisdiction})"
}

output "storage_reason" {
  value = local.storage.reason
}
