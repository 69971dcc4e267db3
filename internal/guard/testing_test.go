package guard_test

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-testing/config"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/acctest"
)

// offlineProvider is a provider block that makes no AWS call: gdpr_immutable needs nothing more.
const offlineProvider = `
provider "gdpr" {
  region                      = "eu-central-1"
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
}
`

// guardedData guards a terraform_data, Terraform's built-in resource, which updates input in place and is
// replaced when triggers_replace changes.
const guardedData = offlineProvider + `
variable "engine_version" { type = string }
variable "generation" { type = string }

resource "terraform_data" "db" {
  input            = var.engine_version
  triggers_replace = var.generation
}

resource "gdpr_immutable" "db" {
  target_id  = terraform_data.db.id
  attributes = { engine_version = terraform_data.db.input, generation = var.generation }
}
`

func guardVars(engine, generation string) config.Variables {
	return config.Variables{"engine_version": config.StringVariable(engine), "generation": config.StringVariable(generation)}
}

// guardedBucket guards a gdpr_bucket's expiration. With bucket_prefix a replaced bucket gets a new name,
// unknown at plan time; with a fixed bucket name it keeps its id.
func guardedBucket(nameArg string, days int) string {
	return acctest.ProviderConfig(acctest.Region, "") + fmt.Sprintf(`
resource "gdpr_key" "k" {
  description          = "guarded bucket"
  deletion_window_days = 7
}

resource "gdpr_bucket" "b" {
  %s
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = %d
}

resource "gdpr_immutable" "b" {
  target_id  = gdpr_bucket.b.id
  attributes = { expiration_days = tostring(gdpr_bucket.b.expiration_days) }
}
`, nameArg, days)
}
