package awsapi

import (
	"slices"
	"testing"
)

func testServerInput() ServerInput {
	return ServerInput{
		ImageID: "ami-760aaa0f", InstanceType: "t3.micro", SubnetID: "subnet-0a", SecurityGroupIDs: []string{"sg-0a"},
		KMSKeyARN:        "arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
		RootVolumeSizeGB: 8, RootVolumeType: "gp3", UserData: "echo hello", Tags: map[string]string{"team": "crm"},
	}
}

// TestServerProblems_namesAndClauses pins what users see, and its order, for an instance that breaks every
// guarantee: once with an unencrypted root volume that outlives it, once without an EBS root volume.
func TestServerProblems_namesAndClauses(t *testing.T) {
	metadata := Problem{"metadata_options", "its instance metadata service does not require IMDSv2 session tokens with a hop limit of 1"}
	publicIP := Problem{"public_ip_address", "it has a public IP address"}
	shutdown := Problem{"shutdown_behavior", "a shutdown from its operating system terminates it"}
	s := &Server{MetadataHTTPTokens: "optional", MetadataHopLimit: 2, PublicIP: "203.0.113.10", ShutdownBehavior: "terminate",
		Root: &Volume{}}
	want := []Problem{metadata, publicIP,
		{"root_volume_encryption", "its root volume is not encrypted"},
		{"root_volume_delete_on_termination", "its root volume would outlive the instance"},
		shutdown}
	if got := s.Problems(); !slices.Equal(got, want) {
		t.Errorf("problems = %v\nwant %v", got, want)
	}
	s.Root = nil
	want = []Problem{metadata, publicIP, {"root_volume", "it has no EBS root volume"}, shutdown}
	if got := s.Problems(); !slices.Equal(got, want) {
		t.Errorf("without a root volume, problems = %v\nwant %v", got, want)
	}
}

func TestServerProblems(t *testing.T) {
	good := func() *Server {
		return &Server{MetadataHTTPTokens: "required", MetadataHopLimit: 1, MetadataHTTPEndpoint: "enabled",
			ShutdownBehavior: "stop", Root: &Volume{Encrypted: true, DeleteOnTermination: true}}
	}
	tests := map[string]struct {
		change func(*Server)
		want   []string
	}{
		"as guaranteed":          {func(*Server) {}, nil},
		"IMDSv1":                 {func(s *Server) { s.MetadataHTTPTokens = "optional" }, []string{"metadata_options"}},
		"hop limit 2":            {func(s *Server) { s.MetadataHopLimit = 2 }, []string{"metadata_options"}},
		"metadata endpoint off":  {func(s *Server) { s.MetadataHTTPEndpoint = "disabled" }, []string{"metadata_options"}},
		"endpoint not reported":  {func(s *Server) { s.MetadataHTTPEndpoint = "" }, nil},
		"public IP address":      {func(s *Server) { s.PublicIP = "54.1.2.3" }, []string{"public_ip_address"}},
		"unencrypted root":       {func(s *Server) { s.Root.Encrypted = false }, []string{"root_volume_encryption"}},
		"root outlives instance": {func(s *Server) { s.Root.DeleteOnTermination = false }, []string{"root_volume_delete_on_termination"}},
		"no EBS root":            {func(s *Server) { s.Root = nil }, []string{"root_volume"}},
		"terminates on shutdown": {func(s *Server) { s.ShutdownBehavior = "terminate" }, []string{"shutdown_behavior"}},
		"shutdown not reported":  {func(s *Server) { s.ShutdownBehavior = "" }, nil},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := good()
			tc.change(s)
			if got := ProblemNames(s.Problems()); !slices.Equal(got, tc.want) {
				t.Errorf("problems = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestRunInstancesInput_launchesWithoutProblems launches, in the least safe EC2 there could be, what
// RunServer asks for: the instance must keep every guarantee, whatever EC2's defaults.
func TestRunInstancesInput_launchesWithoutProblems(t *testing.T) {
	in := runInstancesInput(testServerInput(), linuxRootDevice, "token", serverGuarantees)
	if p := leastSafeLaunch(in).Problems(); len(p) > 0 {
		t.Errorf("the instance RunServer asks for has problems: %v", p)
	}
}

// TestRunInstancesInput_eachGuaranteeIsAskedFor leaves one guarantee at a time out of the request: the
// instance launched from it must break exactly that one, so no guarantee is checked without being asked for.
func TestRunInstancesInput_eachGuaranteeIsAskedFor(t *testing.T) {
	var checkedOnly []string
	for _, g := range serverGuarantees {
		if g.launch == nil {
			checkedOnly = append(checkedOnly, g.name)
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			in := runInstancesInput(testServerInput(), linuxRootDevice, "token", without(serverGuarantees, g))
			if got := ProblemNames(leastSafeLaunch(in).Problems()); !slices.Equal(got, []string{g.name}) {
				t.Errorf("problems = %v, want [%s]", got, g.name)
			}
		})
	}
	// Only the image decides whether the root volume is EBS; every other guarantee is asked for.
	if want := []string{"root_volume"}; !slices.Equal(checkedOnly, want) {
		t.Errorf("guarantees no request asks for: %v, want %v", checkedOnly, want)
	}
}
