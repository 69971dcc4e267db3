import {
  to = gdpr_bucket.customer_records
  id = "example-customer-records"
}
