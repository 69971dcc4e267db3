package database

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// onlyDatabase is a provider that serves gdpr_database alone, unconfigured, so a test can call the plugin
// protocol as Terraform does.
type onlyDatabase struct{}

func (onlyDatabase) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "gdpr"
}
func (onlyDatabase) Schema(context.Context, provider.SchemaRequest, *provider.SchemaResponse) {}
func (onlyDatabase) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}
func (onlyDatabase) Resources(context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewResource}
}
func (onlyDatabase) DataSources(context.Context) []func() datasource.DataSource { return nil }

// TestDestroyPlan_neverCarriesTheReplacementMarker plans, through the plugin protocol, the destroy of a
// database with on_replace = "move_data" and force_destroy whose prior private state holds the marker a
// replacement writes: the planned private state, which Terraform hands the delete, must not hold it, or the
// destroy would take a move snapshot that no create claims.
func TestDestroyPlan_neverCarriesTheReplacementMarker(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(onlyDatabase{})()
	if err != nil {
		t.Fatal(err)
	}
	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	prior := testState(t, typ)
	null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
	if err != nil {
		t.Fatal(err)
	}
	private, _ := json.Marshal(map[string][]byte{replacementKey: replacementMarker("customers", true)})
	resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: ResourceType, PriorState: prior, ProposedNewState: &null, Config: &null, PriorPrivate: private,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("the destroy plan failed: %s: %s", d.Summary, d.Detail)
		}
	}
	var planned map[string][]byte
	if len(resp.PlannedPrivate) > 0 {
		if err := json.Unmarshal(resp.PlannedPrivate, &planned); err != nil {
			t.Fatalf("planned private state %q: %v", resp.PlannedPrivate, err)
		}
	}
	if _, ok := planned[replacementKey]; ok {
		t.Fatalf("the destroy's planned private state still holds the replacement marker: %s", resp.PlannedPrivate)
	}
}

// testState is a database in the state with on_replace = "move_data" and force_destroy = true.
func testState(t *testing.T, typ tftypes.Type) *tfprotov6.DynamicValue {
	t.Helper()
	ctx := context.Background()
	m := databaseModel{ID: types.StringValue("customers"), ARN: types.StringValue("arn:aws:rds:eu-central-1:123456789012:db:customers"),
		ResourceID: types.StringValue("db-ABC"), Identifier: types.StringValue("customers"), Engine: types.StringValue("postgres"),
		EngineVersion: types.StringValue("17.4"), InstanceClass: types.StringValue("db.t4g.medium"),
		AllocatedStorageGiB: types.Int64Value(50), KMSKeyARN: types.StringValue("arn:aws:kms:eu-central-1:123456789012:key/k"),
		BackupRetentionDays: types.Int64Value(7), MasterUsername: types.StringValue("gdpr_admin"),
		SubnetGroupName: types.StringNull(), SecurityGroupIDs: types.SetNull(types.StringType), Tags: types.MapNull(types.StringType),
		OnReplace: types.StringValue(OnReplaceMoveData), ForceDestroy: types.BoolValue(true), Endpoint: types.StringNull(),
		Port: types.Int64Null(), MasterUserSecretARN: types.StringNull(), RestoredFromSnapshot: types.StringNull(),
		Region: types.StringValue("eu-central-1"), Jurisdiction: types.StringValue("EU"), GuaranteesBroken: types.ListNull(types.StringType)}
	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	st := tfsdkState(sr)
	if d := st.Set(ctx, m); d.HasError() {
		t.Fatal(d)
	}
	v, err := tfprotov6.NewDynamicValue(typ, st.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return &v
}

func tfsdkState(sr resource.SchemaResponse) tfsdk.State {
	return tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(context.Background()), nil)}
}

// TestPlan_marksTheReplacementBeforeAnyCheck plans, through the plugin protocol, a change of a database with
// on_replace = "move_data" while the provider is not configured (as when its configuration is known only at
// apply, and the plan's other steps cannot run): the planned private state, which Terraform hands the
// delete, must say that the data moves, or a replacement would erase it (with force_destroy) or stop half-way.
func TestPlan_marksTheReplacementBeforeAnyCheck(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(onlyDatabase{})()
	if err != nil {
		t.Fatal(err)
	}
	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	prior := testState(t, typ)
	var priorValue map[string]tftypes.Value
	v, err := prior.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.As(&priorValue); err != nil {
		t.Fatal(err)
	}
	priorValue["instance_class"] = tftypes.NewValue(tftypes.String, "db.t4g.large")
	proposed, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, priorValue))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{
		TypeName: ResourceType, PriorState: prior, ProposedNewState: &proposed, Config: &proposed,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("the plan failed: %s: %s", d.Summary, d.Detail)
		}
	}
	var planned map[string][]byte
	if err := json.Unmarshal(resp.PlannedPrivate, &planned); err != nil {
		t.Fatalf("planned private state %q: %v", resp.PlannedPrivate, err)
	}
	var r replacement
	if err := json.Unmarshal(planned[replacementKey], &r); err != nil || r.Identifier != "customers" || !r.MoveData {
		t.Fatalf("the plan's private state does not mark the move of customers: %s", resp.PlannedPrivate)
	}
}

// TestUpdate_dropsTheReplacementMarker applies, through the plugin protocol, an update of force_destroy alone
// whose planned private state holds the marker a plan of an existing database writes: the private state the
// update returns, which Terraform keeps with the database, must not hold it: the marker belongs to the plan
// that wrote it, and one kept in the state would reach a later delete whose own plan did not ask for a move
// snapshot if that plan ever failed to clear it (the destroy plan's clear is the first line, this the second).
func TestUpdate_dropsTheReplacementMarker(t *testing.T) {
	ctx := context.Background()
	server, err := providerserver.NewProtocol6WithError(onlyDatabase{})()
	if err != nil {
		t.Fatal(err)
	}
	var sr resource.SchemaResponse
	NewResource().Schema(ctx, resource.SchemaRequest{}, &sr)
	typ := sr.Schema.Type().TerraformType(ctx)
	prior := testState(t, typ)
	v, err := prior.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var values map[string]tftypes.Value
	if err := v.As(&values); err != nil {
		t.Fatal(err)
	}
	values["force_destroy"] = tftypes.NewValue(tftypes.Bool, false)
	planned, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, values))
	if err != nil {
		t.Fatal(err)
	}
	private, _ := json.Marshal(map[string][]byte{replacementKey: replacementMarker("customers", true)})
	resp, err := server.ApplyResourceChange(ctx, &tfprotov6.ApplyResourceChangeRequest{
		TypeName: ResourceType, PriorState: prior, PlannedState: &planned, Config: &planned, PlannedPrivate: private,
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			t.Fatalf("the update failed: %s: %s", d.Summary, d.Detail)
		}
	}
	var kept map[string][]byte
	if len(resp.Private) > 0 {
		if err := json.Unmarshal(resp.Private, &kept); err != nil {
			t.Fatalf("private state %q: %v", resp.Private, err)
		}
	}
	if _, ok := kept[replacementKey]; ok {
		t.Fatalf("the update kept the replacement marker in the private state: %s", resp.Private)
	}
	got, err := resp.NewState.Unmarshal(typ)
	if err != nil {
		t.Fatal(err)
	}
	var after map[string]tftypes.Value
	if err := got.As(&after); err != nil {
		t.Fatal(err)
	}
	if !after["force_destroy"].Equal(tftypes.NewValue(tftypes.Bool, false)) {
		t.Fatalf("the update did not write force_destroy = false: %v", after["force_destroy"])
	}
}
