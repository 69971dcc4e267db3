import {
  to = gdpr_bucket.customer_records
  identity = {
    bucket = "example-customer-records"
  }
}
