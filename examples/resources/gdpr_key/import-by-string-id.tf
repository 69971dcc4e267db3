import {
  to = gdpr_key.example
  id = "1234abcd-12ab-34cd-56ef-1234567890ab"
}
