# A module that only accepts EU regions, checked at validate time by a provider
# function. Provider functions need Terraform 1.8 or later.
terraform {
  required_version = ">= 1.8.0"
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
