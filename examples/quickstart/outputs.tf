output "key_id" {
  description = "The id of the KMS key."
  value       = gdpr_key.customer_records.id
}

output "key_arn" {
  description = "The ARN of the KMS key."
  value       = gdpr_key.customer_records.arn
}

output "key_jurisdiction" {
  description = "The jurisdiction the key is held in."
  value       = gdpr_key.customer_records.jurisdiction
}

output "region" {
  description = "Where the region keeps data and whether the policy allows it."
  value = {
    country      = data.gdpr_region.current.country
    jurisdiction = data.gdpr_region.current.jurisdiction
    allowed      = data.gdpr_region.current.allowed
    reason       = data.gdpr_region.current.reason
  }
}

output "bucket" {
  description = "The name of the bucket holding the customer records."
  value       = gdpr_bucket.customer_records.bucket
}

output "retention" {
  description = "Whether the bucket's retention is within the policy."
  value = {
    expiration_days = data.gdpr_retention.customer_records.expiration_days
    compliant       = data.gdpr_retention.customer_records.compliant
    reason          = data.gdpr_retention.customer_records.reason
  }
}

output "server" {
  description = "The server, its private address and the key that encrypts its disk."
  value = {
    id          = gdpr_server.app.id
    private_ip  = gdpr_server.app.private_ip
    kms_key_arn = gdpr_server.app.kms_key_arn
  }
}
