package database

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/tfvalue"
)

type databaseModel struct {
	ID                   types.String `tfsdk:"id"`
	ARN                  types.String `tfsdk:"arn"`
	ResourceID           types.String `tfsdk:"resource_id"`
	Identifier           types.String `tfsdk:"identifier"`
	Engine               types.String `tfsdk:"engine"`
	EngineVersion        types.String `tfsdk:"engine_version"`
	InstanceClass        types.String `tfsdk:"instance_class"`
	AllocatedStorageGiB  types.Int64  `tfsdk:"allocated_storage_gib"`
	KMSKeyARN            types.String `tfsdk:"kms_key_arn"`
	BackupRetentionDays  types.Int64  `tfsdk:"backup_retention_days"`
	MasterUsername       types.String `tfsdk:"master_username"`
	SubnetGroupName      types.String `tfsdk:"db_subnet_group_name"`
	SecurityGroupIDs     types.Set    `tfsdk:"vpc_security_group_ids"`
	Tags                 types.Map    `tfsdk:"tags"`
	OnReplace            types.String `tfsdk:"on_replace"`
	ForceDestroy         types.Bool   `tfsdk:"force_destroy"`
	Endpoint             types.String `tfsdk:"endpoint"`
	Port                 types.Int64  `tfsdk:"port"`
	MasterUserSecretARN  types.String `tfsdk:"master_user_secret_arn"`
	RestoredFromSnapshot types.String `tfsdk:"restored_from_snapshot"`
	Region               types.String `tfsdk:"region"`
	Jurisdiction         types.String `tfsdk:"jurisdiction"`
	GuaranteesBroken     types.List   `tfsdk:"guarantees_broken"`
}

// toAPI builds the create (or restore) request from the planned arguments.
func (m databaseModel) toAPI(ctx context.Context) (awsapi.DatabaseInput, error) {
	in := awsapi.DatabaseInput{
		Identifier:          m.Identifier.ValueString(),
		Engine:              m.Engine.ValueString(),
		EngineVersion:       m.EngineVersion.ValueString(),
		InstanceClass:       m.InstanceClass.ValueString(),
		AllocatedStorageGiB: int32(m.AllocatedStorageGiB.ValueInt64()),
		KMSKeyARN:           m.KMSKeyARN.ValueString(),
		BackupRetentionDays: int32(m.BackupRetentionDays.ValueInt64()),
		MasterUsername:      m.MasterUsername.ValueString(),
	}
	if in.MasterUsername == "" {
		in.MasterUsername = defaultMasterUsername
	}
	if !m.SubnetGroupName.IsUnknown() {
		in.SubnetGroupName = m.SubnetGroupName.ValueString()
	}
	if !m.SecurityGroupIDs.IsNull() && !m.SecurityGroupIDs.IsUnknown() {
		if diags := m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false); diags.HasError() {
			return in, errors.New("reading vpc_security_group_ids: a set of strings was expected")
		}
		slices.Sort(in.SecurityGroupIDs)
	}
	tags, err := tfvalue.StringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what RDS reports into the model and returns the names of the arguments that differ from
// what the model held before: changes made outside Terraform. The guarantees without an argument of their
// own are checked by awsapi.Database.Problems.
func (m *databaseModel) fromAPI(ctx context.Context, d *awsapi.Database) (changed []string, err error) {
	// Right after an import the model holds only the id: there is nothing to compare with yet.
	compare := !m.Engine.IsNull()
	differs := func(name string, prior, now attr.Value) {
		if compare && !prior.IsUnknown() && !prior.IsNull() && !prior.Equal(now) {
			changed = append(changed, name)
		}
	}
	set := func(name string, dst *types.String, now types.String) {
		differs(name, *dst, now)
		*dst = now
	}
	setInt := func(name string, dst *types.Int64, now int64) {
		v := types.Int64Value(now)
		differs(name, *dst, v)
		*dst = v
	}

	m.ID = types.StringValue(d.Identifier)
	m.ARN = optionalString(d.ARN)
	m.ResourceID = optionalString(d.ResourceID)
	m.Endpoint = optionalString(d.Address)
	m.Port = types.Int64Null()
	if d.Port != 0 {
		m.Port = types.Int64Value(int64(d.Port))
	}
	m.MasterUserSecretARN = optionalString(d.MasterSecretARN)

	set("identifier", &m.Identifier, types.StringValue(d.Identifier))
	set("engine", &m.Engine, types.StringValue(d.Engine))
	set("engine_version", &m.EngineVersion, types.StringValue(d.EngineVersion))
	set("instance_class", &m.InstanceClass, types.StringValue(d.InstanceClass))
	setInt("allocated_storage_gib", &m.AllocatedStorageGiB, int64(d.AllocatedStorageGiB))
	set("kms_key_arn", &m.KMSKeyARN, optionalString(d.KMSKeyID))
	setInt("backup_retention_days", &m.BackupRetentionDays, int64(d.BackupRetentionDays))
	set("master_username", &m.MasterUsername, types.StringValue(d.MasterUsername))
	set("db_subnet_group_name", &m.SubnetGroupName, optionalString(d.SubnetGroupName))

	groups, diags := types.SetValueFrom(ctx, types.StringType, d.SecurityGroupIDs)
	if diags.HasError() {
		return nil, errors.New("building vpc_security_group_ids")
	}
	if len(d.SecurityGroupIDs) == 0 {
		groups = types.SetNull(types.StringType)
	}
	differs("vpc_security_group_ids", m.SecurityGroupIDs, groups)
	m.SecurityGroupIDs = groups

	prior, err := tfvalue.StringMap(ctx, m.Tags)
	if err != nil {
		return nil, err
	}
	if compare && !m.Tags.IsUnknown() && !maps.Equal(prior, d.Tags) {
		changed = append(changed, "tags")
	}
	// An empty tag set stays as the configuration wrote it: null or {}.
	if len(d.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = tfvalue.MapValue(d.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = tfvalue.MapValue(map[string]string{})
	}
	// The arguments that only govern the provider's own destroy keep their configured values, and an
	// import gets their defaults.
	if m.OnReplace.IsNull() || m.OnReplace.IsUnknown() {
		m.OnReplace = types.StringValue(OnReplaceRefuse)
	}
	if m.ForceDestroy.IsNull() || m.ForceDestroy.IsUnknown() {
		m.ForceDestroy = types.BoolValue(false)
	}
	if m.RestoredFromSnapshot.IsUnknown() {
		m.RestoredFromSnapshot = types.StringNull()
	}
	m.GuaranteesBroken = tfvalue.ListValue(awsapi.ProblemNames(d.Problems()))
	return changed, nil
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// fingerprint identifies the create of this database in region from in (see awsapi.CreatingTag), whether
// it restores from a move snapshot or begins empty: a create that restored and was interrupted may have
// deleted the snapshots already, and is finished all the same.
func fingerprint(region string, in awsapi.DatabaseInput) string {
	return awsapi.Fingerprint(region, ResourceType, in)
}
