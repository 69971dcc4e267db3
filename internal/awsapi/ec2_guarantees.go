package awsapi

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Problem is one way a resource breaks a guarantee. Name identifies the guarantee for state and logs; Why
// is a clause that completes a sentence about the resource, such as "it has a public IP address".
type Problem struct {
	Name, Why string
}

// ProblemNames are the names of ps, in order, as the drift record and guarantees_broken use them.
func ProblemNames(ps []Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// ProblemReasons are the clauses of ps, in order, as diagnostics word them.
func ProblemReasons(ps []Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Why)
	}
	return out
}

// A serverGuarantee is a setting every server the provider launches has, whatever its configuration. Its
// one declaration says how the launch asks for it and how an instance read from EC2 is checked for it, so
// the two cannot drift apart. Its name and clause are what users see, so they change only on purpose.
type serverGuarantee struct {
	name, why string
	// launch puts the setting into the RunInstances request, which already holds the arguments, among
	// them the root volume's mapping and the network interface; nil when no request can ask for it.
	launch func(*ec2.RunInstancesInput)
	// holds reports whether s, as ReadServer reports it, has the setting.
	holds func(s *Server) bool
}

// serverGuarantees are the server's guarantees in the order Problems reports them.
var serverGuarantees = []*serverGuarantee{
	serverMetadataOptions, serverNoPublicIP, serverRootVolume, serverRootEncrypted, serverRootDeleted,
	serverStopOnShutdown,
}

// Problems lists how the instance breaks what the provider guarantees of a server, in a fixed order.
func (s *Server) Problems() []Problem {
	var p []Problem
	for _, g := range serverGuarantees {
		if !g.holds(s) {
			p = append(p, Problem{Name: g.name, Why: g.why})
		}
	}
	return p
}

// metadataHopLimit keeps the metadata session token on the instance itself: a response that has to cross
// a second network hop, to a container or to a host the instance forwards for, does not arrive.
const metadataHopLimit = 1

// The instance metadata service answers only with IMDSv2 session tokens, which a server-side request
// forgery cannot obtain.
var serverMetadataOptions = &serverGuarantee{
	name: "metadata_options",
	why:  "its instance metadata service does not require IMDSv2 session tokens with a hop limit of 1",
	launch: func(in *ec2.RunInstancesInput) {
		in.MetadataOptions = &ec2types.InstanceMetadataOptionsRequest{
			HttpTokens:              ec2types.HttpTokensStateRequired,
			HttpPutResponseHopLimit: aws.Int32(metadataHopLimit),
			HttpEndpoint:            ec2types.InstanceMetadataEndpointStateEnabled,
		}
	},
	// Some services do not report whether the endpoint is enabled; that is no reason to call it broken.
	holds: func(s *Server) bool {
		return s.MetadataHTTPTokens == string(ec2types.HttpTokensStateRequired) &&
			s.MetadataHopLimit == metadataHopLimit &&
			(s.MetadataHTTPEndpoint == "" || s.MetadataHTTPEndpoint == string(ec2types.InstanceMetadataEndpointStateEnabled))
	},
}

// The server is not reachable from the internet by an address of its own.
var serverNoPublicIP = &serverGuarantee{
	name: "public_ip_address",
	why:  "it has a public IP address",
	launch: func(in *ec2.RunInstancesInput) {
		in.NetworkInterfaces[0].AssociatePublicIpAddress = aws.Bool(false)
	},
	holds: func(s *Server) bool { return s.PublicIP == "" },
}

// The root volume is an EBS volume, which the two guarantees after this one encrypt and delete with the
// instance. The image decides whether it boots from EBS, so no request can ask for it: it is only checked.
var serverRootVolume = &serverGuarantee{
	name:  "root_volume",
	why:   "it has no EBS root volume",
	holds: func(s *Server) bool { return s.Root != nil },
}

// The root volume is encrypted with the configured KMS key, given with the volume's other arguments.
var serverRootEncrypted = &serverGuarantee{
	name:   "root_volume_encryption",
	why:    "its root volume is not encrypted",
	launch: func(in *ec2.RunInstancesInput) { in.BlockDeviceMappings[0].Ebs.Encrypted = aws.Bool(true) },
	// Without an EBS root volume only root_volume is reported.
	holds: func(s *Server) bool { return s.Root == nil || s.Root.Encrypted },
}

// The root volume, and the personal data on it, goes when the instance is terminated.
var serverRootDeleted = &serverGuarantee{
	name:   "root_volume_delete_on_termination",
	why:    "its root volume would outlive the instance",
	launch: func(in *ec2.RunInstancesInput) { in.BlockDeviceMappings[0].Ebs.DeleteOnTermination = aws.Bool(true) },
	holds:  func(s *Server) bool { return s.Root == nil || s.Root.DeleteOnTermination },
}

// A shutdown from the operating system stops the instance rather than terminating it, so it is never
// destroyed outside Terraform.
var serverStopOnShutdown = &serverGuarantee{
	name:   "shutdown_behavior",
	why:    "a shutdown from its operating system terminates it",
	launch: func(in *ec2.RunInstancesInput) { in.InstanceInitiatedShutdownBehavior = ec2types.ShutdownBehaviorStop },
	// The shutdown behaviour is empty when the instance was only described, not read in full.
	holds: func(s *Server) bool {
		return s.ShutdownBehavior == "" || s.ShutdownBehavior == string(ec2types.ShutdownBehaviorStop)
	},
}
