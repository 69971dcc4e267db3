# A new compliant bucket that fills itself from a legacy bucket in the apply
# that creates it. The action names the bucket by the same local value, since
# a resource's trigger cannot refer to the resource itself.
locals {
  archive = "example-customer-archive"
}

resource "gdpr_bucket" "archive" {
  bucket          = local.archive
  kms_key_arn     = gdpr_key.records.arn
  expiration_days = 365

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.gdpr_move_objects.fill_archive]
    }
  }
}

action "gdpr_move_objects" "fill_archive" {
  config {
    from = "crm-archive-legacy"
    to   = local.archive
  }
}
