# Names the provider's source so that `terraform validate` finds the local build
# through dev_overrides. The documentation shows only the other files.
terraform {
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
