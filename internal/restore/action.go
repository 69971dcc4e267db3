// Package restore is the gdpr_restore_objects action: after ransomware or a bad deploy, it returns the
// objects of a versioned bucket, or of a prefix of it, to what they held at a moment (GDPR Art. 32(1)(c)).
// Invoked with terraform apply -invoke=action.gdpr_restore_objects.<name>, it decides every key before it
// writes anything, then makes each key's version at that moment current again with a server-side copy, and
// hides each key added since behind a delete marker, with the object engine of the bucket replacement and
// the move (awsapi.RestoreObjects). It only adds versions and delete markers, never deletes one, and records
// the restore in the audit trail.
package restore

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
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// TypeName is the action's name in configurations.
const TypeName = "gdpr_restore_objects"

var (
	_ action.Action               = (*restoreAction)(nil)
	_ action.ActionWithConfigure  = (*restoreAction)(nil)
	_ action.ActionWithModifyPlan = (*restoreAction)(nil)
)

type restoreAction struct {
	data *providerdata.Data
}

// NewAction returns the gdpr_restore_objects action.
func NewAction() action.Action { return &restoreAction{} }

func (a *restoreAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

func (a *restoreAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerdata.Get(req.ProviderData, TypeName, &resp.Diagnostics)
}

// ModifyPlan fails the plan of an invocation whose event the audit trail could not take, before anything is
// written. A dry run writes neither objects nor an event, so it plans whatever the trail's state.
func (a *restoreAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	var dry types.Bool
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("dry_run"), &dry)...)
	if !dry.ValueBool() {
		a.data.CheckAuditActionThat(TypeName, auditDoes, auditNothing, &resp.Diagnostics)
	}
}

func (a *restoreAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// Validation checked a to_time known at plan; one known only now is checked here, against the clock now.
	now := time.Now()
	raw := cfg.ToTime.ValueString()
	to, err := time.Parse(time.RFC3339, raw)
	switch {
	case err != nil:
		resp.Diagnostics.Append(badTimeDiag(path.Root("to_time"), raw, err))
	case to.After(now):
		resp.Diagnostics.Append(futureTimeDiag(path.Root("to_time"), raw, now))
	}
	clients := a.data.ClientsFor(TypeName, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	bucket, prefix, dry := cfg.Bucket.ValueString(), cfg.Prefix.ValueString(), cfg.DryRun.ValueBool()
	region, err := clients.BucketRegion(ctx, bucket)
	if err != nil {
		resp.Diagnostics.Append(bucketRegionDiag(bucket, err))
		return
	}
	clients = a.data.ClientsIn(TypeName, region, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}
	progress(fmt.Sprintf("listing the versions in %s and deciding what each key held at %s", where(bucket, prefix), formatTime(to)))
	plan, err := clients.SurveyRestore(ctx, bucket, prefix, to, now)
	var blocked *awsapi.RestoreBlockedError
	switch {
	case errors.As(err, &blocked):
		resp.Diagnostics.Append(blockedDiag(where(bucket, prefix), to, blocked))
		return
	case err != nil:
		resp.Diagnostics.Append(surveyFailedDiag(bucket, err))
		return
	}
	progress(fmt.Sprintf("%d keys to restore, %d to hide, %d already as they were", plan.Restored, plan.Hidden, plan.Unchanged))
	if dry {
		resp.Diagnostics.Append(dryRunWarning(where(bucket, prefix), to, plan))
		return
	}
	a.data.CheckAuditActionThat(TypeName, auditDoes, auditNothing, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	done, err := clients.RestoreObjects(ctx, bucket, prefix, to, now, func(c awsapi.RestoreCounts) {
		progress(fmt.Sprintf("restored %d of %d keys, hid %d of %d", c.Restored, plan.Restored, c.Hidden, plan.Hidden))
	})
	if err != nil {
		resp.Diagnostics.Append(restoreFailedDiag(bucket, done, err))
		// What was restored or hidden before the failure stands, whatever stopped the rest, and is accounted
		// for; an invocation that changed nothing leaves nothing to account for.
		if done.Restored+done.Hidden == 0 {
			return
		}
	} else {
		progress(fmt.Sprintf("restored %d key(s) and hid %d in bucket %s; %d key(s) already as they were at %s",
			done.Restored, done.Hidden, bucket, done.Unchanged, formatTime(to)))
	}
	tflog.Info(ctx, "objects restored", map[string]any{"bucket": bucket, "restored_keys": done.Restored,
		"hidden_keys": done.Hidden, "unchanged_keys": done.Unchanged})
	a.record(ctx, req.Config, bucket, region, to, done, &resp.Diagnostics)
}

// record writes the invocation's restore event. Its arguments hash covers the action's configuration.
func (a *restoreAction) record(ctx context.Context, cfg tfsdk.Config, bucket, region string, to time.Time, done awsapi.Restored, diags *diag.Diagnostics) {
	e := audit.Event{
		Time: time.Now(), Action: audit.Restore, ResourceType: TypeName, CloudID: bucket,
		RestoredToTime: formatTime(to),
		RestoredKeys:   strconv.FormatInt(done.Restored, 10),
		HiddenKeys:     strconv.FormatInt(done.Hidden, 10),
		UnchangedKeys:  strconv.FormatInt(done.Unchanged, 10),
		KeysSHA256:     done.KeysSHA256,
	}
	r, j := providerdata.PlacementOf(region)
	e.Region, e.Jurisdiction = r.ValueString(), j.ValueString()
	sum, err := providerdata.ArgumentsSHA256(&tfsdk.State{Schema: cfg.Schema, Raw: cfg.Raw})
	if err != nil {
		diags.Append(argumentsHashWarning(err))
	}
	e.ArgumentsSHA256 = sum
	a.data.RecordEvent(ctx, e, diags)
}

// where says which keys an invocation covers, without naming one: a bucket, and a prefix when one is given.
func where(bucket, prefix string) string {
	if prefix == "" {
		return fmt.Sprintf("bucket %q", bucket)
	}
	return fmt.Sprintf("bucket %q under the prefix %q", bucket, prefix)
}
