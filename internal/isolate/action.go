// Package isolate is the gdpr_isolate_server action: incident response for a compromised server (GDPR Art.
// 32 and 33). Invoked with terraform apply -invoke=action.gdpr_isolate_server.<name>, it cuts the instance off
// from the network first, since every minute it can still reach others is a minute of lateral movement, then
// keeps its volumes as encrypted forensic snapshots, tags it with the incident, optionally stops it, and
// records the isolation in the audit trail. The gdpr_server it isolates then reads as changed outside
// Terraform, so the next apply replaces it with a clean build while the snapshots stay.
package isolate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
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
const TypeName = "gdpr_isolate_server"

var (
	_ action.Action               = (*isolateAction)(nil)
	_ action.ActionWithConfigure  = (*isolateAction)(nil)
	_ action.ActionWithModifyPlan = (*isolateAction)(nil)
)

type isolateAction struct {
	data *providerdata.Data
}

// NewAction returns the gdpr_isolate_server action.
func NewAction() action.Action { return &isolateAction{} }

func (a *isolateAction) Metadata(_ context.Context, _ action.MetadataRequest, resp *action.MetadataResponse) {
	resp.TypeName = TypeName
}

func (a *isolateAction) Configure(_ context.Context, req action.ConfigureRequest, resp *action.ConfigureResponse) {
	a.data = providerdata.Get(req.ProviderData, TypeName, &resp.Diagnostics)
}

// ModifyPlan fails the plan of an invocation whose event the audit trail could not take, and one whose key
// EBS could not encrypt the snapshots under, before anything is changed.
func (a *isolateAction) ModifyPlan(ctx context.Context, req action.ModifyPlanRequest, resp *action.ModifyPlanResponse) {
	a.data.CheckAuditActionThat(TypeName, auditDoes, auditNothing, &resp.Diagnostics)
	var key types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("kms_key_arn"), &key)...)
	if region, _ := a.data.Placement(); !key.IsUnknown() && !region.IsNull() {
		checkKeyRegion(key.ValueString(), region.ValueString(), &resp.Diagnostics)
	}
}

// checkKeyRegion refuses a key outside region, where the server is; an ARN that does not parse is left to
// the attribute's validator.
func checkKeyRegion(keyARN, region string, diags *diag.Diagnostics) {
	if a, err := arn.Parse(keyARN); err == nil && a.Region != region {
		diags.Append(keyRegionDiag(a.Region, region))
	}
}

func (a *isolateAction) Invoke(ctx context.Context, req action.InvokeRequest, resp *action.InvokeResponse) {
	var cfg model
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	clients := a.data.ClientsFor(TypeName, &resp.Diagnostics)
	a.data.CheckAuditActionThat(TypeName, auditDoes, auditNothing, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	id, incident, key := cfg.ServerID.ValueString(), cfg.IncidentID.ValueString(), cfg.KMSKeyARN.ValueString()
	checkKeyRegion(key, clients.Region, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	progress := func(msg string) {
		if resp.SendProgress != nil {
			resp.SendProgress(action.InvokeProgressEvent{Message: msg})
		}
	}

	progress(fmt.Sprintf("describing instance %s, its network interfaces and volumes", id))
	target, err := clients.DescribeIsolatee(ctx, id, cfg.managedOnly())
	switch {
	case awsapi.IsNotFound(err):
		resp.Diagnostics.Append(notFoundDiag(id, clients.Region, err))
		return
	case errors.Is(err, awsapi.ErrGone):
		resp.Diagnostics.Append(goneDiag(id, target.State))
		return
	case errors.Is(err, awsapi.ErrNotManaged):
		resp.Diagnostics.Append(notManagedDiag(id))
		return
	case err != nil:
		resp.Diagnostics.Append(describeFailedDiag(id, err))
		return
	}

	// Containment comes first: the snapshots take minutes, and the instance must not reach anything meanwhile.
	progress(fmt.Sprintf("cutting instance %s off: its %d network interface(s) into the isolation group %s of VPC %s",
		id, len(target.Interfaces), awsapi.IsolationGroupName, target.VPCID))
	group, moved, err := clients.Contain(ctx, target)
	ev := isolation{instance: id, region: clients.Region, incident: incident, group: group}
	if err != nil {
		resp.Diagnostics.Append(containFailedDiag(id, err))
		// An interface already moved is a change to the instance, and every change is audited.
		if moved {
			a.record(ctx, req.Config, ev, &resp.Diagnostics)
		}
		return
	}
	tflog.Info(ctx, "instance isolated", map[string]any{"instance_id": id, "isolation_group": group})

	progress(fmt.Sprintf("isolated; taking forensic snapshots of %d volume(s) under the incident's key", len(target.Volumes)))
	ev.snapshots, err = clients.ForensicSnapshots(ctx, target, incident, key, progress)
	if err != nil {
		resp.Diagnostics.Append(snapshotsFailedDiag(id, group, ev.snapshots, err))
		a.record(ctx, req.Config, ev, &resp.Diagnostics)
		return
	}
	if _, err := clients.MarkIsolated(ctx, target, incident, time.Now()); err != nil {
		resp.Diagnostics.Append(markFailedDiag(id, err))
		a.record(ctx, req.Config, ev, &resp.Diagnostics)
		return
	}
	if cfg.Stop.ValueBool() {
		progress(fmt.Sprintf("stopping instance %s", id))
		if err := clients.StopIsolated(ctx, target); err != nil {
			resp.Diagnostics.Append(stopFailedDiag(id, err))
			a.record(ctx, req.Config, ev, &resp.Diagnostics)
			return
		}
		ev.stopped = true
	}
	progress(fmt.Sprintf("instance %s is isolated in %s with %d forensic snapshot(s): %s", id, group, len(ev.snapshots), ev.snapshotIDs()))
	a.record(ctx, req.Config, ev, &resp.Diagnostics)
}

// isolation is what an invocation established, for its audit event.
type isolation struct {
	instance, region, incident, group string
	snapshots                         []awsapi.ForensicSnapshot
	stopped                           bool
}

// snapshotIDs are the ids of the complete snapshots, comma-separated, in the order of their volumes.
func (i isolation) snapshotIDs() string {
	ids := make([]string, 0, len(i.snapshots))
	for _, s := range i.snapshots {
		ids = append(ids, s.ID)
	}
	return strings.Join(ids, ",")
}

// record writes the invocation's isolate event: what holds once it ends, so an invocation that stopped
// after cutting the instance off is accounted for too. Its arguments hash covers the action's configuration.
func (a *isolateAction) record(ctx context.Context, cfg tfsdk.Config, i isolation, diags *diag.Diagnostics) {
	e := audit.Event{
		Time: time.Now(), Action: audit.Isolate, ResourceType: TypeName, CloudID: i.instance,
		IncidentID: i.incident, IsolationGroup: i.group, Snapshots: i.snapshotIDs(),
	}
	if i.stopped {
		e.Stopped = "true"
	}
	r, j := providerdata.PlacementOf(i.region)
	e.Region, e.Jurisdiction = r.ValueString(), j.ValueString()
	sum, err := providerdata.ArgumentsSHA256(&tfsdk.State{Schema: cfg.Schema, Raw: cfg.Raw})
	if err != nil {
		diags.AddWarning("Audit event recorded without its arguments hash",
			fmt.Sprintf("The isolation's arguments could not be hashed, so its audit event is recorded without "+
				"the hash. This is a bug in the provider; please report it.\n\nCause: %v", err))
	}
	e.ArgumentsSHA256 = sum
	a.data.RecordEvent(ctx, e, diags)
}
