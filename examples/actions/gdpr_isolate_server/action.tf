resource "gdpr_key" "disks" {
  description = "Encrypts the disks of the CRM servers"
}

# Kept for investigations: the forensic snapshots are encrypted under it, so
# who may read the evidence is decided by this key's policy, not the disks'.
resource "gdpr_key" "forensics" {
  description = "Encrypts forensic snapshots of compromised servers"
}

resource "gdpr_server" "crm" {
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.medium"
  kms_key_arn   = gdpr_key.disks.arn
}

# The CRM server is compromised (incident INC-2026-0042): cut it off from the
# network, keep its disks as evidence and stop it with
#   terraform apply -invoke=action.gdpr_isolate_server.crm
# The next terraform apply replaces it with a clean server; the snapshots stay.
action "gdpr_isolate_server" "crm" {
  config {
    server_id   = gdpr_server.crm.id
    incident_id = "INC-2026-0042"
    kms_key_arn = gdpr_key.forensics.arn
    stop        = true
  }
}
