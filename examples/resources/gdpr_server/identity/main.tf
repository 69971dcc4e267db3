# The server the import block adopts. The documentation shows only the import block.
resource "gdpr_key" "disks" {
  description = "Encrypts server disks"
}

resource "gdpr_server" "example" {
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.medium"
  kms_key_arn   = gdpr_key.disks.arn
}
