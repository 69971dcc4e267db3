import {
  to = gdpr_database.example
  identity = {
    id = "customers"
  }
}
