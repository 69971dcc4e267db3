package bucket

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/policy"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/providerdata"
)

func days(n int64) *int64 { return &n }

// TestCheckRetention checks that each retention problem is reported on the argument it concerns, in the
// words of policy, which the gdpr_retention data source prints too, followed by what to do.
func TestCheckRetention(t *testing.T) {
	tests := map[string]struct {
		in      policy.RetentionInput
		path    path.Path
		summary string
		todo    string
	}{
		"compliant": {in: policy.RetentionInput{ExpirationDays: days(30), LockDays: days(30), MaxDays: 365}},
		"too long, at plan": {
			in:   policy.RetentionInput{ExpirationDays: days(366), MaxDays: 365},
			path: path.Root("expiration_days"), summary: "Retention too long",
			todo: "Set expiration_days to 1 to 365 days, or raise max_retention_days",
		},
		"lock outlasts expiration, at validation": {
			in:   policy.RetentionInput{ExpirationDays: days(30), LockDays: days(31), MaxDays: math.MaxInt64},
			path: path.Root("object_lock").AtName("days"), summary: "Object Lock outlasts expiration",
			todo: "set object_lock.days to at most 30",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var diags diag.Diagnostics
			checkRetention(tc.in, &diags)
			if tc.summary == "" {
				if len(diags) > 0 {
					t.Fatalf("diagnostics for a compliant retention: %v", diags)
				}
				return
			}
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1: %v", len(diags), diags)
			}
			d := diags[0]
			withPath, ok := d.(diag.DiagnosticWithPath)
			if !ok || !withPath.Path().Equal(tc.path) || d.Severity() != diag.SeverityError || d.Summary() != tc.summary {
				t.Errorf("diagnostic %q at %v, want an error %q at %v", d.Summary(), withPath, tc.summary, tc.path)
			}
			words := policy.Retention(tc.in).Problems[0].Reason
			if !strings.HasPrefix(d.Detail(), words+" ") || !strings.Contains(d.Detail(), tc.todo) {
				t.Errorf("detail %q, want the policy's %q and then %q", d.Detail(), words, tc.todo)
			}
		})
	}
}

// TestDestroyDiags checks that the plan's preview and the apply's safety net word each condition alike:
// the same summary and advice, with only what happened differing.
func TestDestroyDiags(t *testing.T) {
	retained := errors.New(`2 object version(s), such as "records.csv", are under retention`)
	for name, pair := range map[string][2]diag.Diagnostic{
		"not empty": {notEmptyDiag("records", 2, false, atPlan), notEmptyDiag("records", 2, false, atApply)},
		"retained":  {retainedDiag("records", retained, atPlan), retainedDiag("records", retained, atApply)},
	} {
		t.Run(name, func(t *testing.T) {
			plan, apply := pair[0], pair[1]
			if plan.Summary() != apply.Summary() || plan.Severity() != diag.SeverityError || apply.Severity() != diag.SeverityError {
				t.Errorf("plan %q and apply %q, want the same error", plan.Summary(), apply.Summary())
			}
			if plan.Detail() == apply.Detail() {
				t.Errorf("plan and apply say the same thing happened: %q", plan.Detail())
			}
			for _, d := range pair {
				if !strings.Contains(d.Detail(), `Bucket "records" holds`) || !strings.Contains(d.Detail(), "Art. 17") {
					t.Errorf("detail %q does not name the bucket and the article", d.Detail())
				}
			}
		})
	}
}

// TestModifyPlan_refusesInPlaceUpdate drives the in-place guard through the bucket's own ModifyPlan: a plan
// where only a computed attribute changes, and nothing requires a replacement, must fail. It fails if
// ModifyPlan (or replaceonly.PlanChange) stops calling the guard.
func TestModifyPlan_refusesInPlaceUpdate(t *testing.T) {
	ctx := context.Background()
	data := providerdata.New()
	data.Place("eu-central-1")
	r := &bucketResource{data: data}

	prior := bucketTestModel()
	prior.ARN = types.StringValue("arn:aws:s3:::records")
	prior.Region, prior.Jurisdiction = types.StringValue("eu-central-1"), types.StringValue("EU")
	planned := prior
	planned.ARN = types.StringValue("arn:aws:s3:::other")

	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	empty := tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)
	state := tfsdk.State{Schema: sr.Schema, Raw: empty}
	plan := tfsdk.Plan{Schema: sr.Schema, Raw: empty}
	if d := state.Set(ctx, prior); d.HasError() {
		t.Fatal(d)
	}
	if d := plan.Set(ctx, planned); d.HasError() {
		t.Fatal(d)
	}
	req := resource.ModifyPlanRequest{State: state, Plan: plan, Config: tfsdk.Config{Schema: sr.Schema, Raw: plan.Raw}}
	resp := &resource.ModifyPlanResponse{Plan: plan}

	r.ModifyPlan(ctx, req, resp)
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

func TestMoveWarning_saysWhatMovesAndWhatIsErased(t *testing.T) {
	src := awsapi.MoveSource{Current: 1200, Bytes: 18096, Noncurrent: 3, DeleteMarkers: 2}
	oldKey := types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/old")
	d := moveWarning("records-1", src, oldKey, oldKey)
	for _, want := range []string{`"records-1"`, "1200 current object(s)", "18096 bytes (17.7 KiB)", "under KMS key arn:aws:kms:eu-central-1:123456789012:key/old",
		"3 noncurrent version(s) and 2 delete marker(s)", "storage class, website redirect",
		"its age, from which expiration_days and the default retention count, starts again at the move"} {
		if !strings.Contains(d.Detail(), want) {
			t.Errorf("the warning does not say %q:\n%s", want, d.Detail())
		}
	}
	if strings.Contains(d.Detail(), "The key changes") {
		t.Errorf("the warning says the key changes although it does not:\n%s", d.Detail())
	}
	d = moveWarning("records-1", src, oldKey, types.StringUnknown())
	if !strings.Contains(d.Detail(), "the new bucket's KMS key (known after apply)") || !strings.Contains(d.Detail(), "The key changes from arn:aws:kms:eu-central-1:123456789012:key/old") {
		t.Errorf("a replaced key is not named:\n%s", d.Detail())
	}
}
