// Package key is the gdpr_key resource: a replace-only AWS KMS key for encrypting personal data, whose
// destruction is crypto-shredding. resource.go holds the CRUD and import, schema.go the schema and the
// defaults it documents, model.go the translation between Terraform and awsapi, plan.go the plan steps in
// the order they run and the destroy check, and diagnostics.go the messages only this resource words.
package key

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
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

// ResourceType is the resource's type name, in Metadata and in every diagnostic.
const ResourceType = "gdpr_key"

var (
	_ resource.Resource                = (*keyResource)(nil)
	_ resource.ResourceWithConfigure   = (*keyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*keyResource)(nil)
	_ resource.ResourceWithImportState = (*keyResource)(nil)
	_ resource.ResourceWithIdentity    = (*keyResource)(nil)
)

// Identity is the key's resource identity: its account, region and key id.
var Identity = identity.Kind{TypeName: ResourceType, IDAttribute: "id",
	IDDescription: "The key's id, a UUID such as `1234abcd-12ab-34cd-56ef-1234567890ab`."}

type keyResource struct {
	data *providerdata.Data
}

// NewResource returns the gdpr_key resource.
func NewResource() resource.Resource {
	return &keyResource{}
}

func (r *keyResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (r *keyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceonly.Schema(keySchema())
}

func (r *keyResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = Identity.Schema()
}

func (r *keyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

func (r *keyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Create, &resp.State, &resp.Diagnostics)
	var plan keyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if c == nil {
		return
	}
	in, err := plan.toAPI(ctx)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.InvalidTags(err))
		return
	}
	// The fingerprint marks the key until its create is finished, so a create killed halfway is finished
	// by the next one with the same arguments instead of leaving a key behind.
	fp := plan.fingerprint(c.Region, in)
	key := r.unfinished(ctx, c, fp, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if key == nil {
		if key, err = c.CreateKey(ctx, in, fp); err != nil {
			resp.Diagnostics.Append(diagnostics.APIError("Cannot create key", "kms:CreateKey", err))
			return
		}
		tflog.Info(ctx, "created KMS key", map[string]any{"key_id": key.ID})
	}
	id := key.ID

	// Save the id before anything else can fail, so a failure taints the key instead of orphaning it.
	plan.ID = types.StringValue(id)
	plan.ARN = types.StringValue(key.ARN)
	created := plan
	if created.Policy.IsUnknown() {
		created.Policy = jsontypes.NewNormalizedNull()
	}
	// Rotation is not on yet, so the guarantees are judged once the key is finished.
	created.GuaranteesBroken = types.ListNull(types.StringType)
	resp.Diagnostics.Append(resp.State.Set(ctx, created)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, key.ARN, key.ID)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := c.EnableKeyRotation(ctx, key, int32(plan.RotationPeriodDays.ValueInt64())); err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot enable key rotation", "kms:EnableKeyRotation", err))
		return
	}
	// CreateKey's answer and what was written describe the key; only the AWS default policy, which KMS
	// fills in, has to be asked for. The next refresh reads everything and catches any later drift.
	if key.Policy == "" {
		if key.Policy, err = c.KeyPolicy(ctx, id); err != nil {
			resp.Diagnostics.Append(diagnostics.APIError("Cannot read the new key", "kms:GetKeyPolicy", err))
			return
		}
	}
	if err := c.FinishKey(ctx, key); err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot finish creating the key", "kms:UntagResource", err))
		return
	}
	if _, err := plan.fromAPI(ctx, key); err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read the new key", err))
		return
	}
	plan.Region, plan.Jurisdiction = r.data.Placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// unfinished returns the key that an interrupted create with fingerprint fp left behind, read in full, or
// nil when there is none; the caller then creates one. A failed lookup is a warning, not a failed create.
func (r *keyResource) unfinished(ctx context.Context, c *awsapi.Clients, fp string, diags *diag.Diagnostics) *awsapi.Key {
	id, err := c.UnfinishedKey(ctx, fp)
	if err != nil {
		diags.Append(diagnostics.LookupFailed(ResourceType, "kms:ListKeys and kms:ListResourceTags", err))
		return nil
	}
	if id == "" {
		return nil
	}
	key, err := c.ReadKey(ctx, id)
	if err != nil {
		diags.Append(diagnostics.APIError("Cannot finish key "+id, "kms:DescribeKey", err))
		return nil
	}
	tflog.Warn(ctx, "finishing a KMS key an interrupted apply left behind", map[string]any{"key_id": id})
	diags.Append(diagnostics.Finished(ResourceType, id))
	return key
}

func (r *keyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state keyModel
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
	c := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	key, err := c.ReadKey(ctx, id)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot read key", "kms:DescribeKey", err))
		return
	}
	if why := key.Unusable(); why != "" {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, why))
		resp.State.RemoveResource(ctx)
		return
	}
	changed, err := state.fromAPI(ctx, key)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read key", err))
		return
	}
	state.Region, state.Jurisdiction = providerdata.PlacementOf(c.Region)
	found, err := identity.FromARN(key.ARN, key.ID)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read key", err))
		return
	}
	Identity.Check(ctx, req, resp, id, found)
	switch {
	case key.Unfinished != "":
		tflog.Warn(ctx, "KMS key left half-made by an interrupted apply", map[string]any{"key_id": id, "missing": changed})
		resp.Diagnostics.Append(diagnostics.Unfinished(ResourceType, id, changed))
		replaceonly.RecordDrift(ctx, req, resp, append(changed, replaceonly.UnfinishedCreate))
	case len(changed) > 0:
		tflog.Warn(ctx, "KMS key changed outside Terraform", map[string]any{"key_id": id, "changed": changed})
		resp.Diagnostics.Append(replaceonly.DriftWarning(ResourceType, id, changed))
		replaceonly.RecordDrift(ctx, req, resp, changed)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update writes a new deletion_window_days to the state alone; every other change replaces the key.
func (r *keyResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.UpdateState(ctx, ResourceType, req, resp)
	resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, func() (identity.Identity, error) {
		return identity.FromStateARN(ctx, resp.State)
	})...)
}

func (r *keyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Delete, &req.State, &resp.Diagnostics)
	var state keyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	at, err := c.ScheduleKeyDeletion(ctx, id, int32(state.deletionWindowDays()))
	if err != nil {
		if awsapi.IsNotFound(err) {
			return
		}
		if key, readErr := c.ReadKey(ctx, id); readErr == nil && key.PendingDeletion() {
			return
		}
		resp.Diagnostics.Append(diagnostics.APIError("Cannot schedule key deletion", "kms:ScheduleKeyDeletion", err))
		return
	}
	tflog.Info(ctx, "scheduled KMS key deletion", map[string]any{"key_id": id, "deletion_date": at.UTC().Format(time.RFC3339)})
}

func (r *keyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	c := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if c == nil {
		return
	}
	requested, diags := Identity.Requested(ctx, req)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(Identity.CheckImport(requested, c.Region, r.data.CallerAccount(ctx))...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := requested.ID
	if arn.IsARN(id) {
		// KMS answers for a key ARN of another account, and the emulator for one of another region too, so
		// the ARN is checked before asking: a key the provider adopted there would be read and destroyed in
		// the wrong place, or not at all.
		resp.Diagnostics.Append(foreignARNDiags(id, c.Region, r.data.CallerAccount(ctx))...)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	key, err := c.ReadKey(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot import key", "kms:DescribeKey", err))
		return
	}
	if problems := key.Problems(); len(problems) > 0 {
		resp.Diagnostics.Append(diagnostics.ImportRefused(ResourceType, id, problems))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), key.ID)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, key.ARN, key.ID)...)
}
