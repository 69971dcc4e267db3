resource "gdpr_key" "disks" {
  description = "Encrypts the disks of the CRM servers"
}

# The boot script may hold secrets. It is a write-only argument (Terraform 1.11
# and later): it reaches EC2, but never the plan or the state. An ephemeral
# variable keeps it out of the plan file too.
variable "crm_bootstrap" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "gdpr_server" "crm" {
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.medium"
  kms_key_arn   = gdpr_key.disks.arn

  subnet_id          = "subnet-0123456789abcdef0"
  security_group_ids = ["sg-0123456789abcdef0"]

  root_volume_size_gb = 20
  root_volume_type    = "gp3"

  user_data = var.crm_bootstrap

  tags = {
    data-category = "customer-records"
  }
}
