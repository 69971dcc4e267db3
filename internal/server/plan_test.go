package server

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

// placedData is the provider data of a configuration whose region is region, under the default policy.
func placedData(t *testing.T, region string) *providerdata.Data {
	t.Helper()
	d := providerdata.New()
	d.Place(region)
	if _, ok, err := d.Residency(); !ok {
		t.Fatalf("placing the provider in %s: %v", region, err)
	}
	return d
}

// serverPlanRequest builds the request Terraform sends when planning the server from prior to planned with
// the given user data in the configuration. A null prior is a create.
func serverPlanRequest(t *testing.T, prior *serverModel, planned serverModel, userData types.String) (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	s := sr.Schema
	empty := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	state := tfsdk.State{Schema: s, Raw: empty}
	plan := tfsdk.Plan{Schema: s, Raw: empty}
	if prior != nil {
		if d := state.Set(ctx, *prior); d.HasError() {
			t.Fatal(d)
		}
	}
	// Write-only values are null in plan and state, and present only in the configuration.
	planned.UserData = types.StringNull()
	if d := plan.Set(ctx, planned); d.HasError() {
		t.Fatal(d)
	}
	cfg := tfsdk.Plan{Schema: s, Raw: plan.Raw}
	if d := cfg.SetAttribute(ctx, path.Root(attrUserData), userData); d.HasError() {
		t.Fatal(d)
	}
	req := resource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: s, Raw: cfg.Raw}}
	return req, &resource.ModifyPlanResponse{Plan: plan}
}

func TestModifyPlan_userData(t *testing.T) {
	ctx := context.Background()
	data := placedData(t, "eu-central-1")
	sha := func(s string) types.String { return types.StringValue(awsapi.SHA256Hex(s)) }
	tests := map[string]struct {
		create      bool
		priorSHA    types.String
		userData    types.String
		wantSHA     types.String
		wantReplace bool
	}{
		"create with user data":      {create: true, userData: types.StringValue("echo hello"), wantSHA: sha("echo hello")},
		"create without user data":   {create: true, userData: types.StringNull(), wantSHA: types.StringNull()},
		"same script: nothing to do": {priorSHA: sha("echo hello"), userData: types.StringValue("echo hello"), wantSHA: sha("echo hello")},
		"changed script: replace":    {priorSHA: sha("echo hello"), userData: types.StringValue("echo bye"), wantSHA: sha("echo bye"), wantReplace: true},
		"script removed: replace":    {priorSHA: sha("echo hello"), userData: types.StringNull(), wantSHA: types.StringNull(), wantReplace: true},
		"script added: replace":      {priorSHA: types.StringNull(), userData: types.StringValue("echo hello"), wantSHA: sha("echo hello"), wantReplace: true},
		"script known at apply only": {priorSHA: sha("echo hello"), userData: types.StringUnknown(), wantSHA: types.StringUnknown(), wantReplace: true},
		"still none":                 {priorSHA: types.StringNull(), userData: types.StringNull(), wantSHA: types.StringNull()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			prior := serverTestModel()
			prior.UserDataSHA256 = tc.priorSHA
			var priorPtr *serverModel
			if !tc.create {
				priorPtr = &prior
			}
			r := &serverResource{data: data}
			req, resp := serverPlanRequest(t, priorPtr, prior, tc.userData)
			r.ModifyPlan(ctx, req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected error: %v", resp.Diagnostics)
			}
			var got types.String
			resp.Plan.GetAttribute(ctx, path.Root(attrUserDataSHA256), &got)
			if !got.Equal(tc.wantSHA) {
				t.Errorf("planned user_data_sha256 = %s, want %s", got, tc.wantSHA)
			}
			replace := slices.ContainsFunc(resp.RequiresReplace, func(p path.Path) bool { return p.Equal(path.Root(attrUserDataSHA256)) })
			if replace != tc.wantReplace {
				t.Errorf("replacement required = %v, want %v", replace, tc.wantReplace)
			}
		})
	}

	// Without the fingerprint step a changed script reaches the guard as an in-place update of a computed
	// attribute, which it refuses: planUserDataSHA256 is what turns it into a replacement.
	t.Run("the guard refuses what the fingerprint step does not explain", func(t *testing.T) {
		prior := serverTestModel()
		planned := prior
		planned.UserDataSHA256 = types.StringValue(awsapi.SHA256Hex("echo bye"))
		req, resp := serverPlanRequest(t, &prior, planned, types.StringValue("echo bye"))
		replaceonly.GuardInPlaceUpdate(ctx, ResourceType, req, resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "(changed: user_data_sha256)") {
			t.Fatalf("the guard did not refuse: %v", resp.Diagnostics)
		}
	})

	t.Run("the guard still refuses other in-place updates", func(t *testing.T) {
		prior := serverTestModel()
		planned := prior
		planned.PrivateIP = types.StringValue("10.0.0.9")
		r, ok := NewResource().(*serverResource)
		if !ok {
			t.Fatal("NewResource does not return a *serverResource")
		}
		r.data = data
		req, resp := serverPlanRequest(t, &prior, planned, types.StringValue("echo hello"))
		r.ModifyPlan(ctx, req, resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), `gdpr_server "i-0123456789abcdef0" would be updated in place (changed: private_ip)`) {
			t.Fatalf("the guard did not refuse: %v", resp.Diagnostics)
		}
	})
}

// TestModifyPlan_refusesInPlaceUpdate drives the in-place guard through the server's own ModifyPlan: a plan
// where only a computed attribute changes, and nothing requires a replacement, must fail. It fails if
// ModifyPlan (or replaceonly.PlanChange) stops calling the guard.
func TestModifyPlan_refusesInPlaceUpdate(t *testing.T) {
	r := &serverResource{data: placedData(t, "eu-central-1")}
	prior := serverTestModel()
	planned := prior
	planned.ARN = types.StringValue("arn:aws:ec2:eu-central-1:123456789012:instance/i-0fedcba9876543210")
	// The configuration carries the same script as the state, so the fingerprint step plans no replacement.
	req, resp := serverPlanRequest(t, &prior, planned, types.StringValue("echo hello"))
	r.ModifyPlan(context.Background(), req, resp)
	if len(resp.RequiresReplace) != 0 {
		t.Fatalf("the plan requires a replacement (%v); this test needs one that does not", resp.RequiresReplace)
	}
	if !resp.Diagnostics.HasError() {
		t.Fatalf("ModifyPlan let an in-place update of arn through: %v", resp.Diagnostics)
	}
	if d := resp.Diagnostics.Errors()[0]; d.Summary() != "In-place update refused" || !strings.Contains(d.Detail(), "(changed: arn)") {
		t.Errorf("got %q: %q, want the in-place update of arn refused", d.Summary(), d.Detail())
	}
}
