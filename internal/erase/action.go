// Package erase is the gdpr_erase_objects action: the right to erasure (GDPR Art. 17) for one data subject
// whose objects live under a prefix, or at known keys, of a versioned bucket. Invoked with
// terraform apply -invoke=action.gdpr_erase_objects.<name>, or from a resource's action_trigger, it erases
// every version and delete marker of those objects, or nothing when retention keeps any of them, and records
// the erasure in the audit trail.
package erase

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

// TypeName is the action's name in configurations.
const TypeName = "gdpr_erase_objects"

var (
	_ action.Action                     = (*eraseAction)(nil)
	_ action.ActionWithConfigure        = (*eraseAction)(nil)
	_ action.ActionWithConfigValidators = (*eraseAction)(nil)
	_ action.ActionWithModifyPlan       = (*eraseAction)(nil)
)

type eraseAction struct {
	data *providerdata.Data
}

// NewAction returns the gdpr_erase_objects action.
func NewAction() action.Action { return &eraseAction{} }

func (a *eraseAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

func (a *eraseAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerdata.Get(req.ProviderData, TypeName, &resp.Diagnostics)
}

// ModifyPlan fails the plan of an invocation whose event the audit trail could not take, as a plan that
// destroys a resource fails: before anything is erased.
func (a *eraseAction) ModifyPlan(_ context.Context, _ action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	a.data.CheckAuditAction(TypeName, &resp.Diagnostics)
}

func (a *eraseAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	scope := awsapi.EraseScope{Prefix: cfg.Prefix.ValueString()}
	if !cfg.Keys.IsNull() {
		resp.Diagnostics.Append(cfg.Keys.ElementsAs(ctx, &scope.Keys, false)...)
	}
	if scope.Prefix == "" && len(scope.Keys) == 0 {
		// Validation refuses this at plan; an invocation must never read it as "the whole bucket".
		resp.Diagnostics.AddError("Nothing to erase named", "The action has neither a prefix nor keys; this is a bug in the provider, please report it.")
	}
	clients := a.data.ClientsFor(TypeName, &resp.Diagnostics)
	a.data.CheckAuditAction(TypeName, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	bucket := cfg.Bucket.ValueString()
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
	progress(fmt.Sprintf("listing the versions %s in bucket %s and checking their retention", describe(scope), bucket))
	bypass := cfg.BypassGovernanceRetention.ValueBool()
	erased, err := clients.EraseObjects(ctx, bucket, scope, bypass, time.Now(), func(done awsapi.Erased, total awsapi.EraseSurvey) {
		progress(fmt.Sprintf("erased %d of %d versions (delete markers included)",
			done.Versions+done.DeleteMarkers, total.Versions+total.DeleteMarkers))
	})
	var blocked *awsapi.ErasureBlockedError
	switch {
	case errors.As(err, &blocked):
		resp.Diagnostics.Append(blockedDiag(bucket, blocked, bypass))
		return
	case err != nil:
		resp.Diagnostics.Append(eraseFailedDiag(bucket, erased, err))
		var e *awsapi.EraseError
		if !errors.As(err, &e) || erased.Versions+erased.DeleteMarkers == 0 {
			return
		}
		// What was erased before the failure stands, and is accounted for.
	case erased.Versions+erased.DeleteMarkers == 0:
		progress("nothing to erase: no version or delete marker " + describe(scope))
		resp.Diagnostics.Append(nothingToEraseWarning(bucket, describe(scope)))
	default:
		progress(fmt.Sprintf("erased %d object versions and %d delete markers (%d bytes) from bucket %s",
			erased.Versions, erased.DeleteMarkers, erased.Bytes, bucket))
	}
	tflog.Info(ctx, "objects erased", map[string]any{"bucket": bucket, "versions": erased.Versions,
		"delete_markers": erased.DeleteMarkers, "bytes": erased.Bytes})
	a.record(ctx, req.Config, bucket, region, erased, &resp.Diagnostics)
}

// record writes the invocation's erase event. Its arguments hash covers the action's configuration.
func (a *eraseAction) record(ctx context.Context, cfg tfsdk.Config, bucket, region string, erased awsapi.Erased, diags *diag.Diagnostics) {
	e := audit.Event{
		Time: time.Now(), Action: audit.Erase, ResourceType: TypeName, CloudID: bucket,
		ErasedVersions:      strconv.FormatInt(erased.Versions, 10),
		ErasedDeleteMarkers: strconv.FormatInt(erased.DeleteMarkers, 10),
		ErasedBytes:         strconv.FormatInt(erased.Bytes, 10),
		KeysSHA256:          erased.KeysSHA256,
	}
	r, j := providerdata.PlacementOf(region)
	e.Region, e.Jurisdiction = r.ValueString(), j.ValueString()
	sum, err := providerdata.ArgumentsSHA256(&tfsdk.State{Schema: cfg.Schema, Raw: cfg.Raw})
	if err != nil {
		diags.AddWarning("Audit event recorded without its arguments hash",
			fmt.Sprintf("The erasure's arguments could not be hashed, so its audit event is recorded without "+
				"the hash. This is a bug in the provider; please report it.\n\nCause: %v", err))
	}
	e.ArgumentsSHA256 = sum
	a.data.RecordEvent(ctx, e, diags)
}

// describe says what an erasure covers without naming a key: the prefix, or how many keys.
func describe(scope awsapi.EraseScope) string {
	if len(scope.Keys) > 0 {
		return fmt.Sprintf("of the %d given keys", len(scope.Keys))
	}
	return fmt.Sprintf("under the prefix %q", scope.Prefix)
}
