list "gdpr_bucket" "personal_data" {
  provider         = gdpr
  include_resource = true
  config {
    tags        = { "gdpr-personal-data" = "true" }
    name_prefix = "records-"
  }
}

# Only the buckets that break a guarantee, lie outside the allowed
# jurisdictions or were left half-made by an interrupted apply.
list "gdpr_bucket" "non_compliant" {
  provider = gdpr
  config {
    non_compliant_only = true
  }
}
