# A configuration for a local AWS emulator such as moto_server. `make demo`
# applies it; to run it by hand, see the README.
terraform {
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}

provider "gdpr" {
  region = var.region

  # The emulator accepts any credentials. Against AWS, leave these unset and
  # let the SDK's default credential chain find real ones.
  access_key = "test"
  secret_key = "test"

  endpoints = {
    kms = var.endpoint
    s3  = var.endpoint
    ec2 = var.endpoint
    sts = var.endpoint
    rds = var.endpoint
  }

  # The emulator answers sts:GetCallerIdentity, so the credentials are checked
  # as they would be against AWS.
  skip_credentials_validation = false

  allowed_jurisdictions = ["EEA"]
}

resource "gdpr_key" "customer_records" {
  description          = var.key_description
  deletion_window_days = 7

  tags = {
    purpose = "quickstart"
  }
}

# Customer records are kept for a year at most, encrypted under the key above.
# Destroying the key later makes every copy unreadable (crypto-shredding).
resource "gdpr_bucket" "customer_records" {
  bucket_prefix   = "quickstart-records-"
  kms_key_arn     = gdpr_key.customer_records.arn
  expiration_days = var.retention_days
  force_destroy   = true

  tags = {
    purpose = "quickstart"
  }
}

data "gdpr_retention" "customer_records" {
  bucket       = gdpr_bucket.customer_records.bucket
  minimum_days = 30
}

data "gdpr_region" "current" {
  region = var.region
}
