variable "endpoint" {
  type        = string
  description = "URL of the local AWS emulator (moto_server) that answers for KMS, S3, EC2 and STS."
  default     = "http://127.0.0.1:5000"
}

variable "region" {
  type        = string
  description = "AWS region of the key. The provider refuses regions outside allowed_jurisdictions."
  default     = "eu-central-1"
}

variable "key_description" {
  type        = string
  description = "Description of the key. Changing it replaces the key, because the provider never updates in place."
  default     = "Encrypts the quickstart customer records"
}

variable "retention_days" {
  description = "How many days the bucket keeps customer records."
  type        = number
  default     = 365
}

variable "image_id" {
  type        = string
  description = "AMI of the server. The default is an Amazon Linux image that the moto emulator ships; against AWS, use an image of your region."
  default     = "ami-760aaa0f"
}
