terraform {
  required_providers {
    gdpr = {
      source = "gdpr-immutable/gdpr"
    }
  }
}

# HCP Terraform sets this variable when the workspace has more than one AWS
# dynamic credentials configuration (TFC_AWS_PROVIDER_AUTH_<TAG> and friends).
variable "tfc_aws_dynamic_credentials" {
  description = "Object containing AWS dynamic credentials configuration"
  type = object({
    default = object({
      shared_config_file = string
    })
    aliases = map(object({
      shared_config_file = string
    }))
  })
}

# The default configuration: with TFC_AWS_PROVIDER_AUTH and TFC_AWS_RUN_ROLE_ARN
# (or TFC_AWS_PLAN_ROLE_ARN and TFC_AWS_APPLY_ROLE_ARN) on the workspace, it needs
# no credential arguments at all; naming the file is what a workspace with
# several configurations does.
provider "gdpr" {
  region              = "eu-central-1"
  shared_config_files = [var.tfc_aws_dynamic_credentials.default.shared_config_file]
}

# A second account, authenticated by the configuration tagged STOCKHOLM
# (TFC_AWS_PROVIDER_AUTH_STOCKHOLM, TFC_AWS_RUN_ROLE_ARN_STOCKHOLM).
provider "gdpr" {
  alias               = "stockholm"
  region              = "eu-north-1"
  shared_config_files = [var.tfc_aws_dynamic_credentials.aliases["STOCKHOLM"].shared_config_file]

  # Optionally, a role in another account assumed with those credentials.
  assume_role {
    role_arn     = "arn:aws:iam::111122223333:role/gdpr-deployer"
    session_name = "hcp-terraform"
    duration     = "1h"
  }
}

resource "gdpr_key" "archive" {
  provider    = gdpr.stockholm
  description = "Archive of the Stockholm office"
}
