// Package server is the gdpr_server resource: a replace-only EC2 instance for processing personal data.
// resource.go holds its lifecycle (launch, read, terminate, import), schema.go its arguments and their
// validation, model.go the translation between Terraform values and awsapi, plan.go what a plan checks and in
// which order, and diagnostics.go the wording of every message the server reports. The AWS calls live in
// awsapi; the steps every replace-only resource shares live in replaceonly.
package server

import (
	"context"
	"errors"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/identity"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// ResourceType is the resource's name in configurations, in Metadata and in every diagnostic.
const ResourceType = "gdpr_server"

// timeout bounds the wait for an instance to run after launch, and to terminate after destroy.
const timeout = 10 * time.Minute

var (
	_ resource.Resource                   = (*serverResource)(nil)
	_ resource.ResourceWithConfigure      = (*serverResource)(nil)
	_ resource.ResourceWithModifyPlan     = (*serverResource)(nil)
	_ resource.ResourceWithImportState    = (*serverResource)(nil)
	_ resource.ResourceWithValidateConfig = (*serverResource)(nil)
	_ resource.ResourceWithIdentity       = (*serverResource)(nil)
)

// Identity is the server's resource identity: its account, region and instance id.
var Identity = identity.Kind{TypeName: ResourceType, IDAttribute: "id",
	IDDescription: "The instance's id, such as `i-0123456789abcdef0`."}

type serverResource struct {
	data *providerdata.Data
}

// NewResource returns the gdpr_server resource.
func NewResource() resource.Resource {
	return &serverResource{}
}

func (r *serverResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (r *serverResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = Identity.Schema()
}

func (r *serverResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceonly.Schema(serverSchema())
}

func (r *serverResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// gone says why an instance no longer counts as the server, or "" when it does.
func gone(s *awsapi.Server) string {
	switch s.State {
	case "terminated":
		return "was terminated"
	case "shutting-down":
		return "is shutting down"
	}
	return ""
}

func (r *serverResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Create, &resp.State, &resp.Diagnostics)
	var plan serverModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// The user data is write-only: only the configuration holds it.
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(attrUserData), &plan.UserData)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if clients == nil {
		return
	}
	in, err := plan.toAPI(ctx)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.InvalidTags(err))
		return
	}
	plan.UserData = types.StringNull()
	// The fingerprint marks the instance until its create is finished, so a create killed halfway is
	// finished by the next one with the same arguments instead of leaving a second server running.
	fp := fingerprint(clients.Region, in)
	launched := r.unfinished(ctx, clients, fp, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if launched == nil {
		launched, err = clients.RunServer(ctx, in, fp)
		if errors.Is(err, awsapi.ErrImageNotFound) {
			resp.Diagnostics.Append(imageNotFoundDiag(err))
			return
		}
		if err != nil {
			resp.Diagnostics.Append(diagnostics.APIError("Cannot create server", "ec2:RunInstances", err))
			return
		}
		tflog.Info(ctx, "launched EC2 instance", map[string]any{"instance_id": launched.ID, "image_id": in.ImageID})
	}
	id := launched.ID

	// Save the id before anything else can fail, so a failure taints the server instead of orphaning it.
	created := plan
	created.ID = types.StringValue(id)
	created.ARN = optionalString(launched.ARN)
	created.AvailabilityZone = optionalString(launched.AvailabilityZone)
	created.PrivateIP = optionalString(launched.PrivateIP)
	created.Region, created.Jurisdiction = r.data.Placement()
	if created.SubnetID.IsUnknown() {
		created.SubnetID = optionalString(launched.SubnetID)
	}
	if created.SecurityGroupIDs.IsUnknown() {
		created.SecurityGroupIDs = types.SetNull(types.StringType)
	}
	// The guarantees are judged once the instance runs and is read.
	created.GuaranteesBroken = types.ListNull(types.StringType)
	resp.Diagnostics.Append(resp.State.Set(ctx, created)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, launched.ARN, id)...)
	if resp.Diagnostics.HasError() {
		return
	}

	srv, err := clients.WaitServerRunning(ctx, id, timeout)
	if err != nil {
		resp.Diagnostics.Append(notRunningDiag(id, timeout, err))
		return
	}
	// The waiter's last answer describes the running instance; the rest is read to prove the guarantees hold.
	if err := clients.ReadServerDetails(ctx, srv); err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot read the new server", "ec2:DescribeInstanceAttribute", err))
		return
	}
	if err := clients.FinishServer(ctx, srv); err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot finish creating the server", "ec2:DeleteTags", err))
		return
	}
	if _, err := plan.fromAPI(ctx, srv); err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read the new server", err))
		return
	}
	plan.Region, plan.Jurisdiction = r.data.Placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if problems := srv.Problems(); len(problems) > 0 {
		// The server is in state, so this error taints it and the next apply replaces it.
		resp.Diagnostics.Append(guaranteesDiag(id, awsapi.ProblemReasons(problems)))
	}
}

// unfinished returns the instance that an interrupted create with fingerprint fp launched and never
// finished, or nil when there is none; the caller then launches one. A failed lookup is a warning, not a
// failed create.
func (r *serverResource) unfinished(ctx context.Context, c *awsapi.Clients, fp string, diags *diag.Diagnostics) *awsapi.Server {
	id, err := c.UnfinishedServer(ctx, fp)
	if err != nil {
		diags.Append(diagnostics.LookupFailed(ResourceType, "ec2:DescribeInstances", err))
		return nil
	}
	if id == "" {
		return nil
	}
	srv, err := c.ReadServer(ctx, id)
	if err != nil {
		diags.Append(diagnostics.APIError("Cannot finish server "+id, "ec2:DescribeInstances", err))
		return nil
	}
	tflog.Warn(ctx, "finishing an EC2 instance an interrupted apply left behind", map[string]any{"instance_id": id})
	diags.Append(diagnostics.Finished(ResourceType, id))
	return srv
}

func (r *serverResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every path that ends without error leaves an identity, a resource found gone included.
	defer func() {
		resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, func() (identity.Identity, error) {
			return identity.FromStateARN(ctx, req.State)
		})...)
	}()
	clients := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if clients == nil {
		return
	}
	id := state.ID.ValueString()
	srv, err := clients.ReadServer(ctx, id)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot read server", "ec2:DescribeInstances", err))
		return
	}
	if why := gone(srv); why != "" {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, why))
		resp.State.RemoveResource(ctx)
		return
	}
	imported := state.ImageID.IsNull()
	changed, err := state.fromAPI(ctx, srv)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read server", err))
		return
	}
	state.Region, state.Jurisdiction = providerdata.PlacementOf(clients.Region)
	found, err := identity.FromARN(srv.ARN, srv.ID)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read server", err))
		return
	}
	Identity.Check(ctx, req, resp, id, found)
	replaceonly.ReportFound(ctx, req, resp, ResourceType, id, replaceonly.Found{Changed: changed, Problems: srv.Problems(),
		Unfinished: srv.Unfinished != "", Imported: imported}, importedWarning)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update is never reached through a correct plan: every change replaces the server, which has no
// destroy-only argument. UpdateState refuses anything else.
func (r *serverResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.UpdateState(ctx, ResourceType, req, resp)
	resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, func() (identity.Identity, error) {
		return identity.FromStateARN(ctx, resp.State)
	})...)
}

func (r *serverResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Delete, &req.State, &resp.Diagnostics)
	var state serverModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if clients == nil {
		return
	}
	id := state.ID.ValueString()
	if err := clients.TerminateServer(ctx, id, timeout); err != nil {
		resp.Diagnostics.Append(notTerminatedDiag(id, timeout, err))
		return
	}
	tflog.Info(ctx, "terminated EC2 instance", map[string]any{"instance_id": id})
}

func (r *serverResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	clients := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if clients == nil {
		return
	}
	requested, diags := Identity.Requested(ctx, req)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(Identity.CheckImport(requested, clients.Region, r.data.CallerAccount(ctx))...)
	if resp.Diagnostics.HasError() {
		return
	}
	srv, err := clients.ReadServer(ctx, requested.ID)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot import server", "ec2:DescribeInstances", err))
		return
	}
	if why := gone(srv); why != "" {
		resp.Diagnostics.Append(diagnostics.ImportRefused(ResourceType, requested.ID, []string{"it " + why}))
		return
	}
	// An instance that breaks the guarantees is adopted all the same, so the next apply can replace it with
	// one that keeps them; the read that follows the import warns and records why.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), srv.ID)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, srv.ARN, srv.ID)...)
	resp.Diagnostics.Append(replaceonly.MarkImported(ctx, resp)...)
}
