// Package move is the gdpr_move_objects action: it brings the personal data that already sits in a bucket
// made outside this provider (by hand, by a script, by hashicorp/aws) into a gdpr_bucket. Invoked with
// terraform apply -invoke=action.gdpr_move_objects.<name>, or from a resource's action_trigger, it copies
// each object server-side under the target's KMS key, verifies it by checksum, and only then erases every
// version and delete marker of it from the source, with the bucket replacement's engine (awsapi.MoveObjects).
package move

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// TypeName is the action's name in configurations.
const TypeName = "gdpr_move_objects"

var (
	_ action.Action                   = (*moveAction)(nil)
	_ action.ActionWithConfigure      = (*moveAction)(nil)
	_ action.ActionWithValidateConfig = (*moveAction)(nil)
	_ action.ActionWithModifyPlan     = (*moveAction)(nil)
)

type moveAction struct {
	data *providerdata.Data
}

// NewAction returns the gdpr_move_objects action.
func NewAction() action.Action { return &moveAction{} }

func (a *moveAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

func (a *moveAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerdata.Get(req.ProviderData, TypeName, &resp.Diagnostics)
}

// ModifyPlan fails the plan of an invocation whose event the audit trail could not take, before anything
// is copied or erased.
func (a *moveAction) ModifyPlan(_ context.Context, _ action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	a.data.CheckAuditAction(TypeName, &resp.Diagnostics)
}

// side is one of the two buckets, with the clients of the region it is in.
type side struct {
	name, region string
	c            *awsapi.Clients
}

func (a *moveAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if cfg.From.ValueString() == cfg.To.ValueString() {
		resp.Diagnostics.Append(sameBucketDiag(path.Root("to"), cfg.To.ValueString()))
		return
	}
	a.data.CheckAuditAction(TypeName, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	from := a.locate(ctx, path.Root("from"), cfg.From.ValueString(), &resp.Diagnostics)
	to := a.locate(ctx, path.Root("to"), cfg.To.ValueString(), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	prefix, erase := cfg.Prefix.ValueString(), cfg.eraseSource()
	progress(fmt.Sprintf("checking bucket %s (%s) and the objects %s in bucket %s (%s)", to.name, to.region, scope(prefix), from.name, from.region))
	if !a.check(ctx, from, to, prefix, &resp.Diagnostics) {
		return
	}
	opts := awsapi.MoveOptions{Prefix: prefix, KeepSource: !erase, Untracked: true}
	moved, err := from.c.MoveObjectsWith(ctx, from.name, to.c, to.name, opts, func(m awsapi.Moved) {
		progress(fmt.Sprintf("%s %d objects (%d bytes), each verified in bucket %s", verb(erase), m.Objects, m.Bytes, to.name))
	})
	if err != nil {
		resp.Diagnostics.Append(moveFailedDiag(from.name, to.name, moved, erase, err))
		var stopped *awsapi.MoveError
		if moved.Objects == 0 || !errors.As(err, &stopped) {
			return
		}
		// What was moved before the failure stands, and is accounted for.
	} else {
		progress(fmt.Sprintf("%s %d objects (%d bytes) %s from bucket %s to bucket %s", verb(erase), moved.Objects, moved.Bytes, scope(prefix), from.name, to.name))
		if moved.Objects == 0 {
			resp.Diagnostics.Append(nothingToMoveWarning(from.name, scope(prefix)))
		}
	}
	tflog.Info(ctx, "objects moved", map[string]any{"from": from.name, "to": to.name, "objects": moved.Objects,
		"bytes": moved.Bytes, "erase_source": erase})
	a.record(ctx, req.Config, from, to, moved, &resp.Diagnostics)
}

// locate asks S3 where bucket name is, refuses a region outside the allowed jurisdictions, and returns the
// bucket with the clients of its region; nil with an error diagnostic on p otherwise.
func (a *moveAction) locate(ctx context.Context, p path.Path, name string, diags *diag.Diagnostics) side {
	c := a.data.ClientsFor(TypeName, diags)
	if c == nil {
		return side{}
	}
	region, err := c.BucketRegion(ctx, name)
	if err != nil {
		diags.Append(bucketRegionDiag(p, name, err))
		return side{}
	}
	found, err := jurisdiction.Lookup("aws", region)
	if err != nil {
		diags.Append(unknownRegionDiag(p, name, region, err))
		return side{}
	}
	if d := policy.Residency(found, a.data.Allowed); !d.Allowed {
		diags.Append(residencyDiag(p, name, region, d.Reason))
		return side{}
	}
	return side{name: name, region: region, c: a.data.ClientsIn(TypeName, region, diags)}
}

// check refuses, before anything is copied, a target that is not a gdpr_bucket, a target that would keep
// the objects for less time than the source's Object Lock, a source with versions under COMPLIANCE
// retention or a legal hold, which could not be erased once moved, and objects S3 would not copy.
func (a *moveAction) check(ctx context.Context, from, to side, prefix string, diags *diag.Diagnostics) bool {
	target, err := to.c.ReadBucket(ctx, to.name)
	if err != nil {
		diags.Append(readFailedDiag(path.Root("to"), to.name, "s3:GetBucket*", err))
		return false
	}
	if missing := target.Violations(); len(missing) > 0 || target.Unfinished != "" {
		diags.Append(notCompliantDiag(to.name, missing))
		return false
	}
	source, err := from.c.BucketRetention(ctx, from.name)
	if err != nil {
		diags.Append(readFailedDiag(path.Root("from"), from.name, "s3:GetBucketObjectLockConfiguration", err))
		return false
	}
	if reason, ok := keepsLongEnough(source, target); !ok {
		diags.Append(retentionDiag(from.name, to.name, reason))
		return false
	}
	held, err := from.c.HeldObjects(ctx, from.name, prefix, time.Now())
	if err != nil {
		diags.Append(readFailedDiag(path.Root("from"), from.name, "s3:GetObjectRetention", err))
		return false
	}
	if held != nil {
		diags.Append(heldDiag(from.name, held))
		return false
	}
	archived, encrypted, err := from.c.Uncopyable(ctx, from.name, prefix)
	if err != nil {
		diags.Append(readFailedDiag(path.Root("from"), from.name, "s3:GetObject (HeadObject)", err))
		return false
	}
	if archived != nil || encrypted != nil {
		diags.Append(uncopyableDiag(from.name, archived, encrypted))
		return false
	}
	return true
}

// keepsLongEnough applies the bucket move's retention rule (policy.MoveRetention) to the source's default
// Object Lock and the target's, and, since a gdpr_bucket always expires its objects, refuses a target whose
// lifecycle would delete them before the source's lock ends.
func keepsLongEnough(source awsapi.Retention, target *awsapi.Bucket) (string, bool) {
	var from, to *policy.Lock
	if l := source.ObjectLock; l != nil && l.Mode != "" {
		from = &policy.Lock{Mode: l.Mode, Days: int64(l.Days)}
	}
	if l := target.ObjectLock; l != nil && l.Mode != "" {
		to = &policy.Lock{Mode: l.Mode, Days: int64(l.Days)}
	}
	if d := policy.MoveRetention(from, to); !d.Allowed {
		return d.Reason, false
	}
	if from != nil && target.ExpirationDays != nil && int64(*target.ExpirationDays) < from.Days {
		return fmt.Sprintf("The old bucket keeps every object version for %d days under Object Lock, and the new "+
			"bucket's lifecycle expires objects after %d, so moving the objects would shorten their retention.",
			from.Days, *target.ExpirationDays), false
	}
	return "", true
}

// record writes the invocation's move event: the source as cloud_id, the target as moved_to. Its
// arguments hash covers the action's configuration, erase_source included.
func (a *moveAction) record(ctx context.Context, cfg tfsdk.Config, from, to side, moved awsapi.Moved, diags *diag.Diagnostics) {
	e := audit.Event{
		Time: time.Now(), Action: audit.Move, ResourceType: TypeName, CloudID: from.name,
		MovedTo: to.name, MovedObjects: strconv.FormatInt(moved.Objects, 10), MovedBytes: strconv.FormatInt(moved.Bytes, 10),
		ManifestSHA256: moved.Manifest,
	}
	r, j := providerdata.PlacementOf(from.region)
	e.Region, e.Jurisdiction = r.ValueString(), j.ValueString()
	sum, err := providerdata.ArgumentsSHA256(&tfsdk.State{Schema: cfg.Schema, Raw: cfg.Raw})
	if err != nil {
		diags.Append(argumentsHashWarning(err))
	}
	e.ArgumentsSHA256 = sum
	a.data.RecordEvent(ctx, e, diags)
}

// scope says which objects an invocation covers.
func scope(prefix string) string {
	if prefix == "" {
		return "(all of them)"
	}
	return fmt.Sprintf("under the prefix %q", prefix)
}

// verb says what happened to the objects: moved, or copied when the source keeps them.
func verb(erase bool) string {
	if erase {
		return "moved"
	}
	return "copied"
}
