package key

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/replaceonly"
)

func testSchema(t *testing.T) schema.Schema {
	t.Helper()
	var resp resource.SchemaResponse
	NewResource().Schema(context.Background(), resource.SchemaRequest{}, &resp)
	return resp.Schema
}

// testData is the configuration of a provider in region whose policy allows the given jurisdictions. Its
// clients reach a closed loopback port without retries, so a plan's lookups fail at once, as they do when
// AWS cannot be reached, and add nothing to the plan.
func testData(region string, allowed ...string) *providerdata.Data {
	d := providerdata.New()
	d.Allowed = allowed
	const closed = "http://127.0.0.1:1"
	c, err := awsapi.New(context.Background(), awsapi.Config{Region: region, AccessKey: "testing", SecretKey: "testing",
		Endpoints: awsapi.Endpoints{KMS: closed, S3: closed, EC2: closed, STS: closed, RDS: closed}})
	if err != nil {
		panic(err)
	}
	d.Clients = c
	d.Place(region)
	return d
}

// modifyPlanRequest builds the request Terraform sends when planning from prior to planned.
func modifyPlanRequest(t *testing.T, prior, planned keyModel) (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	s := testSchema(t)
	empty := tftypes.NewValue(s.Type().TerraformType(ctx), nil)
	state := tfsdk.State{Schema: s, Raw: empty}
	plan := tfsdk.Plan{Schema: s, Raw: empty}
	if d := state.Set(ctx, prior); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, planned); d.HasError() {
		t.Fatal(d)
	}
	// The configuration equals the plan here: these tests never depend on a computed value being unset.
	config := tfsdk.Config{Schema: s, Raw: plan.Raw}
	req := resource.ModifyPlanRequest{State: state, Plan: plan, Config: config}
	return req, &resource.ModifyPlanResponse{Plan: plan}
}

func TestGuardInPlaceUpdate(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		change  func(*keyModel)
		wantErr string
	}{
		"no change": {change: func(*keyModel) {}},
		"a configurable argument changes: a replacement, allowed": {
			change: func(m *keyModel) { m.Description = types.StringValue("other") },
		},
		"only a computed attribute changes: an in-place update, refused": {
			change:  func(m *keyModel) { m.ARN = types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/other") },
			wantErr: `gdpr_key "1234abcd-12ab-34cd-56ef-1234567890ab" would be updated in place \(changed: arn\)`,
		},
		"several computed attributes change: all are named": {
			change: func(m *keyModel) {
				m.Jurisdiction = types.StringValue("EEA")
				m.ARN = types.StringUnknown()
			},
			wantErr: `\(changed: arn, jurisdiction\)`,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			prior := testModel()
			planned := prior
			tc.change(&planned)
			req, resp := modifyPlanRequest(t, prior, planned)
			replaceonly.GuardInPlaceUpdate(ctx, ResourceType, req, resp)
			if tc.wantErr == "" {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatal("the in-place update was not refused")
			}
			detail := resp.Diagnostics.Errors()[0].Detail()
			if !regexp.MustCompile(tc.wantErr).MatchString(detail) {
				t.Errorf("detail %q does not match %q", detail, tc.wantErr)
			}
			if !strings.Contains(detail, "-replace=") {
				t.Errorf("detail %q does not say how to get a replacement", detail)
			}
		})
	}
}

// TestModifyPlan_residency proves a key outside the allowed jurisdictions fails at plan, with the region,
// its country, its jurisdiction and the policy named, and that an allowed one gets its placement.
func TestModifyPlan_residency(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		region, want string
		allowed      []string
		ok           bool
	}{
		{region: "eu-central-1", allowed: []string{"EEA"}, ok: true},
		{region: "eu-north-1", allowed: []string{"EU"}, ok: true},
		{region: "eu-west-2", allowed: []string{"ADEQUACY"}, ok: true},
		{region: "eu-west-2", allowed: []string{"EEA"}, want: `eu-west-2 \(London\) is in the United Kingdom \(GB\), jurisdiction ADEQUACY, which the policy \[EEA\] does not allow`},
		{region: "us-east-1", allowed: []string{"EEA"}, want: `us-east-1 \(N. Virginia\) is in the United States \(US\), jurisdiction PARTIAL_ADEQUACY, which the policy \[EEA\] does not allow`},
		{region: "us-east-1", allowed: []string{"US"}, ok: true},
		{region: "ap-south-1", allowed: []string{"EU", "ADEQUACY"}, want: `ap-south-1 \(Mumbai\) is in India \(IN\), jurisdiction THIRD_COUNTRY, which the policy \[EU, ADEQUACY\] does not allow`},
	}
	for _, tc := range tests {
		t.Run(tc.region+"/"+strings.Join(tc.allowed, ","), func(t *testing.T) {
			region, err := jurisdiction.Lookup("aws", tc.region)
			if err != nil {
				t.Fatal(err)
			}
			r := &keyResource{data: testData(tc.region, tc.allowed...)}
			planned := testModel()
			planned.ID, planned.ARN = types.StringUnknown(), types.StringUnknown()
			planned.Region, planned.Jurisdiction = types.StringUnknown(), types.StringUnknown()
			req, resp := modifyPlanRequest(t, planned, planned)
			req.State = tfsdk.State{Schema: req.State.Schema, Raw: tftypes.NewValue(req.State.Raw.Type(), nil)}
			r.ModifyPlan(ctx, req, resp)
			if tc.ok {
				if resp.Diagnostics.HasError() {
					t.Fatalf("unexpected error: %v", resp.Diagnostics)
				}
				var got keyModel
				resp.Plan.Get(ctx, &got)
				if got.Region.ValueString() != tc.region || got.Jurisdiction.ValueString() != string(region.Country.Jurisdiction) {
					t.Errorf("planned placement %s/%s, want %s/%s", got.Region, got.Jurisdiction, tc.region, region.Country.Jurisdiction)
				}
				return
			}
			if !resp.Diagnostics.HasError() {
				t.Fatal("the plan was not refused")
			}
			d := resp.Diagnostics.Errors()[0]
			if d.Summary() != "Region not allowed for personal data" || !regexp.MustCompile(tc.want).MatchString(d.Detail()) {
				t.Errorf("got %q: %q, want a detail matching %q", d.Summary(), d.Detail(), tc.want)
			}
		})
	}
}

// destroyRequest is the plan of destroying the test key.
func destroyRequest(t *testing.T) (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
	t.Helper()
	req, resp := modifyPlanRequest(t, testModel(), testModel())
	req.Plan = tfsdk.Plan{Schema: req.Plan.Schema, Raw: tftypes.NewValue(req.Plan.Raw.Type(), nil)}
	resp.Plan = req.Plan
	return req, resp
}

func TestModifyPlan_destroyIsNeverBlocked(t *testing.T) {
	r := &keyResource{data: testData("us-east-1", "EU")}
	req, resp := destroyRequest(t)
	r.ModifyPlan(context.Background(), req, resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("a destroy plan was blocked: %v", resp.Diagnostics)
	}
}

// TestModifyPlan_keyDestruction proves a destroy plan says when the deletion completes, and fails only
// under key_destruction = "deny".
func TestModifyPlan_keyDestruction(t *testing.T) {
	for _, tc := range []struct{ setting, summary string }{
		{providerdata.KeyDestructionWarn, "Key will be destroyed"},
		{providerdata.KeyDestructionDeny, "Key destruction denied"},
	} {
		t.Run(tc.setting, func(t *testing.T) {
			data := testData("eu-central-1", "EU")
			data.KeyDestruction = tc.setting
			r := &keyResource{data: data}
			req, resp := destroyRequest(t)
			r.ModifyPlan(context.Background(), req, resp)
			if len(resp.Diagnostics) != 1 || resp.Diagnostics[0].Summary() != tc.summary {
				t.Fatalf("diagnostics = %v, want one %q", resp.Diagnostics, tc.summary)
			}
			if deny := resp.Diagnostics.HasError(); deny != (tc.setting == providerdata.KeyDestructionDeny) {
				t.Errorf("the plan failed = %t under key_destruction = %q", deny, tc.setting)
			}
			if !strings.Contains(resp.Diagnostics[0].Detail(), "30 days from now") {
				t.Errorf("detail %q does not name the deletion window", resp.Diagnostics[0].Detail())
			}
		})
	}
}

// A key whose state places it in another region than the provider's is replaced, and the plan says what
// the replacement erases; one in the provider's region with nothing changed plans nothing.
func TestModifyPlan_regionChangeReplaces(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		provider    string
		wantReplace bool
	}{
		{provider: "eu-central-1", wantReplace: false},
		{provider: "eu-west-1", wantReplace: true},
	} {
		t.Run(tc.provider, func(t *testing.T) {
			r := &keyResource{data: testData(tc.provider, "EEA")}
			prior := testModel() // in eu-central-1
			req, resp := modifyPlanRequest(t, prior, prior)
			r.ModifyPlan(ctx, req, resp)
			if resp.Diagnostics.HasError() {
				t.Fatalf("unexpected error: %v", resp.Diagnostics)
			}
			replaces := slices.ContainsFunc(resp.RequiresReplace, func(p path.Path) bool { return p.Equal(path.Root("region")) })
			if replaces != tc.wantReplace {
				t.Errorf("region requires replacement = %v, want %v (%v)", replaces, tc.wantReplace, resp.RequiresReplace)
			}
			warned := len(resp.Diagnostics.Warnings()) > 0
			if warned != tc.wantReplace {
				t.Errorf("destruction warning = %v, want %v: %v", warned, tc.wantReplace, resp.Diagnostics)
			}
		})
	}
}

// TestModifyPlan_refusesInPlaceUpdate drives the in-place guard through the key's own ModifyPlan: a plan
// where only a computed attribute changes, and nothing requires a replacement, must fail. It fails if
// ModifyPlan (or replaceonly.PlanChange) stops calling the guard.
func TestModifyPlan_refusesInPlaceUpdate(t *testing.T) {
	r := &keyResource{data: testData("eu-central-1", "EU")}
	prior := testModel()
	planned := prior
	planned.ARN = types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/other")
	req, resp := modifyPlanRequest(t, prior, planned)
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

// A plan that creates, replaces or destroys a key fails, before anything changes, when the audit file could
// not record the event; a plan that changes nothing does not look at the trail.
func TestModifyPlan_auditTrailMustTakeTheEvent(t *testing.T) {
	ctx := context.Background()
	broken := audit.NewTrail(filepath.Join(t.TempDir(), "missing", "audit.jsonl"), "", "", audit.DefaultRetry)
	working := audit.NewTrail(filepath.Join(t.TempDir(), "audit.jsonl"), "", "", audit.DefaultRetry)
	created := func() (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
		planned := testModel()
		planned.ID, planned.ARN = types.StringUnknown(), types.StringUnknown()
		req, resp := modifyPlanRequest(t, planned, planned)
		req.State = tfsdk.State{Schema: req.State.Schema, Raw: tftypes.NewValue(req.State.Raw.Type(), nil)}
		return req, resp
	}
	replaced := func() (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
		planned := testModel()
		planned.Description = types.StringValue("another purpose")
		req, resp := modifyPlanRequest(t, testModel(), planned)
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("description"))
		return req, resp
	}
	unchanged := func() (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
		return modifyPlanRequest(t, testModel(), testModel())
	}
	for name, tc := range map[string]struct {
		plan  func() (resource.ModifyPlanRequest, *resource.ModifyPlanResponse)
		fails bool
	}{
		"create":    {created, true},
		"replace":   {replaced, true},
		"destroy":   {func() (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) { return destroyRequest(t) }, true},
		"no change": {unchanged, false},
	} {
		for _, trail := range []struct {
			name  string
			trail *audit.Trail
		}{{"broken", broken}, {"working", working}} {
			t.Run(name+"/"+trail.name, func(t *testing.T) {
				d := testData("eu-central-1", "EEA")
				d.Audit = trail.trail
				r := &keyResource{data: d}
				req, resp := tc.plan()
				r.ModifyPlan(ctx, req, resp)
				refused := false
				for _, e := range resp.Diagnostics.Errors() {
					refused = refused || e.Summary() == "Audit trail cannot take events"
				}
				if want := tc.fails && trail.name == "broken"; refused != want {
					t.Errorf("refused = %v, want %v: %v", refused, want, resp.Diagnostics)
				}
			})
		}
	}
}
