import {
  to = gdpr_database.example
  id = "customers"
}
