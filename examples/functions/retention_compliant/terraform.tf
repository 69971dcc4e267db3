# Names the provider's source so that `terraform validate` finds the local build
# through dev_overrides. Provider functions need Terraform 1.8 or later.
terraform {
  required_version = ">= 1.8.0"
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
