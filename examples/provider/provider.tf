terraform {
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}

# Credentials are not written here. Leave access_key and secret_key unset and the
# provider uses the AWS SDK's default credential chain: the AWS_* environment
# variables, the shared configuration and credentials files (select a profile
# with `profile` or AWS_PROFILE), web identity tokens, or instance metadata.
provider "gdpr" {
  region = "eu-central-1"

  # Personal data may be placed in the EEA and in countries with a full EU
  # adequacy decision, such as Switzerland or the United Kingdom. Any gdpr_*
  # resource in a region outside these fails at plan time.
  allowed_jurisdictions = ["EEA", "ADEQUACY"]
}
