package replaceonly_test

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/bucket"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// bucketValue is a gdpr_bucket's state with the given attributes set and every other one null.
func bucketValue(t *testing.T, set map[string]tftypes.Value) (tfsdk.State, tftypes.Value) {
	t.Helper()
	ctx := context.Background()
	var resp resource.SchemaResponse
	bucket.NewResource().Schema(ctx, resource.SchemaRequest{}, &resp)
	typ, ok := resp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatal("the bucket's schema is not an object")
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range set {
		vals[name] = v
	}
	v := tftypes.NewValue(typ, vals)
	return tfsdk.State{Schema: resp.Schema, Raw: v}, v
}

// TestUpdateState_writesDestroyOnlyArgumentsAlone drives Update of a gdpr_bucket: a change of force_destroy
// alone is written to the state as planned, while a change of any other attribute, or none, is refused.
func TestUpdateState_writesDestroyOnlyArgumentsAlone(t *testing.T) {
	ctx := context.Background()
	base := map[string]tftypes.Value{
		"id":              tftypes.NewValue(tftypes.String, "records"),
		"bucket":          tftypes.NewValue(tftypes.String, "records"),
		"expiration_days": tftypes.NewValue(tftypes.Number, 30),
		"force_destroy":   tftypes.NewValue(tftypes.Bool, false),
	}
	with := func(name string, v tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{}
		for k, x := range base {
			m[k] = x
		}
		m[name] = v
		return m
	}
	for name, tc := range map[string]struct {
		planned map[string]tftypes.Value
		refused bool
	}{
		"force_destroy alone":  {planned: with("force_destroy", tftypes.NewValue(tftypes.Bool, true))},
		"another argument":     {planned: with("expiration_days", tftypes.NewValue(tftypes.Number, 31)), refused: true},
		"a computed attribute": {planned: with("arn", tftypes.NewValue(tftypes.String, "arn:aws:s3:::other")), refused: true},
		"nothing changes":      {planned: base, refused: true},
	} {
		t.Run(name, func(t *testing.T) {
			prior, _ := bucketValue(t, base)
			planned, want := bucketValue(t, tc.planned)
			req := resource.UpdateRequest{State: prior, Plan: tfsdk.Plan(planned)}
			resp := resource.UpdateResponse{State: tfsdk.State{Schema: prior.Schema, Raw: prior.Raw}}
			bucket.NewResource().Update(ctx, req, &resp)
			if tc.refused {
				if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != "In-place update refused" {
					t.Fatalf("Update did not refuse: %v", resp.Diagnostics)
				}
				return
			}
			if resp.Diagnostics.HasError() {
				t.Fatalf("Update refused a change of force_destroy alone: %v", resp.Diagnostics)
			}
			if !resp.State.Raw.Equal(want) {
				t.Errorf("state after Update = %v, want %v", resp.State.Raw, want)
			}
		})
	}
}

// TestPlanChange_destroyOnlyIsAnUpdateOfTheStateAlone plans a change of force_destroy alone for a bucket
// whose plan left computed values unknown, as the framework does for an update: nothing is replaced, no
// in-place update is refused, and the planned values are the state's with force_destroy as configured.
func TestPlanChange_destroyOnlyIsAnUpdateOfTheStateAlone(t *testing.T) {
	ctx := context.Background()
	prior := map[string]tftypes.Value{
		"id":              tftypes.NewValue(tftypes.String, "records"),
		"bucket":          tftypes.NewValue(tftypes.String, "records"),
		"arn":             tftypes.NewValue(tftypes.String, "arn:aws:s3:::records"),
		"expiration_days": tftypes.NewValue(tftypes.Number, 30),
		"force_destroy":   tftypes.NewValue(tftypes.Bool, false),
	}
	planned := map[string]tftypes.Value{}
	for k, v := range prior {
		planned[k] = v
	}
	planned["force_destroy"] = tftypes.NewValue(tftypes.Bool, true)
	planned["arn"] = tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	state, _ := bucketValue(t, prior)
	plan, _ := bucketValue(t, planned)
	_, want := bucketValue(t, func() map[string]tftypes.Value {
		w := map[string]tftypes.Value{}
		for k, v := range prior {
			w[k] = v
		}
		w["force_destroy"] = tftypes.NewValue(tftypes.Bool, true)
		return w
	}())
	req := resource.ModifyPlanRequest{State: state, Plan: tfsdk.Plan(plan)}
	resp := resource.ModifyPlanResponse{Plan: tfsdk.Plan(plan)}
	if replaceonly.PlanChange(ctx, bucket.ResourceType, req, &resp) {
		t.Error("PlanChange reports a replacement")
	}
	if resp.Diagnostics.HasError() || len(resp.RequiresReplace) > 0 {
		t.Fatalf("diagnostics %v, requires replace %v", resp.Diagnostics, resp.RequiresReplace)
	}
	if !resp.Plan.Raw.Equal(want) {
		t.Errorf("planned %v, want %v", resp.Plan.Raw, want)
	}
}
