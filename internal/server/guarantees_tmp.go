// Replaced by awsapi's Server.Problems when the layout lands.

package server

import "github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"

// serverProblem is a guarantee of gdpr_server that an instance breaks. Name is how the drift record and the
// warning call it; why is a clause for an error or warning sentence.
type serverProblem struct {
	name, why string
}

// serverProblems lists how an instance breaks what gdpr_server guarantees without an attribute of its own.
func serverProblems(s *awsapi.Server) []serverProblem {
	var p []serverProblem
	if s.MetadataHTTPTokens != "required" || s.MetadataHopLimit != 1 ||
		(s.MetadataHTTPEndpoint != "" && s.MetadataHTTPEndpoint != "enabled") {
		p = append(p, serverProblem{"metadata_options",
			"its instance metadata service does not require IMDSv2 session tokens with a hop limit of 1"})
	}
	if s.PublicIP != "" {
		p = append(p, serverProblem{"public_ip_address", "it has a public IP address"})
	}
	if s.Root == nil {
		p = append(p, serverProblem{"root_volume", "it has no EBS root volume"})
	} else {
		if !s.Root.Encrypted {
			p = append(p, serverProblem{"root_volume_encryption", "its root volume is not encrypted"})
		}
		if !s.Root.DeleteOnTermination {
			p = append(p, serverProblem{"root_volume_delete_on_termination",
				"its root volume would outlive the instance"})
		}
	}
	if s.ShutdownBehavior != "" && s.ShutdownBehavior != "stop" {
		p = append(p, serverProblem{"shutdown_behavior", "a shutdown from its operating system terminates it"})
	}
	return p
}

func problemNames(ps []serverProblem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.name)
	}
	return out
}

func problemReasons(ps []serverProblem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.why)
	}
	return out
}
