import {
  to = gdpr_server.example
  id = "i-0123456789abcdef0"
}
