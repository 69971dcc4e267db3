import {
  to = gdpr_key.example
  identity = {
    id = "1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}
