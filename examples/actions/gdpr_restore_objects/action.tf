resource "gdpr_key" "records" {
  description = "Encrypts the customer records bucket"
}

resource "gdpr_bucket" "records" {
  bucket          = "example-customer-records"
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 365
}

# Ransomware overwrote the invoices from 09:31 UTC on. First see what a
# restore to the last moment before it would do, without writing anything:
#   terraform apply -invoke=action.gdpr_restore_objects.invoices \
#     -var='restore_to=2026-12-01T09:30:00Z' -var='dry_run=true'
# then restore:
#   terraform apply -invoke=action.gdpr_restore_objects.invoices \
#     -var='restore_to=2026-12-01T09:30:00Z'
action "gdpr_restore_objects" "invoices" {
  config {
    bucket  = gdpr_bucket.records.bucket
    prefix  = "invoices/"
    to_time = var.restore_to
    dry_run = var.dry_run
  }
}

variable "restore_to" {
  description = "The moment to return the objects to, in RFC 3339 (UTC)."
  type        = string
  default     = "2026-12-01T09:30:00Z"
}

variable "dry_run" {
  description = "Whether the restore only reports what it would do."
  type        = bool
  default     = false
}
