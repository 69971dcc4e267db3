# Names the provider's source so that `terraform validate` finds the local build
# through dev_overrides, and the Terraform that has actions. The documentation
# shows only the other files.
terraform {
  required_version = ">= 1.14"

  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
