package database

import (
	"regexp"
	"strconv"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// The values of on_replace.
const (
	OnReplaceRefuse   = "refuse"
	OnReplaceMoveData = "move_data"
)

// Engines are the RDS engines a gdpr_database runs: those with IAM database authentication and a master
// password RDS can manage in Secrets Manager, which every database gets.
var Engines = []string{"postgres", "mysql", "mariadb"}

// defaultMasterUsername is the master user when the configuration names none.
const defaultMasterUsername = "gdpr_admin"

// RDS's limits on the arguments, checked at validate so a bad value never reaches AWS.
const (
	minStorageGiB       = 20
	maxStorageGiB       = 65536
	maxBackupRetention  = 35 // RDS keeps automated backups at most 35 days
	maxIdentifierLength = 63
)

var (
	// An RDS identifier: letters, digits and single hyphens, beginning with a letter, not ending with a hyphen.
	identifierPattern    = regexp.MustCompile(`^[a-zA-Z](-?[a-zA-Z0-9])*$`)
	engineVersionPattern = regexp.MustCompile(`^[0-9]+(\.[0-9A-Za-z_-]+)*$`)
	instanceClassPattern = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)
	securityGroupPattern = regexp.MustCompile(`^sg-[0-9a-f]+$`)
	// These two are compiled when the schema is first built rather than when the process starts: a counted
	// repetition compiles to one instruction per count, and at package initialisation the subnet group's
	// alone cost every start of the provider a millisecond and a quarter of a megabyte, in processes that
	// never see a database.
	masterUsernamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_]{0,15}$`) })
	subnetGroupPattern    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-zA-Z0-9 ._-]{1,255}$`) })
)

// databaseSchema is the schema before replaceonly.Schema makes every argument force a replacement.
func databaseSchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "A replace-only Amazon RDS database instance for personal data, never changed in " +
			"place: every argument forces a new database. Its storage and its master password are encrypted " +
			"under the given KMS key, the password is managed by RDS in AWS Secrets Manager (it is never in the " +
			"configuration, the plan or the state), it is not publicly accessible, it is protected from deletion " +
			"outside the provider, its engine is never upgraded behind Terraform's back, it accepts IAM database " +
			"authentication, and its snapshots carry its tags. Every database holds data: a destroy needs " +
			"`force_destroy`, and a replacement either carries the data (`on_replace = \"move_data\"`: a final " +
			"snapshot, copied under the new key when it changes, restored into the new database) or fails at plan.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The database's identifier, as `identifier`.",
				PlanModifiers:       useState,
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The DB instance's Amazon Resource Name.",
				PlanModifiers:       useState,
			},
			"resource_id": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The DB instance's resource id (`db-…`), which RDS gives each new instance: a " +
					"replacement has a new one though its identifier stays.",
			},
			"identifier": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The DB instance identifier, which also names its endpoint. A replacement keeps " +
					"it, so clients reach the new database at the same address. From 1 to " +
					strconv.Itoa(maxIdentifierLength) + " letters, digits and hyphens, beginning with a letter, " +
					"without two hyphens in a row or a hyphen at the end.",
				Validators: []validator.String{
					stringvalidator.LengthBetween(1, maxIdentifierLength),
					stringvalidator.RegexMatches(identifierPattern, "must begin with a letter and hold only letters, "+
						"digits and single hyphens, not ending with a hyphen, such as customers-eu"),
				},
			},
			"engine": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The database engine: `postgres`, `mysql` or `mariadb`.",
				Validators:          []validator.String{stringvalidator.OneOf(Engines...)},
			},
			"engine_version": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The engine version, such as `17.4`. RDS never upgrades it by itself (automatic " +
					"minor version upgrades are off); a new version is a new database, which a move can carry the " +
					"data into when it is the same major version or a later minor one.",
				Validators: []validator.String{stringvalidator.RegexMatches(engineVersionPattern,
					"must be an engine version: numbers separated by dots, such as 17.4 or 8.0.40")},
			},
			"instance_class": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The DB instance class, such as `db.t4g.medium`.",
				Validators: []validator.String{stringvalidator.RegexMatches(instanceClassPattern,
					"must be a DB instance class: db., a family and a size, such as db.t4g.medium")},
			},
			"allocated_storage_gib": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "The storage allocated to the database, in GiB, from " + strconv.Itoa(minStorageGiB) +
					" to " + strconv.Itoa(maxStorageGiB) + ". A move cannot restore into less storage than the " +
					"database has.",
				Validators: []validator.Int64{int64validator.Between(minStorageGiB, maxStorageGiB)},
			},
			"kms_key_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The ARN of the KMS key that encrypts the storage, the automated backups, the " +
					"snapshots and the master password's secret, usually `gdpr_key.<name>.arn`. Deleting that key " +
					"makes all of them unreadable. RDS cannot change the key of a database: a new key is a new " +
					"database, and a move copies the final snapshot under the new key before restoring it.",
				Validators: []validator.String{validate.KMSKeyARN()},
			},
			"backup_retention_days": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "How many days RDS keeps the automated backups (point-in-time recovery), from 1 " +
					"to " + strconv.Itoa(maxBackupRetention) + " and at most the provider's `max_retention_days`.",
				Validators: []validator.Int64{int64validator.Between(1, maxBackupRetention)},
			},
			"master_username": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(defaultMasterUsername),
				MarkdownDescription: "The name of the master user. Its password is generated and rotated by RDS in " +
					"AWS Secrets Manager (`master_user_secret_arn`). From 1 to 16 letters, digits and underscores, " +
					"beginning with a letter. Defaults to `" + defaultMasterUsername + "`. A move keeps the master " +
					"user of the database it replaces, so it must not change with one.",
				Validators: []validator.String{stringvalidator.RegexMatches(masterUsernamePattern(),
					"must begin with a letter and hold at most 16 letters, digits and underscores")},
			},
			"db_subnet_group_name": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The DB subnet group that places the database in a VPC's subnets. When unset, " +
					"RDS uses the default VPC, which this attribute then reports.",
				PlanModifiers: useState,
				Validators: []validator.String{stringvalidator.RegexMatches(subnetGroupPattern(),
					"must be a DB subnet group name: up to 255 letters, digits, spaces, dots, underscores and hyphens")},
			},
			"vpc_security_group_ids": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The ids of the VPC security groups of the database. When unset, RDS applies " +
					"the default security group of the VPC, which this attribute then reports.",
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(securityGroupPattern,
						"must be a security group id, such as sg-0123456789abcdef0")),
				},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the DB instance, copied to its snapshots. " + validate.TagsDescription(),
				Validators:          []validator.Map{validate.Tags()},
			},
			"on_replace": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(OnReplaceRefuse),
				MarkdownDescription: "What a replacement does with the data. `refuse` (the default): a plan that " +
					"would replace the database fails, unless `force_destroy` is set, since every database holds " +
					"data. `move_data`: the replacement carries the data, in one apply, in Terraform's default order: " +
					"the old database is deleted with a final snapshot, which is copied under the new `kms_key_arn` " +
					"when the key changes, and the new database is restored from it with the new arguments; the " +
					"intermediate snapshots are deleted once the new database keeps every guarantee. The database is " +
					"unavailable from the final snapshot until the restore completes. An interrupted move resumes " +
					"with the next apply. A change the restore cannot make (another engine, an older or another " +
					"major engine version, less storage, another master user) fails at plan. Changing this argument " +
					"alone updates the state only.",
				Validators: []validator.String{stringvalidator.OneOf(OnReplaceRefuse, OnReplaceMoveData)},
			},
			"force_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Allow `terraform destroy` (and a replacement without `on_replace = " +
					"\"move_data\"`) to erase the database with its data and its automated backups. It must be " +
					"in the state before the destroy: apply it first. Changing it updates the state only.",
			},
			"endpoint": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The DNS address clients connect to.",
				PlanModifiers:       useState,
			},
			"port": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "The port the database listens on.",
			},
			"master_user_secret_arn": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The ARN of the AWS Secrets Manager secret in which RDS keeps the master " +
					"user's password, encrypted under `kms_key_arn`. The password itself is never in the state.",
			},
			"restored_from_snapshot": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The move snapshot the database was restored from when its create carried the " +
					"data of the database it replaced, null when it was created empty. The snapshot itself is " +
					"deleted once the move completes; the audit trail's `move` event names it too.",
			},
			replaceonly.AttrRegion: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The AWS region the database is in: the provider's region when it was created. " +
					"It is read and destroyed there, so a change of the provider's `region` replaces it.",
			},
			replaceonly.AttrJurisdiction: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the database's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
			"guarantees_broken": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The settings the provider always gives a database that this one lacks, as the " +
					"last create, refresh or `terraform query` found them: `storage_encrypted`, " +
					"`publicly_accessible`, `deletion_protection`, `auto_minor_version_upgrade`, " +
					"`master_user_secret`, `iam_database_authentication` and `copy_tags_to_snapshot`. It is empty " +
					"for a database that keeps them all. A refresh that finds one broken also plans the database's " +
					"replacement.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}
