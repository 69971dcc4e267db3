package server

import (
	"slices"
	"strings"
	"testing"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"
)

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
