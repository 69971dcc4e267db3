# Import a KMS key by its key id. The key must be a single-region symmetric
# encryption key with automatic rotation enabled.
terraform import gdpr_key.example 1234abcd-12ab-34cd-56ef-1234567890ab
