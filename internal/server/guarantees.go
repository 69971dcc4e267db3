package server

import "github.com/gdpr-immutable/terraform-provider-gdpr/internal/awsapi"

// The guarantees of gdpr_server without an attribute of their own are declared, written and checked in
// awsapi (ec2_guarantees.go); these name the problems it reports the way the drift record and the
// diagnostics use them.

func problemNames(ps []awsapi.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func problemReasons(ps []awsapi.Problem) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.Why)
	}
	return out
}
