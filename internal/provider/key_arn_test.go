package provider

// testKeyARN is a well-formed KMS key ARN for the bucket's model tests, which never call KMS.
const testKeyARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
