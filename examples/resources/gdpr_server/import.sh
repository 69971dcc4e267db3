# Import an EC2 instance by its instance id. An instance that breaks the
# guarantees of gdpr_server (IMDSv1, a public IP address, an unencrypted root
# volume) is imported with a warning, and the next apply replaces it.
terraform import gdpr_server.example i-0123456789abcdef0
