# Names the provider's source so that `terraform validate -query` finds the local
# build through dev_overrides, and the Terraform that list blocks need. The
# documentation shows only the query file.
terraform {
  required_version = ">= 1.14"
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}
