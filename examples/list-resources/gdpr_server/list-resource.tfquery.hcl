list "gdpr_server" "processing" {
  provider         = gdpr
  include_resource = true
  config {
    name_prefix = "processing-"
    tags        = { "gdpr-personal-data" = "true" }
  }
}
