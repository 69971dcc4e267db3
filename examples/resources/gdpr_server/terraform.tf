# Names the provider's source so that `terraform validate` finds the local build
# through dev_overrides. The documentation shows only the other files. The
# example sets a write-only argument and an ephemeral variable, which need
# Terraform 1.11 or later.
terraform {
  required_version = ">= 1.11"

  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
