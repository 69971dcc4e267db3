// Package bucket is the gdpr_bucket resource: a replace-only S3 bucket for personal data. resource.go holds
// the create, read and delete calls, schema.go the schema, model.go the translation between Terraform and
// awsapi, plan.go what a plan checks (the configuration's retention through policy, residency and the
// replace-only steps through replaceonly, and what a destroy would erase), and diagnostics.go every message
// the package words. The settings the bucket always has are written, predicted and checked by awsapi.
package bucket

import (
	"context"
	"errors"
	"fmt"
	"strconv"
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
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/s3name"
)

// ResourceType is the resource's type name, in Metadata and in every diagnostic.
const ResourceType = "gdpr_bucket"

var (
	_ resource.Resource                     = (*bucketResource)(nil)
	_ resource.ResourceWithConfigure        = (*bucketResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*bucketResource)(nil)
	_ resource.ResourceWithImportState      = (*bucketResource)(nil)
	_ resource.ResourceWithConfigValidators = (*bucketResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*bucketResource)(nil)
	_ resource.ResourceWithIdentity         = (*bucketResource)(nil)
	_ resource.ResourceWithUpgradeState     = (*bucketResource)(nil)
)

// Identity is the bucket's resource identity: its account, region and name. S3 does not say which account
// owns a bucket; the account is the one whose credentials manage it.
var Identity = identity.Kind{TypeName: ResourceType, IDAttribute: "bucket", IDDescription: "The bucket's name."}

type bucketResource struct {
	data *providerdata.Data
}

// NewResource returns the gdpr_bucket resource.
func NewResource() resource.Resource {
	return &bucketResource{}
}

func (r *bucketResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = ResourceType
}

func (r *bucketResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = Identity.Schema()
}

func (r *bucketResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceonly.Schema(bucketSchema())
}

func (r *bucketResource) UpgradeState(context.Context) map[int64]resource.StateUpgrader {
	return map[int64]resource.StateUpgrader{0: {StateUpgrader: upgradeFromV0}}
}

func (r *bucketResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.data = providerdata.Get(req.ProviderData, ResourceType, &resp.Diagnostics)
}

func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Create, &resp.State, &resp.Diagnostics)
	var plan bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if c == nil {
		return
	}
	in, err := plan.toAPI(ctx, "")
	if err != nil {
		resp.Diagnostics.Append(diagnostics.InvalidTags(err))
		return
	}
	// The fingerprint marks the bucket until its create is finished, so a create killed halfway is finished
	// by the next one with the same arguments instead of leaving a bucket behind.
	in.AwaitsData = plan.OnReplace.ValueString() == OnReplaceMoveData && !plan.BucketPrefix.IsNull()
	fp := plan.fingerprint(c.Region, in)
	name, adopted := r.name(ctx, c, plan, fp, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	in.Name = name
	if in.AwaitsData {
		// The bucket this one replaces is named on it with its tags, before the create returns, so that an apply
		// that stops before the old bucket's delete leaves the pair where the next apply finds it.
		var err error
		if in.Replaces, err = c.ReplacedBucket(ctx, plan.BucketPrefix.ValueString(), name, generatedFrom(plan.BucketPrefix.ValueString())); err != nil {
			resp.Diagnostics.Append(pairingNotRecordedDiag(name, err))
		}
	}
	marked := true
	if !adopted {
		var err error
		marked, err = c.CreateBucket(ctx, name, in.ObjectLock != nil, fp)
		if awsapi.IsOwnedAlready(err) {
			marked = true
			adopted = r.ownedAlready(ctx, c, name, fp, &resp.Diagnostics)
			if !adopted {
				return
			}
		} else if err != nil {
			resp.Diagnostics.Append(diagnostics.APIError("Cannot create bucket "+name, "s3:CreateBucket", err))
			return
		} else {
			tflog.Info(ctx, "created S3 bucket", map[string]any{"bucket": name})
		}
	}

	steps := c.BucketSetup(in)
	if !marked {
		steps = append([]awsapi.BucketStep{c.MarkBucket(name, fp)}, steps...)
	}
	for _, step := range steps {
		if err := step.Run(ctx); err != nil {
			r.rollBack(ctx, c, plan, name, step.Action, err, adopted, resp)
			return
		}
	}
	// Every setting was written and acknowledged, so the state is what was written: reading it all back
	// would only cost requests. The next refresh reads everything and catches any later drift.
	plan.fromAPI(ctx, in.Created(c.Region))
	plan.Region, plan.Jurisdiction = r.data.Placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, c.Region, name)...)
	// The bucket this one replaces, if any, is deleted after this create, and its delete moves the objects
	// here: Terraform tells a create nothing of the object it replaces, so the pair meets through this list.
	if plan.OnReplace.ValueString() == OnReplaceMoveData && !plan.BucketPrefix.IsNull() && !resp.Diagnostics.HasError() {
		r.data.Successors.Add(awsapi.Successor{Prefix: plan.BucketPrefix.ValueString(), Name: name, Region: c.Region})
	}
}

// name returns the name of the bucket to create: the configured one, or for a bucket_prefix the name of a
// bucket an interrupted create with fingerprint fp left behind (adopted is then true), else a new one.
func (r *bucketResource) name(ctx context.Context, c *awsapi.Clients, plan bucketModel, fp string, diags *diag.Diagnostics) (name string, adopted bool) {
	if !plan.Bucket.IsNull() && !plan.Bucket.IsUnknown() {
		return plan.Bucket.ValueString(), false
	}
	left, err := c.UnfinishedBucket(ctx, plan.BucketPrefix.ValueString(), fp)
	switch {
	case err != nil:
		diags.Append(diagnostics.LookupFailed(ResourceType, "s3:ListAllMyBuckets and s3:GetBucketTagging", err))
	case left != "":
		tflog.Warn(ctx, "finishing an S3 bucket an interrupted apply left behind", map[string]any{"bucket": left})
		diags.Append(diagnostics.Finished(ResourceType, left))
		return left, true
	}
	name, err = newBucketName(plan, time.Now())
	if err != nil {
		diags.Append(nameNotGeneratedDiag(err))
	}
	return name, false
}

// ownedAlready decides about a bucket name that already belongs to the account: a bucket an interrupted
// create with the same fingerprint left behind is finished (true); any other is not Terraform's to take
// without an import, and the create fails saying how to import it.
func (r *bucketResource) ownedAlready(ctx context.Context, c *awsapi.Clients, name, fp string, diags *diag.Diagnostics) bool {
	got, err := c.BucketCreating(ctx, name)
	if err != nil {
		diags.Append(diagnostics.APIError("Cannot create bucket "+name, "s3:GetBucketTagging", err))
		return false
	}
	if got != fp {
		diags.Append(ownedAlreadyDiag(name, got != ""))
		return false
	}
	tflog.Warn(ctx, "finishing an S3 bucket an interrupted apply left behind", map[string]any{"bucket": name})
	diags.Append(diagnostics.Finished(ResourceType, name))
	return true
}

// rollBack deletes a half-made bucket so that no bucket exists that Terraform does not know about. When
// even that fails, the bucket is saved in state, which Terraform marks tainted and replaces next time. A
// bucket taken over from an interrupted apply (adopted) is never emptied: its contents are not known.
func (r *bucketResource) rollBack(ctx context.Context, c *awsapi.Clients, plan bucketModel, name, action string, cause error, adopted bool, resp *resource.CreateResponse) {
	if op := awsapi.Operation(cause); op != "" {
		action = op
	}
	// The clean-up must happen even when the apply was interrupted, which cancels ctx; it gets a minute.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	// A new bucket holds no objects, so deleting it usually suffices; empty it only when S3 says otherwise.
	deleteErr := c.DeleteBucket(ctx, name)
	var emptyErr error
	if deleteErr != nil && !awsapi.IsNotFound(deleteErr) && !adopted {
		if _, emptyErr = c.EmptyBucket(ctx, name, time.Now()); emptyErr == nil {
			deleteErr = c.DeleteBucket(ctx, name)
		}
	}
	if deleteErr == nil || awsapi.IsNotFound(deleteErr) {
		tflog.Warn(ctx, "rolled back a half-made S3 bucket", map[string]any{"bucket": name, "failed": action})
		resp.Diagnostics.Append(rolledBackDiag(name, action, cause))
		return
	}
	plan.ID, plan.Bucket = types.StringValue(name), types.StringValue(name)
	plan.ARN = types.StringValue(awsapi.BucketARN(name, c.Region))
	plan.moved(nil)
	// Which settings the half-made bucket has is unknown: the failed step stopped the setup.
	plan.GuaranteesBroken = types.ListNull(types.StringType)
	plan.Region, plan.Jurisdiction = r.data.Placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, c.Region, name)...)
	resp.Diagnostics.Append(taintedDiag(name, action, cause, errors.Join(emptyErr, deleteErr)))
}

func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Every path that ends without error leaves an identity, a bucket found gone included.
	defer func() {
		account := func() string { return r.data.CallerAccount(ctx) }
		resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, r.identityInState(ctx, req.State, account))...)
	}()
	c := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	name := state.ID.ValueString()
	b, err := c.ReadBucket(ctx, name)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.Gone(ResourceType, name, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot read bucket "+name, "s3:GetBucket*", err))
		return
	}
	recorded := state.Region
	changed, violations := state.fromAPI(ctx, b)
	// Where the bucket is comes from S3, not from the provider: a bucket of the same name may have been
	// made anew in another region. The plan then replaces it (replaceonly.ReplaceMoved).
	state.Region, state.Jurisdiction = providerdata.PlacementOf(b.Region)
	where := b.Region
	if !recorded.IsNull() && !recorded.IsUnknown() && recorded.ValueString() != b.Region {
		tflog.Warn(ctx, "S3 bucket found in another region", map[string]any{"bucket": name, "recorded": recorded.ValueString(), "found": b.Region})
		resp.Diagnostics.Append(movedWarning(name, recorded.ValueString(), b.Region))
		// The move is reported, and replaced, as such; the identity check looks at the rest.
		where = recorded.ValueString()
	}
	Identity.Check(ctx, req, resp, name, r.identityOf(ctx, where, name))
	drifted := append(changed, violations...)
	adopted, changed := replaceonly.SplitAdopted(ctx, req, resp, drifted)
	switch {
	case b.Unfinished != "":
		tflog.Warn(ctx, "S3 bucket left half-made by an interrupted apply", map[string]any{"bucket": name, "missing": violations})
		resp.Diagnostics.Append(diagnostics.Unfinished(ResourceType, name, violations))
		replaceonly.RecordDrift(ctx, req, resp, append(drifted, replaceonly.UnfinishedCreate))
	case len(drifted) > 0:
		if len(adopted) > 0 {
			tflog.Warn(ctx, "imported S3 bucket breaks the guarantees", map[string]any{"bucket": name, "broken": adopted})
			resp.Diagnostics.Append(replaceonly.AdoptedWarning(ResourceType, name, adopted))
		}
		if len(changed) > 0 {
			tflog.Warn(ctx, "S3 bucket changed outside Terraform", map[string]any{"bucket": name, "changed": changed})
			resp.Diagnostics.Append(replaceonly.DriftWarning(ResourceType, name, changed))
		}
		replaceonly.RecordDrift(ctx, req, resp, drifted)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update writes a new force_destroy to the state alone; every other change replaces the bucket.
func (r *bucketResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	replaceonly.UpdateState(ctx, ResourceType, req, resp)
	// An update of the state alone sends nothing to AWS, not even to learn the account for the identity.
	resp.Diagnostics.Append(Identity.Fill(ctx, resp.Identity, r.identityInState(ctx, resp.State, r.data.KnownAccount))...)
}

// Delete empties the bucket first when force_destroy allows it, and otherwise refuses to delete a bucket
// that holds data. The plan ran the same checks (see checkDestroy); these are the safety net for data that
// arrived after the plan, or a plan that could not check.
func (r *bucketResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.data.Record(ctx, ResourceType, audit.Delete, &req.State, &resp.Diagnostics)
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	c := r.data.ClientsIn(ResourceType, state.Region.ValueString(), &resp.Diagnostics)
	if c == nil {
		return
	}
	name := state.ID.ValueString()
	var to awsapi.Successor
	if state.ForceDestroy.ValueBool() {
		deleted, err := c.EmptyBucket(ctx, name, time.Now())
		var retained *awsapi.RetainedError
		switch {
		case errors.As(err, &retained):
			resp.Diagnostics.Append(retainedDiag(name, retained, atApply))
			return
		case awsapi.IsNotFound(err):
			return
		case err != nil:
			resp.Diagnostics.Append(diagnostics.APIError("Cannot empty bucket "+name, "s3:DeleteObjectVersion", err))
			return
		}
		tflog.Info(ctx, "emptied S3 bucket before deleting it", map[string]any{"bucket": name, "versions_deleted": deleted})
	} else {
		var moving bool
		to, moving = r.successor(ctx, c, state, &resp.Diagnostics)
		if !moving && !resp.Diagnostics.HasError() {
			to, moving = r.unpaired(ctx, c, state, &resp.Diagnostics)
		}
		if resp.Diagnostics.HasError() {
			return
		}
		if moving {
			var emptied bool
			if to, emptied = r.move(ctx, c, state, &req.State, to, &resp.Diagnostics); !emptied {
				return
			}
		}
	}
	if err := c.DeleteBucket(ctx, name); awsapi.IsNotEmpty(err) && to.Name != "" {
		resp.Diagnostics.Append(arrivedDuringMoveDiag(name, to.Name, err))
	} else if err != nil && !awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot destroy bucket "+name, "s3:DeleteBucket", err))
	}
}

// successor finds the bucket that receives the objects of the bucket being deleted: the bucket this apply
// created with the same bucket_prefix and on_replace = "move_data", which Terraform creates before deleting
// this one when the resource has create_before_destroy, or else the one a move that began earlier named on
// this bucket (MovingToTag). The first needs no request. moving is false when there is none; unpaired then
// decides.
func (r *bucketResource) successor(ctx context.Context, c *awsapi.Clients, state bucketModel, diags *diag.Diagnostics) (to awsapi.Successor, moving bool) {
	name, prefix := state.ID.ValueString(), state.BucketPrefix.ValueString()
	if prefix != "" {
		switch waiting := r.data.Successors.Waiting(prefix, name); {
		case len(waiting) == 1:
			return waiting[0], true
		case len(waiting) > 1:
			// An empty bucket has nothing to move, so which bucket replaces it does not matter.
			if count, _, err := c.BucketContents(ctx, name); err != nil || count > 0 {
				var names []string
				for _, w := range waiting {
					names = append(names, w.Name)
				}
				diags.Append(ambiguousSuccessorDiag(name, prefix, names))
				return to, false
			}
		}
	}
	began, err := c.MovingTo(ctx, name)
	switch {
	case awsapi.IsNotFound(err):
		return to, false
	case err != nil:
		diags.Append(diagnostics.APIError("Cannot destroy bucket "+name, "s3:GetBucketTagging", err))
		return to, false
	case began == "":
		return to, false
	}
	region, err := c.BucketRegion(ctx, began)
	if awsapi.IsNotFound(err) {
		diags.Append(successorGoneDiag(name, began))
	} else if err != nil {
		diags.Append(diagnostics.APIError("Cannot move the data of bucket "+name, "s3:GetBucketLocation", err))
	}
	return awsapi.Successor{Name: began, Region: region}, err == nil
}

// unpaired decides the delete of a bucket that no move is known for. An empty bucket, or one already gone,
// is deleted as any is. One that holds data moves into the bucket an apply created to replace it and stopped
// before the move began (see awaitingSuccessor); without one it is kept, with the error that says why.
func (r *bucketResource) unpaired(ctx context.Context, c *awsapi.Clients, state bucketModel, diags *diag.Diagnostics) (to awsapi.Successor, moving bool) {
	name := state.ID.ValueString()
	count, more, err := c.BucketContents(ctx, name)
	switch {
	case awsapi.IsNotFound(err):
		return to, false
	case err != nil:
		diags.Append(diagnostics.APIError("Cannot destroy bucket "+name, "s3:ListBucketVersions", err))
		return to, false
	case count == 0:
		return to, false
	}
	to, candidates, err := r.awaitingSuccessor(ctx, c, state)
	switch {
	case err != nil:
		diags.Append(diagnostics.APIError("Cannot move the data of bucket "+name, "s3:ListAllMyBuckets, s3:GetBucketTagging and s3:GetBucketLocation", err))
	case to.Name == "":
		diags.Append(nowhereToMove(state, count, more, candidates, atApply, false))
	default:
		tflog.Info(ctx, "resuming a move an interrupted apply did not begin", map[string]any{"from": name, "to": to.Name})
	}
	return to, to.Name != "" && err == nil
}

// awaitingSuccessor finds, for the bucket in state, the bucket that an apply created to replace it and
// stopped before the move began: the one bucket with a name generated from the same bucket_prefix that
// still awaits data and whose create named this bucket as the one it replaces (see awsapi.ReplacedBucket).
// That create saw this bucket alone with the prefix, so the name on it is as sure as the pairing the apply
// held in its process. candidates are every bucket with the prefix that awaits data, for the error when
// none names this bucket.
func (r *bucketResource) awaitingSuccessor(ctx context.Context, c *awsapi.Clients, state bucketModel) (to awsapi.Successor, candidates []string, err error) {
	name, prefix := state.ID.ValueString(), state.BucketPrefix.ValueString()
	if prefix == "" {
		return to, nil, nil
	}
	awaiting, err := c.AwaitingData(ctx, prefix, name, generatedFrom(prefix))
	if err != nil {
		return to, nil, err
	}
	var named []string
	for _, a := range awaiting {
		candidates = append(candidates, a.Name)
		if a.Replaces == name {
			named = append(named, a.Name)
		}
	}
	if len(named) != 1 {
		return to, candidates, nil
	}
	region, err := c.BucketRegion(ctx, named[0])
	if err != nil {
		return to, candidates, err
	}
	return awsapi.Successor{Prefix: prefix, Name: named[0], Region: region}, candidates, nil
}

// nowhereToMove is the error for a bucket that holds data and has no successor to move it to. For a bucket
// with on_replace = "move_data" it names the candidates: the buckets with its prefix made to receive data
// and still empty, none of which names this bucket, and says how to name one. Without candidates, the plan
// of a destroy (destroying) says that a destroy moves nothing. (Terraform plans the delete of an old bucket
// that an interrupted replacement left deposed as a destroy too; its successor is then a candidate.)
func nowhereToMove(state bucketModel, versions int, more bool, candidates []string, when stage, destroying bool) diag.Diagnostic {
	name := state.ID.ValueString()
	switch {
	case state.OnReplace.ValueString() != OnReplaceMoveData:
		return notEmptyDiag(name, versions, more, when)
	case destroying && len(candidates) == 0:
		return destroyMovesNothingDiag(name, versions, more)
	}
	return noSuccessorDiag(name, versions, more, candidates, when)
}

// move moves the objects of the bucket in state into bucket to, or into the bucket an earlier move of it
// began with, and records the move in the audit trail. It returns where the objects went and whether the
// old bucket is now empty (or gone), ready to be deleted.
func (r *bucketResource) move(ctx context.Context, c *awsapi.Clients, state bucketModel, st *tfsdk.State, to awsapi.Successor, diags *diag.Diagnostics) (awsapi.Successor, bool) {
	name := state.ID.ValueString()
	dst := r.data.ClientsIn(ResourceType, to.Region, diags)
	if dst == nil {
		return to, false
	}
	err := c.BeginMove(ctx, name, to.Name)
	var earlier *awsapi.MovingElsewhereError
	switch {
	case awsapi.IsNotFound(err):
		// The old bucket is gone already: nothing to move, nothing to delete.
		return to, true
	case errors.As(err, &earlier):
		// A move an earlier apply began goes on where it began; the bucket created now is left for the delete
		// of the bucket that bucket replaces.
		tflog.Info(ctx, "finishing the move an earlier apply began", map[string]any{"from": name, "to": earlier.To})
		region, err := c.BucketRegion(ctx, earlier.To)
		if awsapi.IsNotFound(err) {
			diags.Append(successorGoneDiag(name, earlier.To))
			return to, false
		} else if err != nil {
			diags.Append(diagnostics.APIError("Cannot move the data of bucket "+name, "s3:GetBucketLocation", err))
			return to, false
		}
		to = awsapi.Successor{Name: earlier.To, Region: region}
		if dst = r.data.ClientsIn(ResourceType, to.Region, diags); dst == nil {
			return to, false
		}
	case err != nil:
		diags.Append(diagnostics.APIError("Cannot move the data of bucket "+name, "s3:PutBucketTagging", err))
		return to, false
	default:
		r.data.Successors.Take(to.Name)
	}
	tflog.Info(ctx, "moving the objects of an S3 bucket into the bucket that replaces it", map[string]any{"from": name, "to": to.Name})
	moved, err := c.MoveObjects(ctx, name, dst, to.Name, func(m awsapi.Moved) {
		tflog.Info(ctx, "objects moved and verified so far", map[string]any{"from": name, "to": to.Name, "objects": m.Objects, "bytes": m.Bytes})
	})
	var retained *awsapi.RetainedError
	var archived *awsapi.ArchivedError
	var encrypted *awsapi.CustomerKeyError
	switch {
	case errors.As(err, &retained):
		diags.Append(retainedDiag(name, retained, atApply))
		return to, false
	case errors.As(err, &archived):
		diags.Append(archivedDiag(name, archived, moved.Objects, atApply))
		return to, false
	case errors.As(err, &encrypted):
		diags.Append(customerKeyDiag(name, encrypted, moved.Objects, atApply))
		return to, false
	case err != nil:
		diags.Append(moveFailedDiag(name, to.Name, moved, err))
		return to, false
	}
	e := audit.Event{Time: time.Now(), Action: audit.Move, ResourceType: ResourceType, CloudID: name,
		Region: state.Region.ValueString(), Jurisdiction: state.Jurisdiction.ValueString(),
		MovedTo: to.Name, MovedObjects: strconv.FormatInt(moved.Objects, 10), MovedBytes: strconv.FormatInt(moved.Bytes, 10),
		ManifestSHA256: moved.Manifest}
	// The hash is the same as the delete event's; a failure to compute it is reported there.
	e.ArgumentsSHA256, _ = providerdata.ArgumentsSHA256(st)
	r.data.RecordEvent(ctx, e, diags)
	return to, !diags.HasError()
}

// ImportState adopts a bucket by name. Its settings are read by the refresh that follows, which reports
// any guarantee the bucket breaks as adopted (not as a change behind Terraform's back), so the next plan
// replaces it.
func (r *bucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	requested, diags := Identity.Requested(ctx, req)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := requested.ID
	if problems := s3name.Problems(name); len(problems) > 0 {
		resp.Diagnostics.Append(importInvalidNameDiag(name, problems))
		return
	}
	c := r.data.ClientsFor(ResourceType, &resp.Diagnostics)
	if c == nil {
		return
	}
	region, err := c.BucketRegion(ctx, name)
	if err != nil {
		resp.Diagnostics.Append(diagnostics.APIError("Cannot import bucket "+name, "s3:GetBucketLocation", err))
		return
	}
	resp.Diagnostics.Append(Identity.CheckImport(requested, region, r.data.CallerAccount(ctx))...)
	if resp.Diagnostics.HasError() {
		return
	}
	if found, err := jurisdiction.Lookup("aws", region); err != nil {
		resp.Diagnostics.Append(importUnknownRegionDiag(name, region, err))
		return
	} else if d := policy.Residency(found, r.data.Allowed); !d.Allowed {
		resp.Diagnostics.Append(importResidencyDiag(name, d.Reason))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(r.setIdentity(ctx, resp.Identity, region, name)...)
	resp.Diagnostics.Append(replaceonly.MarkImported(ctx, resp)...)
}

// identityOf is the identity of the bucket name in region, managed with the provider's credentials.
func (r *bucketResource) identityOf(ctx context.Context, region, name string) identity.Identity {
	return identity.Identity{AccountID: r.data.CallerAccount(ctx), Region: region, ID: name}
}

// setIdentity records the identity of the bucket name in region. When STS cannot say which account the
// credentials belong to, the identity records none, with a warning: the bucket is made all the same.
func (r *bucketResource) setIdentity(ctx context.Context, dst *tfsdk.ResourceIdentity, region, name string) diag.Diagnostics {
	var diags diag.Diagnostics
	if _, err := r.data.Account(ctx); err != nil {
		diags.Append(accountUnknownDiag(name, err))
	}
	diags.Append(Identity.Set(ctx, dst, r.identityOf(ctx, region, name))...)
	return diags
}

// identityInState returns the identity of the bucket that st records, with the account account gives, for
// identity.Kind.Fill.
func (r *bucketResource) identityInState(ctx context.Context, st tfsdk.State, account func() string) func() (identity.Identity, error) {
	return func() (identity.Identity, error) {
		var name, region types.String
		if diags := st.GetAttribute(ctx, path.Root("id"), &name); diags.HasError() {
			return identity.Identity{}, fmt.Errorf("reading the bucket's name from the state: %v", diags)
		}
		if diags := st.GetAttribute(ctx, path.Root("region"), &region); diags.HasError() {
			return identity.Identity{}, fmt.Errorf("reading the bucket's region from the state: %v", diags)
		}
		return identity.Identity{AccountID: account(), Region: region.ValueString(), ID: name.ValueString()}, nil
	}
}
