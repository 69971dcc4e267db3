list "gdpr_key" "all" {
  provider         = gdpr
  include_resource = true
  config {
    # Matched against the key's description.
    name_prefix = "customer records"
  }
}
