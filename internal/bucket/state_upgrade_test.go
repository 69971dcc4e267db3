package bucket

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
)

// v0State is a bucket's state as a provider without noncurrent_version_days wrote it.
const v0State = `{"id":"records","bucket":"records","bucket_prefix":null,"kms_key_arn":"` + testKeyARN + `",
	"expiration_days":30,"object_lock":null,"force_destroy":false,"on_replace":"refuse","moved_from":null,
	"moved_objects":null,"moved_bytes":null,"tags":null,"arn":"arn:aws:s3:::records","region":"eu-central-1",
	"jurisdiction":"EU","guarantees_broken":[]}`

// upgrade runs the resource's upgrader of version 0 on raw, as Terraform does for a state of that version.
func upgrade(t *testing.T, raw string) (bucketModel, *resource.UpgradeStateResponse) {
	t.Helper()
	ctx := context.Background()
	r := &bucketResource{}
	var sch resource.SchemaResponse
	r.Schema(ctx, resource.SchemaRequest{}, &sch)
	if sch.Schema.Version != 1 {
		t.Fatalf("schema version %d, want 1", sch.Schema.Version)
	}
	upgrader, ok := r.UpgradeState(ctx)[0]
	if !ok {
		t.Fatal("no upgrader for version 0")
	}
	resp := &resource.UpgradeStateResponse{State: tfsdk.State{Schema: sch.Schema}}
	upgrader.StateUpgrader(ctx, resource.UpgradeStateRequest{RawState: &tfprotov6.RawState{JSON: []byte(raw)}}, resp)
	var m bucketModel
	if !resp.Diagnostics.HasError() {
		resp.Diagnostics.Append(resp.State.Get(ctx, &m)...)
	}
	return m, resp
}

// A state written before noncurrent_version_days gets the one day its bucket has, the argument's default,
// and keeps every other attribute: the plan after the provider's upgrade then finds nothing to replace.
func TestUpgradeState_v0GetsTheDefaultNoncurrentDays(t *testing.T) {
	m, resp := upgrade(t, v0State)
	if resp.Diagnostics.HasError() {
		t.Fatalf("upgrade failed: %v", resp.Diagnostics)
	}
	if !m.NoncurrentVersionDays.Equal(types.Int64Value(DefaultNoncurrentVersionDays)) {
		t.Errorf("noncurrent_version_days = %v, want %d", m.NoncurrentVersionDays, DefaultNoncurrentVersionDays)
	}
	if m.ID.ValueString() != "records" || m.KMSKeyARN.ValueString() != testKeyARN || m.ExpirationDays.ValueInt64() != 30 ||
		m.OnReplace.ValueString() != OnReplaceRefuse || m.Region.ValueString() != "eu-central-1" || m.GuaranteesBroken.IsNull() {
		t.Errorf("the upgrade lost attributes: %+v", m)
	}
}

// A state that cannot be read as a bucket's is an error that says what to do, not a panic.
func TestUpgradeState_unreadableStateIsAnError(t *testing.T) {
	for name, raw := range map[string]string{"not JSON": `{"id":`, "wrong type": `{"expiration_days":"thirty"}`} {
		t.Run(name, func(t *testing.T) {
			_, resp := upgrade(t, raw)
			if !resp.Diagnostics.HasError() || resp.Diagnostics[0].Summary() != "Cannot upgrade the state of gdpr_bucket" {
				t.Errorf("diagnostics %v, want Cannot upgrade the state of gdpr_bucket", resp.Diagnostics)
			}
		})
	}
}
