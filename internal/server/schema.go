package server

import (
	"context"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
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

// Names of the user data attributes: the write-only script and its fingerprint, which is what the plan
// compares.
const (
	attrUserData       = "user_data"
	attrUserDataSHA256 = "user_data_sha256"
)

var (
	imageIDPattern       = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)
	instanceTypePattern  = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9]+$`)
	subnetIDPattern      = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	securityGroupPattern = regexp.MustCompile(`^sg-[0-9a-f]+$`)
)

// maxUserDataBytes is EC2's limit on user data in raw form, before the provider base64-encodes it; the
// validator counts bytes, as EC2 does.
const maxUserDataBytes = 16 * 1024

// Root volume defaults, named so the schema, the docs and an import agree.
const (
	defaultRootVolumeSizeGB = 8
	defaultRootVolumeType   = "gp3"
)

// serverSchema is the schema before replaceonly.Schema makes every argument force a replacement.
func serverSchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "A replace-only AWS EC2 instance for processing personal data, built from an image and " +
			"never changed: every argument forces a new server. The instance metadata service accepts only " +
			"IMDSv2 session tokens with a hop limit of 1, the server has no public IP address, its root volume " +
			"is encrypted with the given KMS key and deleted with the instance, and an operating-system " +
			"shutdown stops it rather than terminating it.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The instance id.",
				PlanModifiers:       useState,
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The instance's Amazon Resource Name.",
				PlanModifiers:       useState,
			},
			"image_id": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The id of the Amazon Machine Image (AMI) the server boots from, in the " +
					"provider's region. A new image means a new server.",
				Validators: []validator.String{stringvalidator.RegexMatches(imageIDPattern,
					"must be an AMI id: ami- followed by 8 or 17 lower-case hexadecimal digits, such as ami-0123456789abcdef0")},
			},
			"instance_type": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "The EC2 instance type, such as `t3.micro`.",
				Validators: []validator.String{stringvalidator.RegexMatches(instanceTypePattern,
					"must be an EC2 instance type: a family and a size separated by a dot, such as t3.micro")},
			},
			"kms_key_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "The ARN of the KMS key that encrypts the root volume, usually " +
					"`gdpr_key.<name>.arn`. Destroying that key makes the volume and its snapshots unreadable.",
				Validators: []validator.String{validate.KMSKeyARN()},
			},
			"subnet_id": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The subnet to launch the server in. When unset, EC2 chooses a subnet of " +
					"the default VPC, which this attribute then reports.",
				PlanModifiers: useState,
				Validators: []validator.String{stringvalidator.RegexMatches(subnetIDPattern,
					"must be a subnet id, such as subnet-0123456789abcdef0")},
			},
			"security_group_ids": schema.SetAttribute{
				Optional:    true,
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The ids of the security groups of the server's network interface. When " +
					"unset, EC2 applies the default security group of the VPC, which this attribute then reports.",
				PlanModifiers: []planmodifier.Set{setplanmodifier.UseStateForUnknown()},
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.RegexMatches(securityGroupPattern,
						"must be a security group id, such as sg-0123456789abcdef0")),
				},
			},
			"root_volume_size_gb": schema.Int64Attribute{
				Optional:            true,
				Computed:            true,
				Default:             int64default.StaticInt64(defaultRootVolumeSizeGB),
				MarkdownDescription: "Size of the root volume in GiB, from 1 to 16384. Defaults to `8`.",
				Validators:          []validator.Int64{int64validator.Between(1, 16384)},
			},
			"root_volume_type": schema.StringAttribute{
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(defaultRootVolumeType),
				MarkdownDescription: "EBS type of the root volume: `gp2`, `gp3`, `io1` or `io2`. Defaults to `gp3`.",
				Validators:          []validator.String{stringvalidator.OneOf("gp2", "gp3", "io1", "io2")},
			},
			attrUserData: schema.StringAttribute{
				Optional:  true,
				WriteOnly: true,
				Sensitive: true,
				MarkdownDescription: "The boot script or cloud-init configuration, in plain text (the provider " +
					"encodes it). Write-only: Terraform never stores it in the plan or the state, so a secret in " +
					"it stays out of both; `user_data_sha256` records its fingerprint, and a changed script " +
					"replaces the server. At most " + strconv.Itoa(maxUserDataBytes) + " bytes (16 KB, the EC2 limit on user data before its " +
					"base64 encoding). Needs Terraform 1.11 or later.",
				Validators: []validator.String{stringvalidator.LengthAtMost(maxUserDataBytes)},
			},
			attrUserDataSHA256: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The hex SHA-256 of `user_data`, computed at plan time from the configured " +
					"value; null without user data.",
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the instance and of its root volume. " + validate.ServerTagsDescription(),
				Validators:          []validator.Map{validate.ServerTags()},
			},
			"availability_zone": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The availability zone the server runs in.",
				PlanModifiers:       useState,
			},
			"private_ip": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The private IPv4 address of the server's primary network interface.",
				PlanModifiers:       useState,
			},
			replaceonly.AttrRegion: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The AWS region the server is in: the provider's region when it was created. The " +
					"server is read and destroyed there, so a change of the provider's `region` replaces it: a new " +
					"server in the new region, the old one destroyed in the old region (it is terminated there).",
			},
			replaceonly.AttrJurisdiction: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the server's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
			"guarantees_broken": schema.ListAttribute{
				Computed:    true,
				ElementType: types.StringType,
				MarkdownDescription: "The settings the provider always gives a server that this one lacks, as the last " +
					"create, refresh or `terraform query` found them: `metadata_options` (IMDSv2 only, hop limit 1), " +
					"`public_ip_address`, `root_volume`, `root_volume_encryption`, " +
					"`root_volume_delete_on_termination` and `shutdown_behavior`. It is empty for a server that keeps " +
					"them all. A refresh that finds one broken also plans the server's replacement.",
				PlanModifiers: []planmodifier.List{listplanmodifier.UseStateForUnknown()},
			},
		},
	}
}

// minProvisionedIOPSVolumeGB is the smallest io1 or io2 volume EBS creates.
const minProvisionedIOPSVolumeGB = 4

// ValidateConfig checks what a single attribute's validators cannot: the root volume's size against its type.
func (r *serverResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var size types.Int64
	var volumeType types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("root_volume_size_gb"), &size)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("root_volume_type"), &volumeType)...)
	if resp.Diagnostics.HasError() || size.IsNull() || size.IsUnknown() || volumeType.IsUnknown() {
		return
	}
	if t := volumeType.ValueString(); (t == "io1" || t == "io2") && size.ValueInt64() < minProvisionedIOPSVolumeGB {
		resp.Diagnostics.Append(volumeTooSmallDiag(t, size.ValueInt64(), minProvisionedIOPSVolumeGB))
	}
}
