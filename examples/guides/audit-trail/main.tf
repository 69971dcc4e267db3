variable "audit_webhook_secret" {
  type        = string
  description = "Key of the webhook's HMAC-SHA256 signature; set TF_VAR_audit_webhook_secret."
  sensitive   = true
  default     = null
}

provider "gdpr" {
  region = "eu-central-1"

  audit = {
    # One JSON line per create and delete, hash-chained; verify with
    # terraform-provider-gdpr audit verify audit.jsonl
    path = "${path.root}/audit.jsonl"

    # A signed copy of each event, which survives ephemeral CI and Terraform Cloud runners.
    # Events it does not accept wait in audit.jsonl.outbox for the next run.
    webhook_url    = "https://audit.example.com/gdpr/events"
    webhook_secret = var.audit_webhook_secret

    # Signs every event with ed25519; verify with
    # terraform-provider-gdpr audit verify audit.jsonl --public-key audit-signing.pub.pem
    signing_key_file = "${path.root}/audit-signing.pem"
  }
}

resource "gdpr_key" "customer_data" {
  description = "Customer records"
}
