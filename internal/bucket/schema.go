package bucket

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/validate"
)

// The bounds of noncurrent_version_days: a day, which every bucket had before the argument existed, and a
// year, beyond which an incident is long past restoring from versions.
const (
	DefaultNoncurrentVersionDays = 1
	MaxNoncurrentVersionDays     = 365
)

// The values of on_replace.
const (
	OnReplaceRefuse   = "refuse"
	OnReplaceMoveData = "move_data"
)

// schemaVersion is 1 since noncurrent_version_days: states of version 0 were written without it, and
// upgradeFromV0 gives them the day every bucket had then.
const schemaVersion = 1

// bucketSchema is the schema before replaceonly.Schema makes every configurable attribute force a
// replacement.
func bucketSchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		Version: schemaVersion,
		MarkdownDescription: "A replace-only S3 bucket for personal data. It is always versioned, encrypted with " +
			"SSE-KMS under the given key, closed to the public, without ACLs and reachable only over TLS; a " +
			"lifecycle rule deletes data after `expiration_days` (storage limitation, GDPR Art. 5(1)(e)), and " +
			"overwritten or deleted versions after `noncurrent_version_days`, the window in which " +
			"`gdpr_restore_objects` can return the bucket to an earlier moment. Every " +
			"argument forces a new bucket, and a setting changed outside Terraform plans a replacement.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bucket name.",
				PlanModifiers:       useState,
			},
			"bucket": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The bucket name, 3 to 63 lower-case letters, digits, periods and hyphens, " +
					"following the S3 naming rules. Exactly one of `bucket` and `bucket_prefix` is set; with " +
					"`bucket_prefix` this attribute reports the generated name.",
				PlanModifiers: useState,
				Validators:    []validator.String{validate.BucketName()},
			},
			"bucket_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("A prefix from which the provider generates a unique bucket "+
					"name by appending %d characters (a timestamp and random characters). Use it with "+
					"`create_before_destroy` so a replacement bucket exists before the old one goes.",
					generatedSuffixLen),
				Validators: []validator.String{validate.BucketPrefix(generatedSuffixLen)},
			},
			"kms_key_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the KMS key under which S3 encrypts every object by default " +
					"(SSE-KMS, with S3 Bucket Keys). Usually `gdpr_key.<name>.arn`.",
				Validators: []validator.String{validate.KMSKeyARN()},
			},
			"expiration_days": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "Days after which a lifecycle rule deletes current objects; noncurrent " +
					"versions go `noncurrent_version_days` after they become noncurrent, incomplete multipart " +
					"uploads one day after they start. From 1 to the provider's `max_retention_days`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"noncurrent_version_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(DefaultNoncurrentVersionDays),
				MarkdownDescription: fmt.Sprintf("Days a version is kept after it is overwritten, deleted or "+
					"expired, before the lifecycle rule deletes it for good. This is the window in which "+
					"`gdpr_restore_objects` can return the bucket to an earlier moment: an incident found later "+
					"than this cannot be undone from the bucket. Defaults to `%d`. From 1 to %d, and at most "+
					"`expiration_days`. A longer window keeps overwritten and deleted data longer: a version can "+
					"live `expiration_days` plus this many days, and every day beyond the first counts against the "+
					"provider's `max_retention_days` (storage limitation, GDPR Art. 5(1)(e)).",
					DefaultNoncurrentVersionDays, MaxNoncurrentVersionDays),
				Validators: []validator.Int64{int64validator.Between(1, MaxNoncurrentVersionDays)},
			},
			"object_lock": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Write-once retention: when set, the bucket is created with S3 Object " +
					"Lock and this default retention for every new object version.",
				Attributes: map[string]schema.Attribute{
					"mode": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "`GOVERNANCE` (users with special permission can lift it) or " +
							"`COMPLIANCE` (nobody can, not even the account's root user, until it expires).",
						Validators: []validator.String{stringvalidator.OneOf("GOVERNANCE", "COMPLIANCE")},
					},
					"days": schema.Int64Attribute{
						Required: true,
						MarkdownDescription: "Days each new object version is retained; at most " +
							"`expiration_days`, since data cannot be required to outlive its own deletion.",
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"force_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether destroying the bucket may first delete every object version in it " +
					"(bypassing GOVERNANCE retention). Objects under COMPLIANCE retention or a legal hold are " +
					"never deleted: destroy then fails and names the date. Defaults to `false`. Changing it updates the " +
					"state alone, with no call to AWS and no replacement; a destroy uses the value in the state.",
			},
			"on_replace": schema.StringAttribute{
				Optional: true,
				Computed: true,
				Default:  stringdefault.StaticString(OnReplaceRefuse),
				MarkdownDescription: "What a replacement does with the objects in the bucket. `refuse` (the default): a " +
					"plan that would replace a bucket holding data fails, as a destroy does, unless `force_destroy` " +
					"allows erasing them. `move_data`: the replacement moves every current object into the new " +
					"bucket in the same apply, copied server-side, re-encrypted under the new bucket's key and " +
					"verified by checksum before the old bucket is emptied and deleted; noncurrent versions and " +
					"delete markers are not carried over. It needs `bucket_prefix` (S3 bucket names are unique, so " +
					"the new bucket needs a name of its own) and `lifecycle { create_before_destroy = true }`. The " +
					"plan says how many objects and bytes move, and fails when the move cannot succeed. Changing " +
					"it updates the state alone, with no call to AWS and no replacement.",
				Validators: []validator.String{stringvalidator.OneOf(OnReplaceRefuse, OnReplaceMoveData)},
			},
			"moved_from": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The bucket whose objects moved into this one when this one replaced it " +
					"(`on_replace = \"move_data\"`), null when none did. The move happens after the create, so the " +
					"state shows it from the next refresh on; S3 keeps the record in a tag of the bucket.",
				PlanModifiers: useState,
			},
			"moved_objects": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "How many current objects moved into this bucket from `moved_from`, each verified by checksum.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"moved_bytes": schema.Int64Attribute{
				Computed:            true,
				MarkdownDescription: "How many bytes of object content moved into this bucket from `moved_from`.",
				PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the bucket. " + validate.TagsDescription(),
				Validators:          []validator.Map{validate.Tags()},
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bucket's Amazon Resource Name.",
				PlanModifiers:       useState,
			},
			"region": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The AWS region the bucket is in, as S3 reports it on every refresh: the " +
					"provider's region when it was created. A bucket of the same name found in another region " +
					"(deleted and made anew outside Terraform) is reported with both regions, and the next apply " +
					"replaces it. A change of the provider's `region` replaces the bucket too, emptying and " +
					"deleting the old one where it is, under the usual `force_destroy` rules.",
			},
			"jurisdiction": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the bucket's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
			"guarantees_broken": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The settings the provider always enforces that the bucket does not have, as the " +
					"last create, refresh or `terraform query` found them: `versioning`, `encryption`, `lifecycle`, " +
					"`object_lock`, `public_access_block`, `ownership` and `policy`. It is empty for a bucket that keeps " +
					"them all. A refresh that finds one broken also plans the bucket's replacement.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// upgradeFromV0 upgrades a state written before noncurrent_version_days existed. Its bucket keeps noncurrent
// versions for the one day every bucket kept them then, which is the argument's default: recording that
// value keeps a plan after the provider's upgrade empty, with -refresh=false too, where the argument missing
// from the state would force a replacement of every bucket. Every other attribute is the same in both
// versions, so the state is read as JSON rather than through a copy of the old schema.
func upgradeFromV0(ctx context.Context, req resource.UpgradeStateRequest, resp *resource.UpgradeStateResponse) {
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(req.RawState.JSON, &attrs); err != nil {
		resp.Diagnostics.Append(stateNotUpgradedDiag(err))
		return
	}
	if _, ok := attrs["noncurrent_version_days"]; !ok {
		attrs["noncurrent_version_days"] = json.RawMessage(strconv.Itoa(DefaultNoncurrentVersionDays))
	}
	raw, err := json.Marshal(attrs)
	if err != nil {
		resp.Diagnostics.Append(stateNotUpgradedDiag(err))
		return
	}
	state, err := (&tfprotov6.RawState{JSON: raw}).UnmarshalWithOpts(resp.State.Schema.Type().TerraformType(ctx),
		tfprotov6.UnmarshalOpts{ValueFromJSONOpts: tftypes.ValueFromJSONOpts{IgnoreUndefinedAttributes: true}})
	if err != nil {
		resp.Diagnostics.Append(stateNotUpgradedDiag(err))
		return
	}
	resp.State.Raw = state
}
