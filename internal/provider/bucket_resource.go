package provider

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/s3name"
)

const bucketTypeName = "gdpr_bucket"

// generatedSuffixLen is how many characters a bucket_prefix gets appended: a UTC timestamp to the second
// and six random characters, so names sort by creation and never collide in practice.
const generatedSuffixLen = 20

var (
	_ resource.Resource                     = (*bucketResource)(nil)
	_ resource.ResourceWithConfigure        = (*bucketResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*bucketResource)(nil)
	_ resource.ResourceWithImportState      = (*bucketResource)(nil)
	_ resource.ResourceWithConfigValidators = (*bucketResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*bucketResource)(nil)
)

type bucketResource struct {
	immutable
}

// NewBucketResource returns the gdpr_bucket resource.
func NewBucketResource() resource.Resource {
	r := &bucketResource{immutable{typeName: bucketTypeName}}
	r.destroyCheck = r.checkDestroy
	return r
}

// checkDestroy fails a plan whose destroy would erase data without force_destroy or would be refused by
// S3 half-way, and otherwise says what will be erased. It costs one or two reads, more only for the first
// versions of a bucket with Object Lock.
func (r *bucketResource) checkDestroy(ctx context.Context, state tfsdk.State, resp *resource.ModifyPlanResponse) {
	var m bucketModel
	resp.Diagnostics.Append(state.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	name := m.ID.ValueString()
	check, err := r.data.Clients.CheckDestroy(ctx, name, time.Now())
	switch {
	case awsapi.IsNotFound(err):
		return
	case err != nil:
		resp.Diagnostics.Append(destroyCheckFailedWarning(bucketTypeName, name, err))
	case check.Retained != nil:
		resp.Diagnostics.Append(bucketRetainedPlanDiag(name, check.Retained))
	case check.Versions > 0 && !m.ForceDestroy.ValueBool():
		resp.Diagnostics.Append(bucketNotEmptyPlanDiag(name, check.Versions, check.More))
	default:
		resp.Diagnostics.Append(bucketErasureWarning(name, check.Versions, check.More))
	}
}

func (r *bucketResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_bucket"
}

func (r *bucketResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = replaceOnly(bucketSchema())
}

func bucketSchema() schema.Schema {
	useState := []planmodifier.String{stringplanmodifier.UseStateForUnknown()}
	return schema.Schema{
		MarkdownDescription: "A replace-only S3 bucket for personal data. It is always versioned, encrypted with " +
			"SSE-KMS under the given key, closed to the public, without ACLs and reachable only over TLS; a " +
			"lifecycle rule deletes data after `expiration_days` (storage limitation, GDPR Art. 5(1)(e)). Every " +
			"argument forces a new bucket, and a setting changed outside Terraform plans a replacement.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bucket name.",
				PlanModifiers:       useState,
			},
			"bucket": schema.StringAttribute{
				Optional: true,
				Computed: true,
				MarkdownDescription: "The bucket name, 3 to 63 lower-case letters, digits, periods and hyphens, " +
					"following the S3 naming rules. Exactly one of `bucket` and `bucket_prefix` is set; with " +
					"`bucket_prefix` this attribute reports the generated name.",
				PlanModifiers: useState,
				Validators:    []validator.String{bucketName()},
			},
			"bucket_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("A prefix from which the provider generates a unique bucket "+
					"name by appending %d characters (a timestamp and random characters). Use it with "+
					"`create_before_destroy` so a replacement bucket exists before the old one goes.",
					generatedSuffixLen),
				Validators: []validator.String{bucketPrefix()},
			},
			"kms_key_arn": schema.StringAttribute{
				Required: true,
				MarkdownDescription: "ARN of the KMS key under which S3 encrypts every object by default " +
					"(SSE-KMS, with S3 Bucket Keys). Usually `gdpr_key.<name>.arn`.",
				Validators: []validator.String{kmsKeyARN()},
			},
			"expiration_days": schema.Int64Attribute{
				Required: true,
				MarkdownDescription: "Days after which a lifecycle rule deletes current objects; noncurrent " +
					"versions go one day after they become noncurrent, incomplete multipart uploads one day " +
					"after they start. From 1 to the provider's `max_retention_days`.",
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"object_lock": schema.SingleNestedAttribute{
				Optional: true,
				MarkdownDescription: "Write-once retention: when set, the bucket is created with S3 Object " +
					"Lock and this default retention for every new object version.",
				Attributes: map[string]schema.Attribute{
					"mode": schema.StringAttribute{
						Required: true,
						MarkdownDescription: "`GOVERNANCE` (users with special permission can lift it) or " +
							"`COMPLIANCE` (nobody can, not even the account's root user, until it expires).",
						Validators: []validator.String{stringvalidator.OneOf("GOVERNANCE", "COMPLIANCE")},
					},
					"days": schema.Int64Attribute{
						Required: true,
						MarkdownDescription: "Days each new object version is retained; at most " +
							"`expiration_days`, since data cannot be required to outlive its own deletion.",
						Validators: []validator.Int64{int64validator.AtLeast(1)},
					},
				},
			},
			"force_destroy": schema.BoolAttribute{
				Optional: true,
				Computed: true,
				Default:  booldefault.StaticBool(false),
				MarkdownDescription: "Whether destroying the bucket may first delete every object version in it " +
					"(bypassing GOVERNANCE retention). Objects under COMPLIANCE retention or a legal hold are " +
					"never deleted: destroy then fails and names the date. Defaults to `false`.",
			},
			"tags": schema.MapAttribute{
				Optional:            true,
				ElementType:         types.StringType,
				MarkdownDescription: "Tags of the bucket. Keys must not start with `aws:`, which AWS reserves.",
			},
			"arn": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The bucket's Amazon Resource Name.",
				PlanModifiers:       useState,
			},
			"region": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "The AWS region of the bucket: the provider's region.",
			},
			"jurisdiction": schema.StringAttribute{
				Computed: true,
				MarkdownDescription: "The jurisdiction of the bucket's region: `EU`, `EEA`, `ADEQUACY`, " +
					"`PARTIAL_ADEQUACY` or `THIRD_COUNTRY`.",
			},
		},
	}
}

func (r *bucketResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	r.configure(req, resp)
}

func (r *bucketResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("bucket"), path.MatchRoot("bucket_prefix")),
	}
}

// ValidateConfig checks what needs two arguments at once.
func (r *bucketResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	var cfg bucketModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if lock := cfg.ObjectLock; lock != nil && knownInt(lock.Days) && knownInt(cfg.ExpirationDays) &&
		lock.Days.ValueInt64() > cfg.ExpirationDays.ValueInt64() {
		resp.Diagnostics.Append(lockOutlastsExpirationDiag(lock.Days.ValueInt64(), cfg.ExpirationDays.ValueInt64()))
	}
	if !cfg.Tags.IsNull() && !cfg.Tags.IsUnknown() {
		for k := range cfg.Tags.Elements() {
			if strings.HasPrefix(strings.ToLower(k), "aws:") {
				resp.Diagnostics.Append(reservedTagDiag(path.Root("tags").AtMapKey(k), k))
			}
		}
	}
}

func knownInt(v types.Int64) bool { return !v.IsNull() && !v.IsUnknown() }

// ModifyPlan adds the bucket's own plan-time check, retention against the provider's maximum, to the
// checks every gdpr_* resource gets.
func (r *bucketResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.immutable.ModifyPlan(ctx, req, resp)
	if req.Plan.Raw.IsNull() || r.data == nil || r.data.Unknown {
		return
	}
	var days types.Int64
	resp.Diagnostics.Append(req.Plan.GetAttribute(ctx, path.Root("expiration_days"), &days)...)
	if knownInt(days) && days.ValueInt64() > r.data.MaxRetentionDays {
		resp.Diagnostics.Append(retentionTooLongDiag(days.ValueInt64(), r.data.MaxRetentionDays))
	}
}

type bucketModel struct {
	ID             types.String     `tfsdk:"id"`
	Bucket         types.String     `tfsdk:"bucket"`
	BucketPrefix   types.String     `tfsdk:"bucket_prefix"`
	KMSKeyARN      types.String     `tfsdk:"kms_key_arn"`
	ExpirationDays types.Int64      `tfsdk:"expiration_days"`
	ObjectLock     *objectLockModel `tfsdk:"object_lock"`
	ForceDestroy   types.Bool       `tfsdk:"force_destroy"`
	Tags           types.Map        `tfsdk:"tags"`
	ARN            types.String     `tfsdk:"arn"`
	Region         types.String     `tfsdk:"region"`
	Jurisdiction   types.String     `tfsdk:"jurisdiction"`
}

type objectLockModel struct {
	Mode types.String `tfsdk:"mode"`
	Days types.Int64  `tfsdk:"days"`
}

func (m bucketModel) toAPI(ctx context.Context, name string) (awsapi.BucketInput, error) {
	in := awsapi.BucketInput{
		Name:           name,
		KMSKeyARN:      m.KMSKeyARN.ValueString(),
		ExpirationDays: int32(m.ExpirationDays.ValueInt64()),
	}
	if m.ObjectLock != nil {
		in.ObjectLock = &awsapi.ObjectLock{Mode: m.ObjectLock.Mode.ValueString(), Days: int32(m.ObjectLock.Days.ValueInt64())}
	}
	tags, err := stringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what S3 reports into the model. It returns the arguments that differ from what the model
// held (changed) and the enforced settings the bucket breaks (violations); both mean an integrity event.
func (m *bucketModel) fromAPI(ctx context.Context, b *awsapi.Bucket) (changed, violations []string) {
	// Right after an import the model holds only the name: there is nothing to compare arguments with.
	compare := !m.KMSKeyARN.IsNull()
	m.ID = types.StringValue(b.Name)
	m.Bucket = types.StringValue(b.Name)
	m.ARN = types.StringValue(awsapi.BucketARN(b.Name, b.Region))

	key := types.StringNull()
	if b.EncryptionAlgorithm == "aws:kms" && b.KMSKeyID != "" {
		key = types.StringValue(b.KMSKeyID)
	}
	if compare && !m.KMSKeyARN.Equal(key) {
		changed = append(changed, "kms_key_arn")
	}
	m.KMSKeyARN = key

	expiration := types.Int64Null()
	if b.ExpirationDays != nil {
		expiration = types.Int64Value(int64(*b.ExpirationDays))
	}
	if compare && !m.ExpirationDays.Equal(expiration) {
		changed = append(changed, "expiration_days")
	}
	m.ExpirationDays = expiration

	var lock *objectLockModel
	if b.ObjectLock != nil {
		lock = &objectLockModel{Mode: types.StringValue(b.ObjectLock.Mode), Days: types.Int64Value(int64(b.ObjectLock.Days))}
	}
	if compare && !sameLock(m.ObjectLock, lock) {
		changed = append(changed, "object_lock")
	}
	m.ObjectLock = lock

	prior, _ := stringMap(ctx, m.Tags)
	if compare && !maps.Equal(prior, b.Tags) {
		changed = append(changed, "tags")
	}
	if len(b.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = mapValue(b.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = mapValue(map[string]string{})
	}
	if m.ForceDestroy.IsNull() || m.ForceDestroy.IsUnknown() {
		m.ForceDestroy = types.BoolValue(false)
	}
	return changed, bucketViolations(ctx, b)
}

func sameLock(a, b *objectLockModel) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Mode.Equal(b.Mode) && a.Days.Equal(b.Days)
}

// bucketViolations names every enforced setting the bucket does not have.
func bucketViolations(ctx context.Context, b *awsapi.Bucket) []string {
	var v []string
	if b.Versioning != "Enabled" {
		v = append(v, "versioning")
	}
	if b.EncryptionAlgorithm != "aws:kms" || b.KMSKeyID == "" || !b.BucketKeyEnabled {
		v = append(v, "encryption")
	}
	if b.ExpirationDays == nil || b.NoncurrentExpireDays == nil || *b.NoncurrentExpireDays != 1 ||
		b.AbortMultipartAfterDays == nil || *b.AbortMultipartAfterDays != 1 {
		v = append(v, "lifecycle")
	}
	if b.ObjectLock != nil && !b.ObjectLockEnabled {
		v = append(v, "object_lock")
	}
	if !b.PublicAccessBlocked {
		v = append(v, "public_access_block")
	}
	if b.Ownership != "BucketOwnerEnforced" {
		v = append(v, "ownership")
	}
	want := jsontypes.NewNormalizedValue(awsapi.TLSOnlyPolicy(b.Name, b.Region))
	if same, diags := want.StringSemanticEquals(ctx, jsontypes.NewNormalizedValue(b.Policy)); b.Policy == "" || diags.HasError() || !same {
		v = append(v, "policy")
	}
	return v
}

// newBucketName returns the configured name, or one generated from the prefix.
func newBucketName(m bucketModel, now time.Time) (string, error) {
	if !m.Bucket.IsNull() && !m.Bucket.IsUnknown() {
		return m.Bucket.ValueString(), nil
	}
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	random := make([]byte, generatedSuffixLen-14)
	if _, err := rand.Read(random); err != nil {
		return "", err
	}
	for i, b := range random {
		random[i] = alphabet[int(b)%len(alphabet)]
	}
	return m.BucketPrefix.ValueString() + now.UTC().Format("20060102150405") + string(random), nil
}

func (r *bucketResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	defer r.audit(ctx, audit.Create, &resp.State, &resp.Diagnostics)
	var plan bucketModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	c := r.data.Clients
	name, err := newBucketName(plan, time.Now())
	if err != nil {
		resp.Diagnostics.AddError("Cannot generate a bucket name", err.Error())
		return
	}
	in, err := plan.toAPI(ctx, name)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("tags"), "Invalid tags", err.Error())
		return
	}
	if err := c.CreateBucket(ctx, name, in.ObjectLock != nil); err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot create bucket "+name, "s3:CreateBucket", err))
		return
	}
	tflog.Info(ctx, "created S3 bucket", map[string]any{"bucket": name})

	for _, step := range c.BucketSetup(in) {
		if err := step.Run(ctx); err != nil {
			r.rollBack(ctx, plan, name, step.Action, err, resp)
			return
		}
	}
	// Every setting was written and acknowledged, so the state is what was written: reading it all back
	// would only cost requests. The next refresh reads everything and catches any later drift.
	plan.fromAPI(ctx, in.Created(c.Region))
	plan.Region, plan.Jurisdiction = r.placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

// rollBack deletes a half-made bucket so that no bucket exists that Terraform does not know about. When
// even that fails, the bucket is saved in state, which Terraform marks tainted and replaces next time.
func (r *bucketResource) rollBack(ctx context.Context, plan bucketModel, name, action string, cause error, resp *resource.CreateResponse) {
	if op := awsapi.Operation(cause); op != "" {
		action = op
	}
	c := r.data.Clients
	// The clean-up must happen even when the apply was interrupted, which cancels ctx; it gets a minute.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	// A new bucket holds no objects, so deleting it usually suffices; empty it only when S3 says otherwise.
	deleteErr := c.DeleteBucket(ctx, name)
	var emptyErr error
	if deleteErr != nil && !awsapi.IsNotFound(deleteErr) {
		if _, emptyErr = c.EmptyBucket(ctx, name, time.Now()); emptyErr == nil {
			deleteErr = c.DeleteBucket(ctx, name)
		}
	}
	if deleteErr == nil || awsapi.IsNotFound(deleteErr) {
		tflog.Warn(ctx, "rolled back a half-made S3 bucket", map[string]any{"bucket": name, "failed": action})
		resp.Diagnostics.Append(bucketRolledBackDiag(name, action, cause))
		return
	}
	plan.ID, plan.Bucket = types.StringValue(name), types.StringValue(name)
	plan.ARN = types.StringValue(awsapi.BucketARN(name, c.Region))
	plan.Region, plan.Jurisdiction = r.placement()
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
	resp.Diagnostics.Append(bucketTaintedDiag(name, action, cause, errors.Join(emptyErr, deleteErr)))
}

func (r *bucketResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	name := state.ID.ValueString()
	b, err := r.data.Clients.ReadBucket(ctx, name)
	if awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(goneWarning(bucketTypeName, name, "no longer exists"))
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiDiag("Cannot read bucket "+name, "s3:GetBucket*", err))
		return
	}
	b.Region = r.data.Clients.Region
	changed, violations := state.fromAPI(ctx, b)
	state.Region, state.Jurisdiction = r.placement()
	if drifted := append(changed, violations...); len(drifted) > 0 {
		tflog.Warn(ctx, "S3 bucket changed outside Terraform", map[string]any{"bucket": name, "changed": drifted})
		resp.Diagnostics.Append(driftWarning(bucketTypeName, name, drifted))
		recordDrift(ctx, req, resp, drifted)
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *bucketResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	defer r.audit(ctx, audit.Delete, &req.State, &resp.Diagnostics)
	var state bucketModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.clients(&resp.Diagnostics) == nil {
		return
	}
	c := r.data.Clients
	name := state.ID.ValueString()
	if state.ForceDestroy.ValueBool() {
		deleted, err := c.EmptyBucket(ctx, name, time.Now())
		var retained *awsapi.RetainedError
		switch {
		case errors.As(err, &retained):
			resp.Diagnostics.Append(bucketRetainedDiag(name, retained))
			return
		case awsapi.IsNotFound(err):
			return
		case err != nil:
			resp.Diagnostics.Append(apiDiag("Cannot empty bucket "+name, "s3:DeleteObjectVersion", err))
			return
		}
		tflog.Info(ctx, "emptied S3 bucket before deleting it", map[string]any{"bucket": name, "versions_deleted": deleted})
	} else {
		count, more, err := c.BucketContents(ctx, name)
		switch {
		case awsapi.IsNotFound(err):
			return
		case err != nil:
			resp.Diagnostics.Append(apiDiag("Cannot destroy bucket "+name, "s3:ListBucketVersions", err))
			return
		case count > 0:
			resp.Diagnostics.Append(bucketNotEmptyDiag(name, count, more))
			return
		}
	}
	if err := c.DeleteBucket(ctx, name); err != nil && !awsapi.IsNotFound(err) {
		resp.Diagnostics.Append(apiDiag("Cannot destroy bucket "+name, "s3:DeleteBucket", err))
	}
}

func (r *bucketResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if problems := s3name.Problems(req.ID); len(problems) > 0 {
		resp.Diagnostics.Append(importRefusedDiag(bucketTypeName, req.ID, []string{"it is not a valid bucket name: " + strings.Join(problems, "; ")}))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
}
