package bucket

import (
	"context"
	"math"
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

// ValidateConfig checks what needs two arguments at once: that Object Lock does not outlast the expiration.
// Terraform validates again with the values known at apply, so arguments unknown at plan are checked then,
// before anything is created. The tags have their own validator, validate.Tags, shared with the other resources.
func (r *bucketResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg bucketModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if lock := cfg.ObjectLock; lock != nil && tfvalue.KnownInt64(lock.Days) && tfvalue.KnownInt64(cfg.ExpirationDays) {
		// The provider's maximum is not known while validating; ModifyPlan checks it.
		checkRetention(policy.RetentionInput{
			ExpirationDays: cfg.ExpirationDays.ValueInt64Pointer(),
			LockDays:       lock.Days.ValueInt64Pointer(),
			MaxDays:        math.MaxInt64,
		}, &resp.Diagnostics)
	}
}

// ModifyPlan checks, in this order: for a destroy, what it would erase; otherwise the replace-only steps
// (residency first, then for an existing bucket a move or drift turned into a replacement, the in-place
// guard, and what a replacement would erase), and last the retention against the provider's maximum.
func (r *bucketResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if replaceonly.IsDestroy(req) {
		r.data.CheckAudit(ResourceType, &resp.Diagnostics)
		r.checkDestroy(ctx, req.State, resp)
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
		r.checkDestroy(ctx, req.State, resp)
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

// checkMaxRetention holds expiration_days to the provider's max_retention_days, once both are known.
func (r *bucketResource) checkMaxRetention(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if r.data == nil || r.data.Unknown {
		return
	}
	var days types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("expiration_days"), &days)...)
	if !tfvalue.KnownInt64(days) {
		return
	}
	checkRetention(policy.RetentionInput{ExpirationDays: days.ValueInt64Pointer(), MaxDays: r.data.MaxRetentionDays}, &resp.Diagnostics)
}

// checkRetention reports every problem the policy finds with the bucket's retention, each on the argument
// it concerns. ValidateConfig and ModifyPlan each give it only the values whose rule they own, so a problem
// is reported once.
func checkRetention(in policy.RetentionInput, diags *diag.Diagnostics) {
	for _, p := range policy.Retention(in).Problems {
		diags.Append(retentionDiag(p))
	}
}

// checkDestroy fails a plan whose destroy would erase data without force_destroy or would be refused by
// S3 half-way, and otherwise says what will be erased. It costs one or two reads, more only for the first
// versions of a bucket with Object Lock, and is skipped while the provider is not configured.
func (r *bucketResource) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	if state.Raw.IsNull() || r.data == nil || r.data.Clients == nil {
		return
	}
	var m bucketModel
	resp.Diagnostics.Append(state.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.ID.ValueString()
	check, err := r.data.Clients.In(m.Region.ValueString()).CheckDestroy(ctx, name, time.Now())
	switch {
	case awsapi.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.Append(diagnostics.DestroyCheckFailed(ResourceType, name, err))
	case check.Retained != nil:
		resp.Diagnostics.Append(retainedDiag(name, check.Retained, atPlan))
	case check.Versions > 0 && !m.ForceDestroy.ValueBool():
		resp.Diagnostics.Append(notEmptyDiag(name, check.Versions, check.More, atPlan))
	default:
		resp.Diagnostics.Append(erasureWarning(name, check.Versions, check.More))
	}
}
