package provider

import (
	"context"
	"errors"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

const serverTypeName = "gdpr_server"

// serverTimeout bounds the wait for an instance to run after launch, and to terminate after destroy.
const serverTimeout = 10 * time.Minute

// Names of the user data attributes: the write-only script and its fingerprint, which is what the plan
// compares.
const (
	attrUserData       = "user_data"
	attrUserDataSHA256 = "user_data_sha256"
)

var (
	_ resource.Resource                   = (*serverResource)(nil)
	_ resource.ResourceWithConfigure      = (*serverResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serverResource)(nil)
	_ resource.ResourceWithImportState    = (*serverResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serverResource)(nil)
)

type serverResource struct {
	immutable
}

// NewServerResource returns the gdpr_server resource.
func NewServerResource() resource.Resource {
	return &serverResource{immutable{typeName: serverTypeName, planHook: planUserDataSHA256, destroyCheck: warnServerDestroyed}}
}

// warnServerDestroyed says that a destroyed or replaced server takes its root volume with it; it needs no
// call to AWS.
func warnServerDestroyed(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	var id types.String
	resp.Diagnostics.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	resp.Diagnostics.Append(serverDestructionWarning(id.ValueString()))
}

func (r *serverResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_server"
}

func (r *serverResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceOnly(serverSchema())
}

var (
	imageIDPattern       = regexp.MustCompile(`^ami-[0-9a-f]{8}([0-9a-f]{9})?$`)
	instanceTypePattern  = regexp.MustCompile(`^[a-z0-9-]+\.[a-z0-9]+$`)
	subnetIDPattern      = regexp.MustCompile(`^subnet-[0-9a-f]+$`)
	securityGroupPattern = regexp.MustCompile(`^sg-[0-9a-f]+$`)
)

// Root volume defaults, named so the schema, the docs and an import agree.
const (
	defaultRootVolumeSizeGB = 8
	defaultRootVolumeType   = "gp3"
)

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
				Validators: []validator.String{kmsKeyARN()},
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
					"replaces the server. Needs Terraform 1.11 or later.",
			},
			attrUserDataSHA256: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The hex SHA-256 of `user_data`, computed at plan time from the configured " +
					"value; null without user data.",
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the instance and of its root volume.",
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
			attrRegion: schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AWS region of the server: the provider's region.",
			},
			attrJurisdiction: schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the server's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
		},
	}
}

func (r *serverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req, resp)
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

// planUserDataSHA256 plans the fingerprint of the write-only user data, which Terraform hands the provider
// only in the configuration. A changed fingerprint forces a replacement, like every argument; without it
// the guard would rightly refuse the change as an in-place update of a computed attribute.
func planUserDataSHA256(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var userData types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrUserData), &userData)...)
	if resp.Diagnostics.HasError() {
		return
	}
	sha := userDataSHA256(userData)
	p := path.Root(attrUserDataSHA256)
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, p, sha)...)
	if resp.Diagnostics.HasError() || req.State.Raw.IsNull() {
		return
	}
	var prior types.String
	resp.Diagnostics.Append(req.State.GetAttribute(ctx, p, &prior)...)
	if !prior.Equal(sha) {
		resp.RequiresReplace = append(resp.RequiresReplace, p)
	}
}

// userDataSHA256 fingerprints configured user data. Empty user data is none at all, as EC2 sees it.
func userDataSHA256(v types.String) types.String {
	switch {
	case v.IsUnknown():
		return types.StringUnknown()
	case v.IsNull() || v.ValueString() == "":
		return types.StringNull()
	}
	return types.StringValue(awsapi.SHA256Hex(v.ValueString()))
}

type serverModel struct {
	ID               types.String `tfsdk:"id"`
	ARN              types.String `tfsdk:"arn"`
	ImageID          types.String `tfsdk:"image_id"`
	InstanceType     types.String `tfsdk:"instance_type"`
	KMSKeyARN        types.String `tfsdk:"kms_key_arn"`
	SubnetID         types.String `tfsdk:"subnet_id"`
	SecurityGroupIDs types.Set    `tfsdk:"security_group_ids"`
	RootVolumeSizeGB types.Int64  `tfsdk:"root_volume_size_gb"`
	RootVolumeType   types.String `tfsdk:"root_volume_type"`
	UserData         types.String `tfsdk:"user_data"`
	UserDataSHA256   types.String `tfsdk:"user_data_sha256"`
	Tags             types.Map    `tfsdk:"tags"`
	AvailabilityZone types.String `tfsdk:"availability_zone"`
	PrivateIP        types.String `tfsdk:"private_ip"`
	Region           types.String `tfsdk:"region"`
	Jurisdiction     types.String `tfsdk:"jurisdiction"`
}

// toAPI builds the launch request. The model must hold the user data from the configuration: plan and
// state never do.
func (m serverModel) toAPI(ctx context.Context) (awsapi.ServerInput, error) {
	in := awsapi.ServerInput{
		ImageID:          m.ImageID.ValueString(),
		InstanceType:     m.InstanceType.ValueString(),
		KMSKeyARN:        m.KMSKeyARN.ValueString(),
		RootVolumeSizeGB: int32(m.RootVolumeSizeGB.ValueInt64()),
		RootVolumeType:   m.RootVolumeType.ValueString(),
		UserData:         m.UserData.ValueString(),
	}
	if in.RootVolumeSizeGB == 0 {
		in.RootVolumeSizeGB = defaultRootVolumeSizeGB
	}
	if in.RootVolumeType == "" {
		in.RootVolumeType = defaultRootVolumeType
	}
	if !m.SubnetID.IsUnknown() {
		in.SubnetID = m.SubnetID.ValueString()
	}
	if !m.SecurityGroupIDs.IsNull() && !m.SecurityGroupIDs.IsUnknown() {
		if diags := m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false); diags.HasError() {
			return in, errors.New("reading security_group_ids: a set of strings was expected")
		}
		slices.Sort(in.SecurityGroupIDs)
	}
	tags, err := stringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what EC2 reports into the model and returns the names of the arguments that differ from
// what the model held before: changes made outside Terraform. The guarantees the provider enforces without
// an attribute are checked by serverProblems.
func (m *serverModel) fromAPI(ctx context.Context, s *awsapi.Server) (changed []string, err error) {
	// Right after an import the model holds only the id: there is nothing to compare with yet.
	compare := !m.ImageID.IsNull()
	// A prior value that is null or unknown was never read from EC2 (a create that failed half-way), so it
	// cannot have drifted.
	differs := func(name string, prior attr.Value, now attr.Value) {
		if compare && !prior.IsUnknown() && !prior.IsNull() && !prior.Equal(now) {
			changed = append(changed, name)
		}
	}

	m.ID = types.StringValue(s.ID)
	m.ARN = optionalString(s.ARN)
	m.AvailabilityZone = optionalString(s.AvailabilityZone)
	m.PrivateIP = optionalString(s.PrivateIP)

	image := types.StringValue(s.ImageID)
	differs("image_id", m.ImageID, image)
	m.ImageID = image

	instanceType := types.StringValue(s.InstanceType)
	differs("instance_type", m.InstanceType, instanceType)
	m.InstanceType = instanceType

	if s.Root != nil {
		key := optionalString(s.Root.KMSKeyID)
		differs("kms_key_arn", m.KMSKeyARN, key)
		m.KMSKeyARN = key
		size := types.Int64Value(int64(s.Root.SizeGB))
		differs("root_volume_size_gb", m.RootVolumeSizeGB, size)
		m.RootVolumeSizeGB = size
		volumeType := types.StringValue(s.Root.Type)
		differs("root_volume_type", m.RootVolumeType, volumeType)
		m.RootVolumeType = volumeType
	}

	subnet := optionalString(s.SubnetID)
	differs("subnet_id", m.SubnetID, subnet)
	m.SubnetID = subnet

	groups, diags := types.SetValueFrom(ctx, types.StringType, s.SecurityGroupIDs)
	if diags.HasError() {
		return nil, errors.New("building security_group_ids")
	}
	differs("security_group_ids", m.SecurityGroupIDs, groups)
	m.SecurityGroupIDs = groups

	sha := optionalString(s.UserDataSHA256)
	if compare && !m.UserDataSHA256.IsUnknown() && !m.UserDataSHA256.Equal(sha) {
		changed = append(changed, attrUserData)
	}
	m.UserDataSHA256 = sha
	m.UserData = types.StringNull()

	prior, err := stringMap(ctx, m.Tags)
	if err != nil {
		return nil, err
	}
	if compare && !maps.Equal(prior, s.Tags) {
		changed = append(changed, "tags")
	}
	// An empty tag set stays as the configuration wrote it: null or {}.
	if len(s.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = mapValue(s.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = mapValue(map[string]string{})
	}
	return changed, nil
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// serverProblem is a guarantee of gdpr_server that an instance breaks. Name is how the drift record and the
// warning call it; why is a clause for an error or warning sentence.
type serverProblem struct {
	name, why string
}

// serverProblems lists how an instance breaks what gdpr_server guarantees without an attribute of its own.
func serverProblems(s *awsapi.Server) []serverProblem {
	var p []serverProblem
	if s.MetadataHTTPTokens != "required" || s.MetadataHopLimit != 1 ||
		(s.MetadataHTTPEndpoint != "" && s.MetadataHTTPEndpoint != "enabled") {
		p = append(p, serverProblem{"metadata_options",
			"its instance metadata service does not require IMDSv2 session tokens with a hop limit of 1"})
	}
	if s.PublicIP != "" {
		p = append(p, serverProblem{"public_ip_address", "it has a public IP address"})
	}
	if s.Root == nil {
		p = append(p, serverProblem{"root_volume", "it has no EBS root volume"})
	} else {
		if !s.Root.Encrypted {
			p = append(p, serverProblem{"root_volume_encryption", "its root volume is not encrypted"})
		}
		if !s.Root.DeleteOnTermination {
			p = append(p, serverProblem{"root_volume_delete_on_termination",
				"its root volume would outlive the instance"})
		}
	}
	if s.ShutdownBehavior != "" && s.ShutdownBehavior != "stop" {
		p = append(p, serverProblem{"shutdown_behavior", "a shutdown from its operating system terminates it"})
	}
	return p
}

func problemNames(ps []serverProblem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.name)
	}
	return out
}

func problemReasons(ps []serverProblem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.why)
	}
	return out
}

// serverGone says why an instance no longer counts as the server, or "" when it does.
func serverGone(s *awsapi.Server) string {
	switch s.State {
	case "terminated":
		return "was terminated"
	case "shutting-down":
		return "is shutting down"
	}
	return ""
}

func (r *serverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.audit(ctx, audit.Create, &resp.State, &resp.Diagnostics)
	var plan serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// The user data is write-only: only the configuration holds it.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrUserData), &plan.UserData)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	in, err := plan.toAPI(ctx)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Invalid tags", err.Error())
		return
	}
	plan.UserData = types.StringNull()
	launched, err := r.data.Clients.RunServer(ctx, in)
	if errors.Is(err, awsapi.ErrImageNotFound) {
		resp.Diagnostics.Append(imageNotFoundDiag(err))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot create server", "ec2:RunInstances", err))
		return
	}
	id := launched.ID
	tflog.Info(ctx, "launched EC2 instance", map[string]any{"instance_id": id, "image_id": in.ImageID})

	// Save the id before anything else can fail, so a failure taints the server instead of orphaning it.
	created := plan
	created.ID = types.StringValue(id)
	created.ARN = optionalString(launched.ARN)
	created.AvailabilityZone = optionalString(launched.AvailabilityZone)
	created.PrivateIP = optionalString(launched.PrivateIP)
	created.Region, created.Jurisdiction = r.placement()
	if created.SubnetID.IsUnknown() {
		created.SubnetID = optionalString(launched.SubnetID)
	}
	if created.SecurityGroupIDs.IsUnknown() {
		created.SecurityGroupIDs = types.SetNull(types.StringType)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, created)...)
	if resp.Diagnostics.HasError() {
		return
	}

	srv, err := r.data.Clients.WaitServerRunning(ctx, id, serverTimeout)
	if err != nil {
		resp.Diagnostics.Append(serverNotRunningDiag(id, serverTimeout, err))
		return
	}
	// The waiter's last answer describes the running instance; the rest is read to prove the guarantees hold.
	if err := r.data.Clients.ReadServerDetails(ctx, srv); err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot read the new server", "ec2:DescribeInstanceAttribute", err))
		return
	}
	if _, err := plan.fromAPI(ctx, srv); err != nil {
		resp.Diagnostics.AddError("Cannot read the new server", err.Error())
		return
	}
	plan.Region, plan.Jurisdiction = r.placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if problems := serverProblems(srv); len(problems) > 0 {
		// The server is in state, so this error taints it and the next apply replaces it.
		resp.Diagnostics.Append(serverGuaranteesDiag(id, problemReasons(problems)))
	}
}

func (r *serverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	id := state.ID.ValueString()
	srv, err := r.data.Clients.ReadServer(ctx, id)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(goneWarning(serverTypeName, id, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot read server", "ec2:DescribeInstances", err))
		return
	}
	if why := serverGone(srv); why != "" {
		resp.Diagnostics.Append(goneWarning(serverTypeName, id, why))
		resp.State.RemoveResource(ctx)
		return
	}
	imported := state.ImageID.IsNull()
	changed, err := state.fromAPI(ctx, srv)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read server", err.Error())
		return
	}
	state.Region, state.Jurisdiction = r.placement()
	problems := serverProblems(srv)
	drifted := append(changed, problemNames(problems)...)
	switch {
	case imported && len(problems) > 0:
		tflog.Warn(ctx, "imported EC2 instance breaks the guarantees", map[string]any{"instance_id": id, "problems": problemNames(problems)})
		resp.Diagnostics.Append(importedServerWarning(id, problemReasons(problems)))
	case len(drifted) > 0:
		tflog.Warn(ctx, "EC2 instance changed outside Terraform", map[string]any{"instance_id": id, "changed": drifted})
		resp.Diagnostics.Append(driftWarning(serverTypeName, id, drifted))
	}
	if len(drifted) > 0 {
		recordDrift(ctx, req, resp, drifted)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *serverResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.audit(ctx, audit.Delete, &req.State, &resp.Diagnostics)
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	id := state.ID.ValueString()
	if err := r.data.Clients.TerminateServer(ctx, id, serverTimeout); err != nil {
		resp.Diagnostics.Append(serverNotTerminatedDiag(id, serverTimeout, err))
		return
	}
	tflog.Info(ctx, "terminated EC2 instance", map[string]any{"instance_id": id})
}

func (r *serverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	srv, err := r.data.Clients.ReadServer(ctx, req.ID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot import server", "ec2:DescribeInstances", err))
		return
	}
	if why := serverGone(srv); why != "" {
		resp.Diagnostics.Append(importRefusedDiag(serverTypeName, req.ID, []string{"it " + why}))
		return
	}
	// An instance that breaks the guarantees is adopted all the same, so the next apply can replace it with
	// one that keeps them; the read that follows the import warns and records why.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), srv.ID)...)
}
