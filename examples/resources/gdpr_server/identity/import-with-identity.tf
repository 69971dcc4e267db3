import {
  to = gdpr_server.example
  identity = {
    id = "i-0123456789abcdef0"
  }
}
