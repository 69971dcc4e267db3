package isolate

import (
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

// Every diagnostic of gdpr_isolate_server is worded here: a short summary, then what happened, what to do,
// and the cause last.

// auditDoes and auditNothing word the error of an invocation whose audit event the trail could not take.
const (
	auditDoes    = "cuts a server off from the network and keeps its disks as evidence, and every isolation"
	auditNothing = "nothing is changed"
)

// keyRegionDiag refuses a key that EBS cannot encrypt the region's snapshots under.
func keyRegionDiag(keyRegion, region string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("kms_key_arn"), "Key in another region",
		fmt.Sprintf("The key is in region %s, and the server is isolated in the provider's region, %s: EBS encrypts "+
			"a region's snapshots only under a key of that region. Give the ARN of a key in %s, such as a gdpr_key "+
			"of a provider configured for that region.", keyRegion, region, region))
}

// notFoundDiag reports an instance id EC2 does not know in the region.
func notFoundDiag(id, region string, err error) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("server_id"), "Cannot find the server",
		fmt.Sprintf("EC2 has no instance %q in region %s that the credentials can see, so nothing was changed. Check "+
			"server_id (usually gdpr_server.<name>.id) and the provider's region, then invoke the action again."+
			"\n\nCause: %v", id, region, err))
}

// goneDiag reports an instance that is terminated or shutting down: there is nothing left to contain.
func goneDiag(id, state string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("server_id"), "Server already terminated",
		fmt.Sprintf("EC2 instance %q is %s, so it has no network to cut off, and its volumes that are deleted on "+
			"termination are gone or going: nothing was changed. Snapshots taken before, and the audit trail, are "+
			"what is left to investigate.", id, state))
}

// notManagedDiag refuses an instance the provider did not launch while managed_only is true.
func notManagedDiag(id string) diag.Diagnostic {
	return diag.NewAttributeErrorDiagnostic(path.Root("server_id"), "Not a server of this provider",
		fmt.Sprintf("EC2 instance %q does not carry the tag %q that gdpr_server puts on every server it launches, so "+
			"it was not isolated: nothing was changed. Check server_id. To isolate an instance made otherwise (by "+
			"another tool, by hand, or by gdpr_server before it tagged its servers, and imported ones), set "+
			"managed_only = false.", id, awsapi.ManagedTag))
}

// describeFailedDiag reports a failed read of the instance, before anything was changed.
func describeFailedDiag(id string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Cannot isolate the server",
		fmt.Sprintf("Reading EC2 instance %q, its network interfaces and its volumes failed, so nothing was changed. "+
			"Invoke the action again once the cause is fixed.\n\nCause: %v", id, err))
}

// containFailedDiag reports an isolation that stopped before the instance was cut off from the network.
func containFailedDiag(id string, err error) diag.Diagnostic {
	var foreign *awsapi.ForeignGroupError
	if errors.As(err, &foreign) {
		return diag.NewErrorDiagnostic("Isolation group name taken",
			fmt.Sprintf("VPC %s has a security group named %q, %s, that the provider did not make (it lacks the tag "+
				"%q), so the isolation neither uses it nor revokes its rules, and EC2 instance %q was not isolated: "+
				"nothing was changed. Rename that group, or, if it is meant to isolate servers and allows no "+
				"traffic, tag it %s = true; then invoke the action again.", foreign.VPCID, awsapi.IsolationGroupName,
				foreign.GroupID, awsapi.IsolationTag, id, awsapi.IsolationTag))
	}
	return diag.NewErrorDiagnostic("Server not isolated",
		fmt.Sprintf("The isolation of EC2 instance %q stopped before every network interface was in the isolation "+
			"group, so the instance may still reach, and be reached from, the network. Invoke the action again at "+
			"once: it finds the group and the interfaces already moved and finishes the isolation.\n\nCause: %v", id, err))
}

// snapshotsFailedDiag reports forensic snapshots that are not all complete; the instance is isolated.
func snapshotsFailedDiag(id, group string, kept []awsapi.ForensicSnapshot, err error) diag.Diagnostic {
	var shared *awsapi.SharedSnapshotError
	if errors.As(err, &shared) {
		return diag.NewErrorDiagnostic("Forensic snapshot is shared",
			fmt.Sprintf("EC2 instance %q is isolated in security group %s, but its forensic snapshot %s may be used "+
				"to create volumes by %s, so evidence holding personal data could leave the account. Remove those "+
				"permissions (aws ec2 modify-snapshot-attribute --snapshot-id %s --attribute createVolumePermission "+
				"--operation-type remove ...), find out who added them, and invoke the action again.",
				id, group, shared.SnapshotID, strings.Join(shared.With, " and "), shared.SnapshotID))
	}
	return diag.NewErrorDiagnostic("Forensic snapshots incomplete",
		fmt.Sprintf("EC2 instance %q is isolated in security group %s, which allows no traffic, but its forensic "+
			"snapshots are not all complete (%s), and the instance was neither tagged with the incident nor "+
			"stopped. Invoke the action again once the cause is fixed: it finds the snapshots made so far by their "+
			"tags and finishes them.\n\nCause: %v", id, group, done(kept), err))
}

// markFailedDiag reports an instance isolated and snapshotted but not tagged with the incident.
func markFailedDiag(id string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Server not tagged with the incident",
		fmt.Sprintf("EC2 instance %q is isolated and its forensic snapshots are complete, but tagging it with the "+
			"incident failed, and it was not stopped. Invoke the action again once the cause is fixed.\n\nCause: %v", id, err))
}

// stopFailedDiag reports an isolated instance that did not stop.
func stopFailedDiag(id string, err error) diag.Diagnostic {
	return diag.NewErrorDiagnostic("Server not stopped",
		fmt.Sprintf("EC2 instance %q is isolated, snapshotted and tagged with the incident, but it was not confirmed "+
			"stopped. Invoke the action again to stop it.\n\nCause: %v", id, err))
}

// done says which snapshots are complete, for a diagnostic.
func done(kept []awsapi.ForensicSnapshot) string {
	if len(kept) == 0 {
		return "none is complete yet"
	}
	var s []string
	for _, k := range kept {
		s = append(s, fmt.Sprintf("%s of volume %s", k.ID, k.VolumeID))
	}
	return "complete: " + strings.Join(s, ", ")
}
