// Package database is the gdpr_database resource: a replace-only Amazon RDS DB instance for personal data,
// whose replacement can carry the data through a snapshot re-encrypted under the new key. resource.go holds
// its lifecycle (create or restore, read, delete, import), schema.go its arguments, model.go the
// translation between Terraform values and awsapi, plan.go what a plan checks and in which order, move.go
// what a replacement that carries the data decides, and diagnostics.go the wording of every message. The AWS
// calls live in awsapi (rds_*.go); the steps every replace-only resource shares live in replaceonly.
package database

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
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
const ResourceType = "gdpr_database"

// timeout bounds each wait of a create, restore, snapshot copy or delete. RDS takes minutes for each, and
// a large database's snapshot or restore can take an hour.
const timeout = 90 * time.Minute

var (
	_ resource.Resource                = (*databaseResource)(nil)
	_ resource.ResourceWithConfigure   = (*databaseResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*databaseResource)(nil)
	_ resource.ResourceWithImportState = (*databaseResource)(nil)
	_ resource.ResourceWithIdentity    = (*databaseResource)(nil)
)

// Identity is the database's resource identity: its account, region and identifier.
var Identity = identity.Kind{TypeName: ResourceType, IDAttribute: "id",
	IDDescription: "The DB instance identifier, such as `customers`."}

type databaseResource struct {
	data *providerdata.Data
}

// NewResource returns the gdpr_database resource.
func NewResource() resource.Resource {
	return &databaseResource{}
}

func (r *databaseResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (r *databaseResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = Identity.Schema()
}

func (r *databaseResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceonly.Schema(databaseSchema())
}

func (r *databaseResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

// deleting reports whether RDS is deleting the instance: it is no longer the database, and its identifier
// is free once the delete ends.
func deleting(d *awsapi.Database) bool { return d.Status == "deleting" }

// Create makes the database, or restores it from the move snapshot a replacement left for it, and finishes
// a create that an interrupted apply began with the same arguments. The move snapshots are deleted only
// once the new database is available and keeps every guarantee, so until then the data is in them.
func (r *databaseResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Create, &resp.State, &resp.Diagnostics)
	var plan databaseModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	// The marker of a replacement's plan must not outlive it in the state.
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacementKey, nil)...)
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
	fp := fingerprint(c.Region, in)
	db, snaps, from := r.begin(ctx, c, in, fp, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id := in.Identifier

	// Save the database before anything else can fail, so a failure taints it instead of orphaning it.
	created := plan
	created.ID = types.StringValue(id)
	created.ARN = optionalString(db.ARN)
	created.ResourceID = optionalString(db.ResourceID)
	created.RestoredFromSnapshot = optionalString(from)
	created.Region, created.Jurisdiction = r.data.Placement()
	created.Endpoint, created.Port, created.MasterUserSecretARN = types.StringNull(), types.Int64Null(), types.StringNull()
	if created.SubnetGroupName.IsUnknown() {
		created.SubnetGroupName = types.StringNull()
	}
	if created.SecurityGroupIDs.IsUnknown() {
		created.SecurityGroupIDs = types.SetNull(types.StringType)
	}
	created.GuaranteesBroken = types.ListNull(types.StringType)
	resp.Diagnostics.Append(resp.State.Set(ctx, created)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, db.ARN, id)...)
	if resp.Diagnostics.HasError() {
		return
	}

	db, err = c.WaitDatabaseAvailable(ctx, id, in.EngineVersion, timeout)
	if err != nil {
		resp.Diagnostics.Append(notAvailableDiag(id, from, err))
		return
	}
	if _, err := plan.fromAPI(ctx, db); err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read the new database", err))
		return
	}
	plan.RestoredFromSnapshot = optionalString(from)
	plan.Region, plan.Jurisdiction = r.data.Placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	if problems := db.Problems(); len(problems) > 0 {
		// The database is in state, so this error taints it and the next apply replaces it; the move
		// snapshots stay, so the data is still in them.
		resp.Diagnostics.Append(guaranteesDiag(id, from, awsapi.ProblemReasons(problems)))
		return
	}
	if len(snaps) > 0 {
		r.recordMove(ctx, c, id, snaps, &resp.State, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		for _, s := range snaps {
			if err := c.DeleteSnapshot(ctx, s.Identifier); err != nil {
				resp.Diagnostics.Append(snapshotNotDeletedDiag(id, s.Identifier, err))
				return
			}
		}
		tflog.Info(ctx, "moved the data of an RDS database", map[string]any{"identifier": id, "snapshots": snapshotNames(snaps)})
	}
	if err := c.FinishDatabase(ctx, db); err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot finish creating the database", "rds:RemoveTagsFromResource", err))
	}
}

// begin starts the create: it finishes the database an interrupted create with the same arguments began,
// or restores the database from the move snapshots a replacement left, or creates it empty. It returns
// the database as RDS first answered, the move snapshots of the identifier (which the create deletes once
// it is done), and the one it restored from ("" for an empty database).
func (r *databaseResource) begin(ctx context.Context, c *awsapi.Clients, in awsapi.DatabaseInput, fp string, diags *diag.Diagnostics) (db *awsapi.Database, snaps []awsapi.Snapshot, from string) {
	id := in.Identifier
	existing, err := c.ReadDatabase(ctx, id)
	switch {
	case err == nil && deleting(existing):
		// The delete of the database this one replaces began in an apply that stopped: wait for it to end.
		if err := c.DeleteDatabase(ctx, id, "", timeout); err != nil {
			diags.Append(diagnostics.APIError("Cannot create database "+id, "rds:DescribeDBInstances", err))
			return nil, nil, ""
		}
		existing = nil
	case err == nil && existing.Unfinished == fp:
	case err == nil:
		diags.Append(identifierInUseDiag(id, existing.Unfinished != ""))
		return nil, nil, ""
	case !awsapi.IsNotFound(err):
		diags.Append(diagnostics.APIError("Cannot create database "+id, "rds:DescribeDBInstances", err))
		return nil, nil, ""
	}
	snaps, err = c.MoveSnapshots(ctx, id)
	if err != nil {
		diags.Append(diagnostics.APIError("Cannot create database "+id, "rds:DescribeDBSnapshots", err))
		return nil, nil, ""
	}
	if existing != nil {
		tflog.Warn(ctx, "finishing an RDS database an interrupted apply left behind", map[string]any{"identifier": id})
		diags.Append(diagnostics.Finished(ResourceType, id))
		if final, ok := newestFinal(snaps); ok {
			from = final.Identifier
		}
		return existing, snaps, from
	}
	if len(snaps) == 0 {
		db, err = c.CreateDatabase(ctx, in, fp)
		if awsapi.IsSubnetGroupNotFound(err) {
			diags.Append(subnetGroupNotFoundDiag(id, err))
			return nil, nil, ""
		}
		if err != nil {
			diags.Append(diagnostics.APIError("Cannot create database "+id, "rds:CreateDBInstance", err))
			return nil, nil, ""
		}
		tflog.Info(ctx, "created RDS database", map[string]any{"identifier": id})
		return db, nil, ""
	}

	final, _ := newestFinal(snaps)
	if problems := restoreProblems(restorable{Engine: final.Engine, EngineVersion: final.EngineVersion,
		StorageGiB: int64(final.AllocatedStorageGiB)}, restorableOf(in)); len(problems) > 0 {
		diags.Append(cannotRestoreDiag(id, final.Identifier, problems))
		return nil, nil, ""
	}
	source, err := restoreSource(ctx, c, snaps, in.KMSKeyARN, timeout)
	if err != nil {
		diags.Append(snapshotNotReadyDiag(id, final.Identifier, err))
		return nil, nil, ""
	}
	if !slices.ContainsFunc(snaps, func(s awsapi.Snapshot) bool { return s.Identifier == source.Identifier }) {
		snaps = append(snaps, source)
	}
	db, err = c.RestoreDatabase(ctx, source.Identifier, in, fp)
	if awsapi.IsSubnetGroupNotFound(err) {
		diags.Append(subnetGroupNotFoundDiag(id, err))
		return nil, nil, ""
	}
	if err != nil {
		diags.Append(restoreFailedDiag(id, source.Identifier, err))
		return nil, nil, ""
	}
	tflog.Info(ctx, "restoring RDS database from its move snapshot", map[string]any{"identifier": id, "snapshot": source.Identifier})
	return db, snaps, final.Identifier
}

func restorableOf(in awsapi.DatabaseInput) restorable {
	return restorable{Engine: in.Engine, EngineVersion: in.EngineVersion, StorageGiB: int64(in.AllocatedStorageGiB),
		MasterUsername: in.MasterUsername}
}

// recordMove writes the move event: the data of the database with this identifier now sits in the new
// database, restored from snaps (which the create deletes next).
func (r *databaseResource) recordMove(ctx context.Context, c *awsapi.Clients, id string, snaps []awsapi.Snapshot, st *tfsdk.State, diags *diag.Diagnostics) {
	region, jurisdiction := providerdata.PlacementOf(c.Region)
	e := audit.Event{Time: time.Now(), Action: audit.Move, ResourceType: ResourceType, CloudID: id,
		Region: region.ValueString(), Jurisdiction: jurisdiction.ValueString(), MovedTo: id,
		Snapshots: strings.Join(snapshotNames(snaps), ",")}
	e.ArgumentsSHA256, _ = providerdata.ArgumentsSHA256(st)
	r.data.RecordEvent(ctx, e, diags)
}

func (r *databaseResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state databaseModel
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
	db, err := c.ReadDatabase(ctx, id)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot read database", "rds:DescribeDBInstances", err))
		return
	}
	if deleting(db) {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, id, "is being deleted"))
		resp.State.RemoveResource(ctx)
		return
	}
	imported := state.Engine.IsNull()
	changed, err := state.fromAPI(ctx, db)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read database", err))
		return
	}
	state.Region, state.Jurisdiction = providerdata.PlacementOf(c.Region)
	found, err := identity.FromARN(db.ARN, db.Identifier)
	if err != nil {
		resp.Diagnostics.Append(unreadableDiag("Cannot read database", err))
		return
	}
	Identity.Check(ctx, req, resp, id, found)
	replaceonly.ReportFound(ctx, req, resp, ResourceType, id, replaceonly.Found{Changed: changed, Problems: db.Problems(),
		Unfinished: db.Unfinished != "", Imported: imported}, importedWarning)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update writes a new force_destroy or on_replace to the state alone; every other change replaces the
// database.
func (r *databaseResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.UpdateState(ctx, ResourceType, req, resp)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, replacementKey, nil)...)
	resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, func() (identity.Identity, error) {
		return identity.FromStateARN(ctx, resp.State)
	})...)
}

// Delete deletes the database. As the first half of a replacement that carries the data, it has RDS take a
// final snapshot once the database accepts no more writes, and waits for it: the create that follows
// restores it. Otherwise it erases the database with its automated backups, which only force_destroy
// allows (the plan refused it first; this is the safety net).
func (r *databaseResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Delete, &req.State, &resp.Diagnostics)
	var state databaseModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	id := state.ID.ValueString()
	if !markedForMove(ctx, req.Private, id) {
		if !state.ForceDestroy.ValueBool() {
			resp.Diagnostics.Append(destroyRefusedDiag(id, state.OnReplace.ValueString(), atApply))
			return
		}
		if err := c.DeleteDatabase(ctx, id, "", timeout); err != nil {
			resp.Diagnostics.Append(notDeletedDiag(id, "", err))
			return
		}
		tflog.Info(ctx, "deleted RDS database", map[string]any{"identifier": id})
		return
	}
	db, err := c.ReadDatabase(ctx, id)
	switch {
	case awsapi.IsNotFound(err):
		// An earlier delete of this replacement finished; its snapshot waits for the create.
		return
	case err != nil:
		resp.Diagnostics.Append(diagnostics.APIError("Cannot destroy database "+id, "rds:DescribeDBInstances", err))
		return
	}
	final := finalSnapshotName(id, db.ResourceID)
	if err := c.DeleteDatabase(ctx, id, final, timeout); err != nil {
		resp.Diagnostics.Append(notDeletedDiag(id, final, err))
		return
	}
	tflog.Info(ctx, "deleted RDS database with its move snapshot", map[string]any{"identifier": id, "snapshot": final})
}

func (r *databaseResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
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
	db, err := c.ReadDatabase(ctx, requested.ID)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot import database", "rds:DescribeDBInstances", err))
		return
	}
	if deleting(db) {
		resp.Diagnostics.Append(diagnostics.ImportRefused(ResourceType, requested.ID, []string{"it is being deleted"}))
		return
	}
	// A database that breaks the guarantees is adopted all the same, so the next apply can replace it,
	// through a move, with one that keeps them; the read that follows the import warns and records why.
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), db.Identifier)...)
	resp.Diagnostics.Append(Identity.SetFromARN(ctx, resp.Identity, db.ARN, db.Identifier)...)
	resp.Diagnostics.Append(replaceonly.MarkImported(ctx, resp)...)
}
