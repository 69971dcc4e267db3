# Import a bucket by its name.
terraform import gdpr_bucket.customer_records example-customer-records
