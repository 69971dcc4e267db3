package provider

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

const keyTypeName = "gdpr_key"

var (
	_ resource.Resource                = (*keyResource)(nil)
	_ resource.ResourceWithConfigure   = (*keyResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*keyResource)(nil)
	_ resource.ResourceWithImportState = (*keyResource)(nil)
)

type keyResource struct {
	immutable
}

// NewKeyResource returns the gdpr_key resource.
func NewKeyResource() resource.Resource {
	r := &keyResource{immutable{typeName: keyTypeName}}
	r.destroyCheck = r.checkDestroy
	return r
}

// checkDestroy says when the key's deletion completes, or fails the plan under key_destruction = "deny".
func (r *keyResource) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	var m keyModel
	resp.Diagnostics.Append(state.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	window := m.DeletionWindowDays.ValueInt64()
	if window == 0 {
		window = 30
	}
	at := time.Now().Add(time.Duration(window) * 24 * time.Hour)
	resp.Diagnostics.Append(keyDestructionDiag(m.ID.ValueString(), window, at, r.data.KeyDestruction == providerdata.KeyDestructionDeny))
}

func (r *keyResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_key"
}

func (r *keyResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceOnly(keySchema())
}

func keySchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "A replace-only AWS KMS key for encrypting personal data: symmetric, single-region, " +
			"with automatic rotation. Every argument forces a new key. Destroying it schedules the deletion " +
			"of the key material, which makes everything encrypted under it unreadable for good " +
			"(crypto-shredding, GDPR Art. 17).",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The key id.",
				PlanModifiers:       useState,
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The key's Amazon Resource Name, to use as `kms_key_arn` of other resources.",
				PlanModifiers:       useState,
			},
			"description": schema.StringAttribute{
				Required:            true,
				MarkdownDescription: "What the key protects. Changing it creates a new key.",
				Validators:          []validator.String{stringvalidator.LengthBetween(1, 8192)},
			},
			"deletion_window_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(30),
				MarkdownDescription: "Days, from 7 to 30, between destroy and the deletion of the key material. " +
					"Until then the deletion can be cancelled in KMS; after it, data encrypted under the key " +
					"cannot be recovered. Defaults to `30`.",
				Validators: []validator.Int64{int64validator.Between(7, 30)},
			},
			"rotation_period_days": schema.Int64Attribute{
				Optional: true,
				Computed: true,
				Default:  int64default.StaticInt64(365),
				MarkdownDescription: "Days, from 90 to 2560, between automatic rotations of the key material. " +
					"Rotation is always on. Defaults to `365`.",
				Validators: []validator.Int64{int64validator.Between(90, 2560)},
			},
			"policy": schema.StringAttribute{
				Optional:   true,
				Computed:   true,
				CustomType: jsontypes.NormalizedType{},
				MarkdownDescription: "Key policy as a JSON document, compared by meaning so formatting never " +
					"causes a difference. When unset, KMS applies its default policy, which this attribute " +
					"then reports; a later change of that policy outside Terraform still plans a replacement.",
				PlanModifiers: useState,
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the key.",
			},
			"region": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AWS region of the key: the provider's region.",
			},
			"jurisdiction": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the key's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
		},
	}
}

func (r *keyResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req, resp)
}

type keyModel struct {
	ID                 types.String         `tfsdk:"id"`
	ARN                types.String         `tfsdk:"arn"`
	Description        types.String         `tfsdk:"description"`
	DeletionWindowDays types.Int64          `tfsdk:"deletion_window_days"`
	RotationPeriodDays types.Int64          `tfsdk:"rotation_period_days"`
	Policy             jsontypes.Normalized `tfsdk:"policy"`
	Tags               types.Map            `tfsdk:"tags"`
	Region             types.String         `tfsdk:"region"`
	Jurisdiction       types.String         `tfsdk:"jurisdiction"`
}

func (m keyModel) toAPI(ctx context.Context) (awsapi.KeyInput, error) {
	in := awsapi.KeyInput{Description: m.Description.ValueString()}
	if !m.Policy.IsNull() && !m.Policy.IsUnknown() {
		in.Policy = m.Policy.ValueString()
	}
	tags, err := stringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what KMS reports into the model and returns the names of the arguments that differ from
// what the model held before: changes made outside Terraform.
func (m *keyModel) fromAPI(ctx context.Context, k *awsapi.Key) (changed []string, err error) {
	// Right after an import the model holds only the id: there is nothing to compare with yet.
	compare := !m.Description.IsNull()
	m.ID = types.StringValue(k.ID)
	m.ARN = types.StringValue(k.ARN)

	if compare && m.Description.ValueString() != k.Description {
		changed = append(changed, "description")
	}
	m.Description = types.StringValue(k.Description)

	switch {
	case !k.RotationEnabled:
		if compare {
			changed = append(changed, "rotation_period_days")
		}
		m.RotationPeriodDays = types.Int64Null()
	case k.RotationPeriodDays != nil:
		if compare && m.RotationPeriodDays.ValueInt64() != int64(*k.RotationPeriodDays) {
			changed = append(changed, "rotation_period_days")
		}
		m.RotationPeriodDays = types.Int64Value(int64(*k.RotationPeriodDays))
	case m.RotationPeriodDays.IsNull() || m.RotationPeriodDays.IsUnknown():
		// Rotation is on but the service does not report its period (some emulators): assume the default.
		m.RotationPeriodDays = types.Int64Value(365)
	}

	policy := jsontypes.NewNormalizedValue(k.Policy)
	if !m.Policy.IsNull() && !m.Policy.IsUnknown() {
		same, diags := m.Policy.StringSemanticEquals(ctx, policy)
		if diags.HasError() {
			return nil, fmt.Errorf("comparing key policies: %v", diags)
		}
		if same {
			policy = m.Policy
		} else if compare {
			changed = append(changed, "policy")
		}
	}
	m.Policy = policy

	prior, err := stringMap(ctx, m.Tags)
	if err != nil {
		return nil, err
	}
	if compare && !maps.Equal(prior, k.Tags) {
		changed = append(changed, "tags")
	}
	// An empty tag set stays as the configuration wrote it: null or {}.
	if len(k.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = mapValue(k.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = mapValue(map[string]string{})
	}
	if m.DeletionWindowDays.IsNull() || m.DeletionWindowDays.IsUnknown() {
		m.DeletionWindowDays = types.Int64Value(30)
	}
	return changed, nil
}

func (r *keyResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.audit(ctx, audit.Create, &resp.State, &resp.Diagnostics)
	var plan keyModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
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
	c := r.data.Clients
	key, err := c.CreateKey(ctx, in)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot create key", "kms:CreateKey", err))
		return
	}
	id := key.ID
	tflog.Info(ctx, "created KMS key", map[string]any{"key_id": id})

	// Save the id before anything else can fail, so a failure taints the key instead of orphaning it.
	plan.ID = types.StringValue(id)
	plan.ARN = types.StringValue(key.ARN)
	created := plan
	if created.Policy.IsUnknown() {
		created.Policy = jsontypes.NewNormalizedNull()
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, created)...)
	if resp.Diagnostics.HasError() {
		return
	}

	if err := c.EnableKeyRotation(ctx, key, int32(plan.RotationPeriodDays.ValueInt64())); err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot enable key rotation", "kms:EnableKeyRotation", err))
		return
	}
	// CreateKey's answer and what was written describe the key; only the AWS default policy, which KMS
	// fills in, has to be asked for. The next refresh reads everything and catches any later drift.
	if key.Policy == "" {
		if key.Policy, err = c.KeyPolicy(ctx, id); err != nil {
			resp.Diagnostics.Append(apiDiag("Cannot read the new key", "kms:GetKeyPolicy", err))
			return
		}
	}
	if _, err := plan.fromAPI(ctx, key); err != nil {
		resp.Diagnostics.AddError("Cannot read the new key", err.Error())
		return
	}
	plan.Region, plan.Jurisdiction = r.placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *keyResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state keyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	id := state.ID.ValueString()
	key, err := r.data.Clients.ReadKey(ctx, id)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(goneWarning(keyTypeName, id, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot read key", "kms:DescribeKey", err))
		return
	}
	if why := keyUnusable(key); why != "" {
		resp.Diagnostics.Append(goneWarning(keyTypeName, id, why))
		resp.State.RemoveResource(ctx)
		return
	}
	changed, err := state.fromAPI(ctx, key)
	if err != nil {
		resp.Diagnostics.AddError("Cannot read key", err.Error())
		return
	}
	state.Region, state.Jurisdiction = r.placement()
	if len(changed) > 0 {
		tflog.Warn(ctx, "KMS key changed outside Terraform", map[string]any{"key_id": id, "changed": changed})
		resp.Diagnostics.Append(driftWarning(keyTypeName, id, changed))
		recordDrift(ctx, req, resp, changed)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// keyUnusable says why a key can no longer protect data, or "" when it can.
func keyUnusable(k *awsapi.Key) string {
	switch k.State {
	case "PendingDeletion", "PendingReplicaDeletion":
		when := ""
		if k.DeletionAt != nil {
			when = " on " + k.DeletionAt.UTC().Format(time.DateOnly)
		}
		return "is pending deletion" + when
	case "Disabled":
		return "was disabled outside Terraform"
	}
	return ""
}

func (r *keyResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.audit(ctx, audit.Delete, &req.State, &resp.Diagnostics)
	var state keyModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	id := state.ID.ValueString()
	window := state.DeletionWindowDays.ValueInt64()
	if window == 0 {
		window = 30
	}
	at, err := r.data.Clients.ScheduleKeyDeletion(ctx, id, int32(window))
	if err != nil {
		if awsapi.IsNotFound(err) {
			return
		}
		if key, readErr := r.data.Clients.ReadKey(ctx, id); readErr == nil && key.State == "PendingDeletion" {
			return
		}
		resp.Diagnostics.Append(apiDiag("Cannot schedule key deletion", "kms:ScheduleKeyDeletion", err))
		return
	}
	tflog.Info(ctx, "scheduled KMS key deletion", map[string]any{"key_id": id, "deletion_date": at.UTC().Format(time.RFC3339)})
}

func (r *keyResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	key, err := r.data.Clients.ReadKey(ctx, req.ID)
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot import key", "kms:DescribeKey", err))
		return
	}
	if problems := keyInvariantProblems(key); len(problems) > 0 {
		resp.Diagnostics.Append(importRefusedDiag(keyTypeName, req.ID, problems))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), key.ID)...)
}

// keyInvariantProblems lists how a key breaks what gdpr_key guarantees, so an import never adopts one.
func keyInvariantProblems(k *awsapi.Key) []string {
	var p []string
	if k.MultiRegion {
		p = append(p, "it is a multi-region key, which replicates key material outside the jurisdiction")
	}
	if k.KeySpec != "SYMMETRIC_DEFAULT" || k.KeyUsage != "ENCRYPT_DECRYPT" {
		p = append(p, fmt.Sprintf("it is a %s %s key, not a symmetric ENCRYPT_DECRYPT key", k.KeySpec, k.KeyUsage))
	}
	if why := keyUnusable(k); why != "" {
		p = append(p, "it "+why)
	} else if !k.RotationEnabled {
		p = append(p, "automatic rotation is off")
	}
	return p
}
