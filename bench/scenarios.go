package main

import (
	"fmt"
	"strings"
)

// Providers compared: this one, and hashicorp/aws configured to produce the same resources and settings.
const (
	gdpr = "gdpr"
	aws  = "aws"
)

const (
	region = "eu-central-1"
	// image is one of the emulator's stock Linux images.
	image = "ami-760aaa0f"
)

// A step is one Terraform command of a scenario. Plans pass -detailed-exitcode: wantChanges says whether
// the plan must propose changes (exit 2) or none (exit 0), so a benchmark never times a plan that is
// not doing the work it claims to.
type step struct {
	name        string
	args        []string
	wantChanges bool
	// inventory marks the step after which the emulator's contents are compared between providers.
	inventory bool
}

type scenario struct {
	name string
	// n is the number of buckets, servers or databases; 1 for the small scenario.
	n int
	// unit names what n counts, for per-resource figures.
	unit  string
	steps []step
	// config returns the whole configuration for one provider, talking to endpoint.
	config func(provider, endpoint string) string
	// move marks the move scenario, which runs its own steps (see move.go) instead of steps and config.
	move bool
	// query marks the query scenario, which runs its own steps (see query.go) instead of steps and config.
	query bool
	// floor marks the floor scenario, which runs its own steps and configurations (see floor.go).
	floor bool
	// scale marks the scale scenario, whose hashicorp/aws buckets are imported rather than applied (see scale.go).
	scale bool
}

var (
	stepValidate    = step{name: "validate", args: []string{"validate"}}
	stepPlanCreate  = step{name: "plan (create)", args: []string{"plan", "-detailed-exitcode"}, wantChanges: true}
	stepApply       = step{name: "apply", args: []string{"apply", "-auto-approve"}, inventory: true}
	stepPlanRefresh = step{name: "plan (refresh, no changes)", args: []string{"plan", "-detailed-exitcode"}}
	stepDestroy     = step{name: "destroy", args: []string{"destroy", "-auto-approve"}}
)

func bucketsScenario(n int) scenario {
	return scenario{
		name: fmt.Sprintf("buckets N=%d", n), n: n, unit: "bucket",
		steps: []step{stepApply, stepPlanRefresh, stepDestroy},
		config: func(provider, endpoint string) string {
			if provider == gdpr {
				return gdprProvider(endpoint) + gdprKey + fmt.Sprintf(gdprBuckets, n)
			}
			return awsProvider(endpoint) + awsKey + fmt.Sprintf(awsBuckets, n)
		},
	}
}

func serversScenario(n int) scenario {
	return scenario{
		name: fmt.Sprintf("servers N=%d", n), n: n, unit: "server",
		steps: []step{stepApply, stepPlanRefresh, stepDestroy},
		config: func(provider, endpoint string) string {
			if provider == gdpr {
				return gdprProvider(endpoint) + gdprKey + fmt.Sprintf(gdprServers, n, image)
			}
			return awsProvider(endpoint) + awsKey + fmt.Sprintf(awsServers, n, image)
		},
	}
}

// databasesScenario compares gdpr_database with hashicorp/aws's aws_db_instance given the same settings.
// Both are destroyed without a final snapshot and with their automated backups: gdpr_database because
// force_destroy is set, aws_db_instance because skip_final_snapshot is set and delete_automated_backups
// defaults to true.
func databasesScenario(n int) scenario {
	return scenario{
		name: fmt.Sprintf("databases N=%d", n), n: n, unit: "database",
		steps: []step{stepApply, stepPlanRefresh, stepDestroy},
		config: func(provider, endpoint string) string {
			if provider == gdpr {
				return gdprProvider(endpoint) + gdprKey + fmt.Sprintf(gdprDatabases, n)
			}
			return awsProvider(endpoint) + awsKey + fmt.Sprintf(awsDatabases, n)
		},
	}
}

func smallScenario() scenario {
	return scenario{
		name: "small", n: 1, unit: "stack",
		steps: []step{stepValidate, stepPlanCreate, stepApply, stepPlanRefresh, stepDestroy},
		config: func(provider, endpoint string) string {
			if provider == gdpr {
				return gdprProvider(endpoint) + gdprKey + gdprSmall + fmt.Sprintf(gdprServers, 1, image)
			}
			return awsProvider(endpoint) + awsKey + awsSmall + fmt.Sprintf(awsServers, 1, image)
		},
	}
}

func gdprProvider(endpoint string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    gdpr = { source = "gdpr-immutable/gdpr" }
  }
}

provider "gdpr" {
  region                      = %[1]q
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  s3_use_path_style           = true
  endpoints = {
    kms = %[2]q
    s3  = %[2]q
    ec2 = %[2]q
    sts = %[2]q
    rds = %[2]q
  }
}
`, region, endpoint)
}

// awsProvider skips what this provider never does either (credential validation, account lookup, instance
// metadata), so both are timed on the same work.
func awsProvider(endpoint string) string {
	return fmt.Sprintf(`terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" {
  region                      = %[1]q
  access_key                  = "testing"
  secret_key                  = "testing"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true
  endpoints {
    kms = %[2]q
    s3  = %[2]q
    ec2 = %[2]q
    sts = %[2]q
    rds = %[2]q
  }
}
`, region, endpoint)
}

const gdprKey = `
resource "gdpr_key" "k" {
  description          = "benchmark"
  deletion_window_days = 30
  rotation_period_days = 365
}
`

const awsKey = `
resource "aws_kms_key" "k" {
  description             = "benchmark"
  deletion_window_in_days = 30
  enable_key_rotation     = true
  # 365 days is KMS's default rotation period; the emulator does not report the period, so naming it would
  # leave hashicorp/aws with a change in every plan.
}
`

const gdprBuckets = `
resource "gdpr_bucket" "b" {
  count           = %d
  bucket          = "bench-gdpr-${count.index}"
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = 365
}
`

// awsBuckets is what a careful user of hashicorp/aws writes for the settings gdpr_bucket enforces.
const awsBuckets = `
resource "aws_s3_bucket" "b" {
  count  = %d
  bucket = "bench-aws-${count.index}"
}
` + awsBucketSettings

const awsBucketSettings = `
resource "aws_s3_bucket_versioning" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.k.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  rule {
    id     = "gdpr-storage-limitation"
    status = "Enabled"
    filter {
      prefix = ""
    }
    expiration {
      days = 365
    }
    noncurrent_version_expiration {
      noncurrent_days = 1
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
  depends_on = [aws_s3_bucket_versioning.b]
}

resource "aws_s3_bucket_public_access_block" "b" {
  count                   = length(aws_s3_bucket.b)
  bucket                  = aws_s3_bucket.b[count.index].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.b[count.index].arn, "${aws_s3_bucket.b[count.index].arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.b]
}
`

const gdprSmall = `
resource "gdpr_bucket" "b" {
  bucket          = "bench-gdpr-small"
  kms_key_arn     = gdpr_key.k.arn
  expiration_days = 365
  object_lock = {
    mode = "GOVERNANCE"
    days = 30
  }
}
`

const awsSmall = `
resource "aws_s3_bucket" "b" {
  count               = 1
  bucket              = "bench-aws-small"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "b" {
  count  = length(aws_s3_bucket.b)
  bucket = aws_s3_bucket.b[count.index].id
  rule {
    default_retention {
      mode = "GOVERNANCE"
      days = 30
    }
  }
  depends_on = [aws_s3_bucket_versioning.b]
}
` + awsBucketSettings

const gdprServers = `
resource "gdpr_server" "s" {
  count         = %d
  image_id      = %q
  instance_type = "t3.micro"
  kms_key_arn   = gdpr_key.k.arn
  tags = {
    data_category = "customer"
  }
}
`

// awsServers sets by hand what gdpr_server enforces: IMDSv2 only, no public address, an encrypted root
// volume deleted with the instance, stop on instance-initiated shutdown. It leaves out
// associate_public_ip_address = false, which a user would write: the emulator gives hashicorp/aws's
// instances a public address whatever it asks, so every later plan would replace them (see inventory).
const awsServers = `
resource "aws_instance" "s" {
  count                                = %d
  ami                                  = %q
  instance_type                        = "t3.micro"
  instance_initiated_shutdown_behavior = "stop"
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
  root_block_device {
    encrypted             = true
    kms_key_id            = aws_kms_key.k.arn
    volume_size           = 8
    volume_type           = "gp3"
    delete_on_termination = true
  }
  tags = {
    data_category = "customer"
  }
  volume_tags = {
    data_category = "customer"
  }
}
`

// The databases' engine and size. The emulator runs no engine, so the smallest class and storage RDS takes
// for PostgreSQL measure the same as any other.
const gdprDatabases = `
resource "gdpr_database" "d" {
  count                 = %d
  identifier            = "bench-gdpr-${count.index}"
  engine                = "postgres"
  engine_version        = "17.4"
  instance_class        = "db.t4g.micro"
  allocated_storage_gib = 20
  kms_key_arn           = gdpr_key.k.arn
  backup_retention_days = 7
  force_destroy         = true
}
`

// awsDatabases sets by hand what gdpr_database enforces: storage and the RDS-managed master password
// encrypted under the key, no public access, no automatic minor version upgrades, IAM database
// authentication, tags copied to snapshots, and the same engine, class, storage, retention and master user.
// One setting differs: deletion_protection is false, where gdpr_database keeps it on and lifts it itself in
// its own destroy, after its checks. hashicorp/aws refuses to destroy a protected instance, so a user who
// kept protection on would run one more apply to turn it off before every destroy, which these figures do
// not count; the inventory leaves the setting out of the comparison for that reason.
const awsDatabases = `
resource "aws_db_instance" "d" {
  count                               = %d
  identifier                          = "bench-aws-${count.index}"
  engine                              = "postgres"
  engine_version                      = "17.4"
  instance_class                      = "db.t4g.micro"
  allocated_storage                   = 20
  storage_encrypted                   = true
  kms_key_id                          = aws_kms_key.k.arn
  username                            = "gdpr_admin"
  manage_master_user_password         = true
  master_user_secret_kms_key_id       = aws_kms_key.k.arn
  publicly_accessible                 = false
  auto_minor_version_upgrade          = false
  iam_database_authentication_enabled = true
  copy_tags_to_snapshot               = true
  backup_retention_period             = 7
  deletion_protection                 = false
  skip_final_snapshot                 = true
}
`

// scenarioNames lists what BENCH_SCENARIOS accepts.
var scenarioNames = []string{"small", "servers", "buckets", "databases", "move", "query", "floor", "scale"}

func validScenario(s string) bool {
	return strings.Contains(","+strings.Join(scenarioNames, ",")+",", ","+s+",")
}
