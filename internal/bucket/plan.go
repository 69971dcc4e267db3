package bucket

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/diagnostics"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

func (r *bucketResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("bucket"), path.MatchRoot("bucket_prefix")),
	}
}

// ValidateConfig checks what needs two arguments at once: that neither Object Lock nor the noncurrent
// versions outlast the expiration. Terraform validates again with the values known at apply, so arguments
// unknown at plan are checked then, before anything is created. The tags have their own validator,
// validate.Tags, shared with the other resources.
func (r *bucketResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg bucketModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() || !tfvalue.KnownInt64(cfg.ExpirationDays) {
		return
	}
	// The provider's maximum is not known while validating; ModifyPlan checks it. A noncurrent_version_days
	// left out takes its default, which no expiration is shorter than.
	in := policy.RetentionInput{ExpirationDays: cfg.ExpirationDays.ValueInt64Pointer(), MaxDays: math.MaxInt64}
	if lock := cfg.ObjectLock; lock != nil && tfvalue.KnownInt64(lock.Days) {
		in.LockDays = lock.Days.ValueInt64Pointer()
	}
	if tfvalue.KnownInt64(cfg.NoncurrentVersionDays) {
		in.NoncurrentDays = cfg.NoncurrentVersionDays.ValueInt64Pointer()
	}
	checkRetention(in, &resp.Diagnostics)
}

// ModifyPlan checks, in this order: for a destroy, what it would erase; otherwise the replace-only steps
// (residency first, then for an existing bucket a move or drift turned into a replacement, the in-place
// guard, and what a replacement would erase), and last the retention against the provider's maximum.
func (r *bucketResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req.State, true, resp)
		return
	}
	r.planReplaceOnly(ctx, req, resp)
	// The retention is checked whatever the steps above reported, so that one plan shows every problem of
	// the configuration.
	r.checkMaxRetention(ctx, req, resp)
}

// planReplaceOnly runs the steps every gdpr_* resource plans. Each returns early on an error, since the
// steps after it build on what it planned.
func (r *bucketResource) planReplaceOnly(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if !replaceonly.Place(ctx, r.data, ResourceType, resp) {
		return
	}
	if req.State.Raw.IsNull() {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.reportLeftBehind(ctx, req, resp)
		return
	}
	if replaceonly.PlanChange(ctx, ResourceType, req, resp) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		if movesData(ctx, req.Plan) {
			r.checkMove(ctx, req, resp)
		} else {
			r.checkDestroy(ctx, req.State, false, resp)
		}
		r.reportLeftBehind(ctx, req, resp)
	}
}

// reportLeftBehind names, at the plan of a create with a bucket_prefix, the buckets with that prefix that
// interrupted applies left half-made, and says when this create finishes one of them. (A fixed name is
// checked at apply: a plan cannot tell the create of a new bucket from the create half of a replacement,
// which Terraform plans with no prior state either, while the old bucket still holds the name.)
func (r *bucketResource) reportLeftBehind(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var plan bucketModel
	if req.Plan.Get(ctx, &plan).HasError() || plan.BucketPrefix.IsNull() || plan.BucketPrefix.IsUnknown() {
		return
	}
	replaceonly.ReportLeftBehind(ctx, r.data, ResourceType, req, resp, "aws s3 rb s3://%[2]s",
		func(region string) string {
			in, err := plan.toAPI(ctx, "")
			if err != nil {
				return ""
			}
			return plan.fingerprint(region, in)
		},
		func(c *awsapi.Clients, fp string) (awsapi.LeftBehind, error) {
			return c.BucketsLeftBehind(ctx, plan.BucketPrefix.ValueString(), fp)
		})
}

// checkMaxRetention holds expiration_days, and the noncurrent_version_days a version is kept after it, to
// the provider's max_retention_days, once they are known.
func (r *bucketResource) checkMaxRetention(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Unknown {
		return
	}
	var days, noncurrent types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("expiration_days"), &days)...)
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("noncurrent_version_days"), &noncurrent)...)
	if !tfvalue.KnownInt64(days) {
		return
	}
	in := policy.RetentionInput{ExpirationDays: days.ValueInt64Pointer(), MaxDays: r.data.MaxRetentionDays}
	if tfvalue.KnownInt64(noncurrent) {
		in.NoncurrentDays = noncurrent.ValueInt64Pointer()
	}
	// ValidateConfig has reported noncurrent versions that outlast the expiration.
	checkRetention(in, &resp.Diagnostics, policy.RetentionTooLong, policy.RetentionVersionsTooLong)
}

// checkRetention reports the problems the policy finds with the bucket's retention, each on the argument it
// concerns: those of the given kinds, or every one when none is given. ValidateConfig and ModifyPlan each
// report only the rules they own, so a problem is reported once.
func checkRetention(in policy.RetentionInput, diags *diag.Diagnostics, kinds ...policy.RetentionProblemKind) {
	for _, p := range policy.Retention(in).Problems {
		if len(kinds) == 0 || slices.Contains(kinds, p.Kind) {
			diags.Append(retentionDiag(p))
		}
	}
}

// checkDestroy fails a plan whose destroy would erase data without force_destroy or would be refused by
// S3 half-way, and otherwise says what will be erased; destroying says the plan is of a destroy, not of a
// replacement. It costs one or two reads, more only for the first versions of a bucket with Object Lock,
// and is skipped while the provider is not configured.
func (r *bucketResource) checkDestroy(ctx context.Context, state tfsdk.State, destroying bool, resp *resource.ModifyPlanResponse) {
	if state.Raw.IsNull() || r.data == nil || r.data.Clients == nil {
		return
	}
	var m bucketModel
	resp.Diagnostics.Append(state.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.ID.ValueString()
	// Terraform plans the delete of a replaced bucket once more in the apply, right after creating its
	// successor. That plan asks AWS nothing: the delete checks retention itself before it erases anything,
	// and a failed read here would only stop the apply before the move began.
	if waiting := r.data.Successors.Waiting(m.BucketPrefix.ValueString(), name); len(waiting) == 1 && !m.BucketPrefix.IsNull() && !m.ForceDestroy.ValueBool() {
		resp.Diagnostics.Append(moveContinuesWarning(name, waiting[0].Name, false, -1, false))
		return
	}
	check, err := r.data.Clients.In(m.Region.ValueString()).CheckDestroy(ctx, name, time.Now())
	switch {
	case awsapi.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.Append(diagnostics.DestroyCheckFailed(ResourceType, name, err))
	case check.Retained != nil:
		resp.Diagnostics.Append(retainedDiag(name, check.Retained, atPlan))
	case check.Versions > 0 && !m.ForceDestroy.ValueBool():
		// A bucket whose move began and did not finish is destroyed by finishing the move: see Delete.
		to, err := r.data.Clients.In(m.Region.ValueString()).MovingTo(ctx, name)
		switch {
		case err != nil:
			resp.Diagnostics.Append(diagnostics.DestroyCheckFailed(ResourceType, name, err))
		case to != "":
			resp.Diagnostics.Append(moveContinuesWarning(name, to, true, check.Versions, check.More))
		default:
			// A move that an apply stopped before beginning is found by the bucket created to receive it. When
			// the lookup fails the plan stops all the same: the error only lacks the candidates.
			successor, candidates, err := r.awaitingSuccessor(ctx, r.data.Clients.In(m.Region.ValueString()), m)
			if successor.Name != "" && err == nil {
				resp.Diagnostics.Append(moveResumesWarning(name, successor.Name, check.Versions, check.More))
			} else {
				resp.Diagnostics.Append(nowhereToMove(m, check.Versions, check.More, candidates, atPlan, destroying))
			}
		}
	default:
		resp.Diagnostics.Append(erasureWarning(name, check.Versions, check.More))
	}
}

// movesData reports whether the planned bucket says to move the objects of the bucket it replaces.
func movesData(ctx context.Context, plan tfsdk.Plan) bool {
	var v types.String
	return !plan.GetAttribute(ctx, path.Root("on_replace"), &v).HasError() && v.ValueString() == OnReplaceMoveData
}

// checkMove plans the replacement of a bucket whose objects move to its successor. It fails the plan when
// the move cannot succeed, each reason on the argument it concerns, and otherwise says what moves and what
// is erased, with figures read now. The successor is found at apply by the bucket_prefix the two share
// (Terraform tells a create nothing of the object it replaces), so the prefix must stay and be theirs alone.
func (r *bucketResource) checkMove(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	var prior, plan bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &prior)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name, prefix := prior.ID.ValueString(), prior.BucketPrefix.ValueString()
	if r.data == nil || r.data.Clients == nil {
		return
	}
	src, err := r.data.Clients.In(prior.Region.ValueString()).PlanMove(ctx, name, prefix, generatedFrom(prefix), time.Now())
	switch {
	case awsapi.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.Append(diagnostics.DestroyCheckFailed(ResourceType, name, err))
		return
	case src.Current+src.Noncurrent+src.DeleteMarkers == 0:
		// Nothing moves, so none of what a move needs matters: the bucket is replaced as any is.
		resp.Diagnostics.Append(erasureWarning(name, 0, false))
		return
	}
	switch {
	case plan.BucketPrefix.IsNull():
		resp.Diagnostics.AddAttributeError(path.Root("bucket"), moveFixedNameSummary, moveFixedNameDetail(name))
	case prior.BucketPrefix.IsNull() || !plan.BucketPrefix.IsUnknown() && !prior.BucketPrefix.Equal(plan.BucketPrefix):
		resp.Diagnostics.AddAttributeError(path.Root("bucket_prefix"), movePrefixSummary, movePrefixDetail(name, prefix, plan.BucketPrefix.ValueString()))
	case len(src.Siblings) > 0:
		resp.Diagnostics.AddAttributeError(path.Root("bucket_prefix"), moveSiblingsSummary, moveSiblingsDetail(name, prefix, src.Siblings))
	}
	if prior.ForceDestroy.ValueBool() {
		resp.Diagnostics.AddAttributeError(path.Root("force_destroy"), moveForceDestroySummary, moveForceDestroyDetail(name))
	}
	if src.Retained != nil {
		resp.Diagnostics.Append(retainedDiag(name, src.Retained, atPlan))
	}
	if src.Archived != nil {
		resp.Diagnostics.Append(archivedDiag(name, src.Archived, 0, atPlan))
	}
	if src.CustomerKey != nil {
		resp.Diagnostics.Append(customerKeyDiag(name, src.CustomerKey, 0, atPlan))
	}
	var from, to *policy.Lock
	if l := src.Retention.ObjectLock; l != nil {
		from = &policy.Lock{Mode: l.Mode, Days: int64(l.Days)}
	}
	if l := plan.ObjectLock; l != nil && tfvalue.KnownInt64(l.Days) {
		to = &policy.Lock{Mode: l.Mode.ValueString(), Days: l.Days.ValueInt64()}
	}
	if d := policy.MoveRetention(from, to); !d.Allowed && (plan.ObjectLock == nil || to != nil) {
		resp.Diagnostics.AddAttributeError(path.Root("object_lock"), moveRetentionSummary, moveRetentionDetail(name, d.Reason))
	}
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(moveWarning(name, src, prior.KMSKeyARN, plan.KMSKeyARN))
	}
}
