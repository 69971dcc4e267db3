package server

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

type serverModel struct {
	ID               types.String `tfsdk:"id"`
	ARN              types.String `tfsdk:"arn"`
	ImageID          types.String `tfsdk:"image_id"`
	InstanceType     types.String `tfsdk:"instance_type"`
	KMSKeyARN        types.String `tfsdk:"kms_key_arn"`
	SubnetID         types.String `tfsdk:"subnet_id"`
	SecurityGroupIDs types.Set    `tfsdk:"security_group_ids"`
	RootVolumeSizeGB types.Int64  `tfsdk:"root_volume_size_gb"`
	RootVolumeType   types.String `tfsdk:"root_volume_type"`
	UserData         types.String `tfsdk:"user_data"`
	UserDataSHA256   types.String `tfsdk:"user_data_sha256"`
	Tags             types.Map    `tfsdk:"tags"`
	AvailabilityZone types.String `tfsdk:"availability_zone"`
	PrivateIP        types.String `tfsdk:"private_ip"`
	Region           types.String `tfsdk:"region"`
	Jurisdiction     types.String `tfsdk:"jurisdiction"`
	GuaranteesBroken types.List   `tfsdk:"guarantees_broken"`
}

// toAPI builds the launch request. The model must hold the user data from the configuration: plan and
// state never do.
func (m serverModel) toAPI(ctx context.Context) (awsapi.ServerInput, error) {
	in := awsapi.ServerInput{
		ImageID:          m.ImageID.ValueString(),
		InstanceType:     m.InstanceType.ValueString(),
		KMSKeyARN:        m.KMSKeyARN.ValueString(),
		RootVolumeSizeGB: int32(m.RootVolumeSizeGB.ValueInt64()),
		RootVolumeType:   m.RootVolumeType.ValueString(),
		UserData:         m.UserData.ValueString(),
	}
	if in.RootVolumeSizeGB == 0 {
		in.RootVolumeSizeGB = defaultRootVolumeSizeGB
	}
	if in.RootVolumeType == "" {
		in.RootVolumeType = defaultRootVolumeType
	}
	if !m.SubnetID.IsUnknown() {
		in.SubnetID = m.SubnetID.ValueString()
	}
	if !m.SecurityGroupIDs.IsNull() && !m.SecurityGroupIDs.IsUnknown() {
		if diags := m.SecurityGroupIDs.ElementsAs(ctx, &in.SecurityGroupIDs, false); diags.HasError() {
			return in, errors.New("reading security_group_ids: a set of strings was expected")
		}
		slices.Sort(in.SecurityGroupIDs)
	}
	tags, err := tfvalue.StringMap(ctx, m.Tags)
	in.Tags = tags
	return in, err
}

// fromAPI copies what EC2 reports into the model and returns the names of the arguments that differ from
// what the model held before: changes made outside Terraform. The guarantees the provider enforces without
// an attribute are checked by awsapi.Server.Problems.
func (m *serverModel) fromAPI(ctx context.Context, s *awsapi.Server) (changed []string, err error) {
	// Right after an import the model holds only the id: there is nothing to compare with yet.
	compare := !m.ImageID.IsNull()
	// A prior value that is null or unknown was never read from EC2 (a create that failed half-way), so it
	// cannot have drifted.
	differs := func(name string, prior attr.Value, now attr.Value) {
		if compare && !prior.IsUnknown() && !prior.IsNull() && !prior.Equal(now) {
			changed = append(changed, name)
		}
	}

	m.ID = types.StringValue(s.ID)
	m.ARN = optionalString(s.ARN)
	m.AvailabilityZone = optionalString(s.AvailabilityZone)
	m.PrivateIP = optionalString(s.PrivateIP)

	image := types.StringValue(s.ImageID)
	differs("image_id", m.ImageID, image)
	m.ImageID = image

	instanceType := types.StringValue(s.InstanceType)
	differs("instance_type", m.InstanceType, instanceType)
	m.InstanceType = instanceType

	if s.Root != nil {
		key := optionalString(s.Root.KMSKeyID)
		differs("kms_key_arn", m.KMSKeyARN, key)
		m.KMSKeyARN = key
		size := types.Int64Value(int64(s.Root.SizeGB))
		differs("root_volume_size_gb", m.RootVolumeSizeGB, size)
		m.RootVolumeSizeGB = size
		volumeType := types.StringValue(s.Root.Type)
		differs("root_volume_type", m.RootVolumeType, volumeType)
		m.RootVolumeType = volumeType
	}

	subnet := optionalString(s.SubnetID)
	differs("subnet_id", m.SubnetID, subnet)
	m.SubnetID = subnet

	groups, diags := types.SetValueFrom(ctx, types.StringType, s.SecurityGroupIDs)
	if diags.HasError() {
		return nil, errors.New("building security_group_ids")
	}
	differs("security_group_ids", m.SecurityGroupIDs, groups)
	m.SecurityGroupIDs = groups

	sha := optionalString(s.UserDataSHA256)
	if compare && !m.UserDataSHA256.IsUnknown() && !m.UserDataSHA256.Equal(sha) {
		changed = append(changed, attrUserData)
	}
	m.UserDataSHA256 = sha
	m.UserData = types.StringNull()

	prior, err := tfvalue.StringMap(ctx, m.Tags)
	if err != nil {
		return nil, err
	}
	if compare && !maps.Equal(prior, s.Tags) {
		changed = append(changed, "tags")
	}
	// An empty tag set stays as the configuration wrote it: null or {}.
	if len(s.Tags) > 0 || m.Tags.IsUnknown() {
		m.Tags = tfvalue.MapValue(s.Tags)
	} else if !m.Tags.IsNull() {
		m.Tags = tfvalue.MapValue(map[string]string{})
	}
	m.GuaranteesBroken = tfvalue.ListValue(awsapi.ProblemNames(s.Problems()))
	return changed, nil
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// userDataSHA256 fingerprints configured user data. Empty user data is none at all, as EC2 sees it.
func userDataSHA256(v types.String) types.String {
	switch {
	case v.IsUnknown():
		return types.StringUnknown()
	case v.IsNull() || v.ValueString() == "":
		return types.StringNull()
	}
	return types.StringValue(awsapi.SHA256Hex(v.ValueString()))
}

// fingerprint identifies the create of this server in region from in, its input with the user data (see
// awsapi.CreatingTag).
func fingerprint(region string, in awsapi.ServerInput) string {
	return awsapi.Fingerprint(region, ResourceType, in)
}
