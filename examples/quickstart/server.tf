# A server whose root volume is encrypted with the key above: destroying the key
# (crypto-shredding) makes the disk and every snapshot of it unreadable. The
# server has no public IP address, accepts only IMDSv2 tokens, and is replaced,
# never changed, when any argument changes.
resource "gdpr_server" "app" {
  image_id      = var.image_id
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.customer_records.arn

  root_volume_size_gb = 8

  tags = {
    purpose = "quickstart"
  }
}
