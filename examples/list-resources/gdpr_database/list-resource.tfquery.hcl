list "gdpr_database" "customer_data" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix        = "customers"
    non_compliant_only = true
  }
}
