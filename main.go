// Command terraform-provider-gdpr serves the gdpr Terraform provider over plugin protocol 6.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"sync"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/runtask"
)

// version is set by the release build through -ldflags.
var version = "dev"

func main() {
	// The binary doubles as the verifier of the audit trail the provider writes.
	if len(os.Args) > 1 && os.Args[1] == "audit" {
		os.Exit(audit.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	// And as a run task server for HCP Terraform and Terraform Enterprise, which checks plans of every
	// provider against the same rules.
	if len(os.Args) > 1 && os.Args[1] == "run-task" {
		os.Exit(runtask.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "start the provider with support for debuggers like delve")
	flag.Usage = func() {
		out := flag.CommandLine.Output()
		fmt.Fprint(out, "usage: terraform-provider-gdpr [-debug]\n\nServes the gdpr provider to Terraform, "+
			"which starts it; run by hand only with -debug.\n\n")
		flag.PrintDefaults()
		fmt.Fprint(out, "\nThe binary also verifies the audit trail the provider writes:\n\n"+audit.Usage)
		fmt.Fprint(out, "\nand serves a run task that checks plans in HCP Terraform and Terraform Enterprise:\n\n"+runtask.Usage)
	}
	flag.Parse()

	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		skipDiscardedLogs()
	}
	newServer := newProviderServer()
	err := tf6server.Serve("registry.terraform.io/gdpr-immutable/gdpr", func() tfprotov6.ProviderServer {
		server, err := newServer()
		if err != nil {
			log.Fatal(err)
		}
		return server
	}, opts...)
	if err != nil {
		log.Fatal(err)
	}
}

// newProviderServer is the server main serves: the GC is held from the start and tuned once the provider is
// configured (see gc.go).
func newProviderServer() func() (tfprotov6.ProviderServer, error) {
	holdGC()
	return provider.NewProtocol6Server(version, sync.OnceFunc(tuneGC))
}
