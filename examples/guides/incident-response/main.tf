provider "gdpr" {
  region = "eu-central-1"

  audit = {
    path             = "${path.root}/audit.jsonl"
    signing_key_file = "${path.root}/audit-signing.pem"
  }
}

resource "gdpr_key" "records" {
  description = "Encrypts the customer records"
}

# Overwritten and deleted records stay restorable for two weeks: the window in
# which gdpr_restore_objects can undo an attack found late.
resource "gdpr_bucket" "records" {
  bucket_prefix           = "records-"
  kms_key_arn             = gdpr_key.records.arn
  expiration_days         = 365
  noncurrent_version_days = 14
}

resource "gdpr_server" "crm" {
  image_id      = var.crm_image_id
  instance_type = "t3.medium"
  kms_key_arn   = gdpr_key.records.arn
}

# Kept for investigations: who may read the evidence is decided by this key's
# policy, not by the compromised server's.
resource "gdpr_key" "forensics" {
  description = "Encrypts forensic snapshots of compromised servers"
}

# Contain: terraform apply -invoke=action.gdpr_isolate_server.crm
action "gdpr_isolate_server" "crm" {
  config {
    server_id   = gdpr_server.crm.id
    incident_id = var.incident_id
    kms_key_arn = gdpr_key.forensics.arn
    stop        = true
  }
}

# Recover: terraform apply -invoke=action.gdpr_restore_objects.invoices \
#   -var='restore_to=2026-12-07T12:07:19Z' [-var='dry_run=true']
action "gdpr_restore_objects" "invoices" {
  config {
    bucket  = gdpr_bucket.records.bucket
    prefix  = "invoices/"
    to_time = var.restore_to
    dry_run = var.dry_run
  }
}

variable "crm_image_id" {
  description = "The image the CRM servers are built from."
  type        = string
  default     = "ami-0123456789abcdef0"
}

variable "incident_id" {
  description = "The incident's id in your incident register."
  type        = string
  default     = "INC-2026-0042"
}

variable "restore_to" {
  description = "The last moment before the attack, in RFC 3339 (UTC)."
  type        = string
  default     = "2026-12-07T12:07:19Z"
}

variable "dry_run" {
  description = "Whether the restore only reports what it would do."
  type        = bool
  default     = false
}
