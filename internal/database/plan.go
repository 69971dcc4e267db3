package database

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

// stage says whether a check runs at plan or, as the safety net behind the plan, at apply.
type stage bool

const (
	atPlan  stage = false
	atApply stage = true
)

// ModifyPlan is every check a plan of the database goes through, in order: for a destroy, what it would
// erase; otherwise residency, the backup retention against the provider's maximum, and then for a create
// what it will restore or collide with, and for an existing database the replace-only steps and what a
// replacement does with the data.
func (r *databaseResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		// A plain destroy never carries the marker a replacement's delete acts on (see replacementKey).
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacementKey, nil)...)
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req, resp)
		return
	}
	if !req.State.Raw.IsNull() {
		// Whatever replaces the database (an argument, drift, -replace), its delete learns from this marker
		// whether the data moves, even when the steps below cannot run (a provider configuration known only
		// at apply); Terraform hands it on to the plan of the new database, which confirms it.
		var id, onReplace types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("id"), &id)...)
		resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("on_replace"), &onReplace)...)
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacementKey,
			replacementMarker(id.ValueString(), onReplace.ValueString() == OnReplaceMoveData))...)
	}
	if !replaceonly.Place(ctx, r.data, ResourceType, resp) {
		return
	}
	r.checkMaxRetention(ctx, req, resp)
	if req.State.Raw.IsNull() {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkCreate(ctx, req, resp)
		return
	}
	var prior, plan databaseModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	// The plan as Place left it, with the region it places the database in.
	resp.Diagnostics.Append(resp.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if replaceonly.PlanChange(ctx, ResourceType, req, resp) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		if plan.OnReplace.ValueString() == OnReplaceMoveData {
			checkMove(prior, plan, resp)
		} else {
			checkReplaceErases(prior, resp)
		}
	}
	r.reportUnclaimed(ctx, prior, resp)
}

// checkMaxRetention holds backup_retention_days to the provider's max_retention_days, in the policy's words.
func (r *databaseResource) checkMaxRetention(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Unknown {
		return
	}
	var days types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("backup_retention_days"), &days)...)
	if !tfvalue.KnownInt64(days) {
		return
	}
	for _, p := range policy.Retention(policy.RetentionInput{ExpirationDays: days.ValueInt64Pointer(), MaxDays: r.data.MaxRetentionDays}).Problems {
		resp.Diagnostics.Append(retentionDiag(p))
	}
}

// checkDestroy fails the plan of a destroy without force_destroy in the state, since every database holds
// data, and otherwise says what the destroy erases. It needs no call to AWS.
func (r *databaseResource) checkDestroy(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var state databaseModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if !state.ForceDestroy.ValueBool() {
		resp.Diagnostics.Append(destroyRefusedDiag(id, state.OnReplace.ValueString(), atPlan))
		return
	}
	resp.Diagnostics.Append(erasureWarning(id, state.BackupRetentionDays.ValueInt64()))
}

// checkReplaceErases decides a replacement that does not move the data: it erases the database, which only
// force_destroy allows.
func checkReplaceErases(prior databaseModel, resp *resource.ModifyPlanResponse) {
	id := prior.ID.ValueString()
	if !prior.ForceDestroy.ValueBool() {
		resp.Diagnostics.Append(replacementErasesDiag(id))
		return
	}
	resp.Diagnostics.Append(erasureWarning(id, prior.BackupRetentionDays.ValueInt64()))
}

// checkMove plans a replacement that carries the data: it fails when the restore cannot make the change,
// naming each reason on its argument, and otherwise says what happens and for how long the database is
// unavailable.
func checkMove(prior, plan databaseModel, resp *resource.ModifyPlanResponse) {
	from := restorable{Engine: prior.Engine.ValueString(), EngineVersion: prior.EngineVersion.ValueString(),
		StorageGiB: prior.AllocatedStorageGiB.ValueInt64(), MasterUsername: prior.MasterUsername.ValueString()}
	to := restorable{Engine: plan.Engine.ValueString(), EngineVersion: plan.EngineVersion.ValueString(),
		StorageGiB: plan.AllocatedStorageGiB.ValueInt64(), MasterUsername: plan.MasterUsername.ValueString()}
	if plan.Engine.IsUnknown() || plan.EngineVersion.IsUnknown() || plan.AllocatedStorageGiB.IsUnknown() || plan.MasterUsername.IsUnknown() {
		// Checked again at apply, against the snapshot, before anything is restored.
		to = from
	}
	problems := restoreProblems(from, to)
	for _, p := range problems {
		resp.Diagnostics.Append(cannotMoveDiag(prior.ID.ValueString(), p))
	}
	if !plan.Region.IsUnknown() && plan.Region.ValueString() != prior.Region.ValueString() {
		// The final snapshot is taken where the old database is, and the create looks for it where the new
		// one is made: a move would leave the data behind in the old region.
		resp.Diagnostics.Append(moveAcrossRegionsDiag(prior.ID.ValueString(), prior.Region.ValueString(), plan.Region.ValueString()))
		return
	}
	if len(problems) > 0 {
		return
	}
	rekey := plan.KMSKeyARN.IsUnknown() || plan.KMSKeyARN.ValueString() != prior.KMSKeyARN.ValueString()
	upgrade := !plan.EngineVersion.IsUnknown() && plan.EngineVersion.ValueString() != prior.EngineVersion.ValueString()
	resp.Diagnostics.Append(moveWarning(prior.ID.ValueString(), prior.AllocatedStorageGiB.ValueInt64(), rekey, upgrade))
}

// checkCreate looks, for the plan of a new database, at what holds its identifier: the database a
// replacement deletes first (see replacementKey), or the move snapshots a replacement left for it (this
// create restores the newest). The new database of a replacement is planned again in the apply, right after
// the delete, and then reports the restore.
func (r *databaseResource) checkCreate(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Clients == nil {
		return
	}
	var plan databaseModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || plan.Identifier.IsUnknown() {
		return
	}
	c, id := r.data.Clients, plan.Identifier.ValueString()
	existing, err := c.ReadDatabase(ctx, id)
	switch {
	case awsapi.IsNotFound(err):
	case err != nil:
		resp.Diagnostics.Append(diagnostics.LookupFailed(ResourceType, "rds:DescribeDBInstances", err))
		return
	case deleting(existing):
	default:
		// A database holds the identifier. Terraform plans the new database of every replacement (a changed
		// argument, a change found outside Terraform, a taint, -replace) as a create beside the old one, and
		// then deletes the old one first: the marker tells that delete what it deletes, and whether the
		// data moves. The database found may also be another, whose identifier the create then finds in
		// use and stops at, touching nothing, or one an interrupted create left, which it finishes; then
		// nothing reads the marker.
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacementKey,
			replacementMarker(id, plan.OnReplace.ValueString() == OnReplaceMoveData))...)
		if existing.Unfinished != "" {
			resp.Diagnostics.Append(halfMadeWarning(id, plan.OnReplace.ValueString() == OnReplaceMoveData))
		}
		return
	}
	snaps, err := c.MoveSnapshots(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.LookupFailed(ResourceType, "rds:DescribeDBSnapshots", err))
		return
	}
	final, ok := newestFinal(snaps)
	if !ok {
		return
	}
	in, err := plan.toAPI(ctx)
	if err != nil {
		return
	}
	from := restorable{Engine: final.Engine, EngineVersion: final.EngineVersion, StorageGiB: int64(final.AllocatedStorageGiB)}
	if problems := restoreProblems(from, restorableOf(in)); len(problems) > 0 && !plan.Engine.IsUnknown() && !plan.EngineVersion.IsUnknown() && !plan.AllocatedStorageGiB.IsUnknown() {
		resp.Diagnostics.Append(cannotRestoreDiag(id, final.Identifier, problems))
		return
	}
	resp.Diagnostics.Append(willRestoreWarning(id, final, snapshotNames(snaps)))
}

// reportUnclaimed names, at every plan of an existing database, the move snapshots of its identifier that
// no create claimed: data that outlived a move, with the commands to restore or delete it.
func (r *databaseResource) reportUnclaimed(ctx context.Context, prior databaseModel, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Clients == nil {
		return
	}
	id := prior.ID.ValueString()
	snaps, err := r.data.Clients.In(prior.Region.ValueString()).MoveSnapshots(ctx, id)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.LookupFailed(ResourceType, "rds:DescribeDBSnapshots", err))
		return
	}
	if len(snaps) > 0 {
		resp.Diagnostics.Append(unclaimedWarning(id, prior.Region.ValueString(), snapshotNames(snaps)))
	}
}
