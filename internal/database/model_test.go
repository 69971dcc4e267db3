package database

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

func apiDatabase() *awsapi.Database {
	return &awsapi.Database{
		Identifier: "customers", ARN: "arn:aws:rds:eu-central-1:123456789012:db:customers", ResourceID: "db-ABC",
		Status: "available", Engine: "postgres", EngineVersion: "17.4", InstanceClass: "db.t4g.medium",
		AllocatedStorageGiB: 50, StorageEncrypted: true, KMSKeyID: "arn:aws:kms:eu-central-1:123456789012:key/k1",
		DeletionProtection: true, IAMAuthentication: true, CopyTagsToSnapshot: true, MasterUsername: "gdpr_admin",
		MasterSecretARN: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:rds!db-1", BackupRetentionDays: 14,
		SubnetGroupName: "private", SecurityGroupIDs: []string{"sg-1"}, Address: "customers.example", Port: 5432,
		Tags: map[string]string{"team": "crm"},
	}
}

func TestFromAPI_readsEveryArgumentAndNamesWhatChanged(t *testing.T) {
	ctx := context.Background()
	var m databaseModel
	m.ID = types.StringValue("customers")
	m.Tags = types.MapNull(types.StringType)
	// Right after an import nothing is compared: every value is adopted as found.
	changed, err := m.fromAPI(ctx, apiDatabase())
	if err != nil || len(changed) != 0 {
		t.Fatalf("the first read after an import reported changes %v (%v)", changed, err)
	}
	if m.Engine.ValueString() != "postgres" || m.AllocatedStorageGiB.ValueInt64() != 50 || m.Port.ValueInt64() != 5432 ||
		m.OnReplace.ValueString() != OnReplaceRefuse || m.ForceDestroy.ValueBool() || m.SecurityGroupIDs.IsNull() {
		t.Fatalf("the model read is %+v", m)
	}

	mutations := map[string]func(*awsapi.Database){
		"engine_version":         func(d *awsapi.Database) { d.EngineVersion = "17.5" },
		"instance_class":         func(d *awsapi.Database) { d.InstanceClass = "db.t4g.large" },
		"allocated_storage_gib":  func(d *awsapi.Database) { d.AllocatedStorageGiB = 60 },
		"kms_key_arn":            func(d *awsapi.Database) { d.KMSKeyID = "arn:aws:kms:eu-central-1:123456789012:key/k2" },
		"backup_retention_days":  func(d *awsapi.Database) { d.BackupRetentionDays = 30 },
		"master_username":        func(d *awsapi.Database) { d.MasterUsername = "root" },
		"db_subnet_group_name":   func(d *awsapi.Database) { d.SubnetGroupName = "public" },
		"vpc_security_group_ids": func(d *awsapi.Database) { d.SecurityGroupIDs = []string{"sg-2"} },
		"tags":                   func(d *awsapi.Database) { d.Tags = map[string]string{"team": "other"} },
	}
	for name, mutate := range mutations {
		prior := m
		d := apiDatabase()
		mutate(d)
		changed, err := prior.fromAPI(ctx, d)
		if err != nil || !slices.Equal(changed, []string{name}) {
			t.Errorf("a change of %s was reported as %v (%v)", name, changed, err)
		}
	}
	again := m
	if changed, _ := again.fromAPI(ctx, apiDatabase()); len(changed) != 0 {
		t.Fatalf("an unchanged database was reported changed: %v", changed)
	}
}

func TestToAPI_defaultsAndSortsWhatTheCreateSends(t *testing.T) {
	ctx := context.Background()
	groups, _ := types.SetValueFrom(ctx, types.StringType, []string{"sg-b", "sg-a"})
	m := databaseModel{Identifier: types.StringValue("customers"), Engine: types.StringValue("postgres"),
		EngineVersion: types.StringValue("17.4"), InstanceClass: types.StringValue("db.t4g.medium"),
		AllocatedStorageGiB: types.Int64Value(50), KMSKeyARN: types.StringValue("k"), BackupRetentionDays: types.Int64Value(7),
		MasterUsername: types.StringNull(), SubnetGroupName: types.StringUnknown(), SecurityGroupIDs: groups,
		Tags: tfvalue.MapValue(map[string]string{"a": "b"})}
	in, err := m.toAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.MasterUsername != defaultMasterUsername || in.SubnetGroupName != "" || !slices.Equal(in.SecurityGroupIDs, []string{"sg-a", "sg-b"}) ||
		in.AllocatedStorageGiB != 50 || in.BackupRetentionDays != 7 || in.Tags["a"] != "b" {
		t.Fatalf("toAPI = %+v", in)
	}
}
