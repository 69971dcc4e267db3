// Command terraform-provider-gdpr serves the gdpr Terraform provider over plugin protocol 6.
package main

import (
	"flag"
	"log"
	"os"
	"runtime/debug"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"

	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/audit"
	"github.com/gdpr-immutable/terraform-provider-gdpr/internal/provider"
)

// version is set by the release build through -ldflags.
var version = "dev"

func main() {
	// The binary doubles as the verifier of the audit trail the provider writes.
	if len(os.Args) > 1 && os.Args[1] == "audit" {
		os.Exit(audit.Main(os.Args[2:], os.Stdout, os.Stderr))
	}
	var debugMode bool
	flag.BoolVar(&debugMode, "debug", false, "start the provider with support for debuggers like delve")
	flag.Parse()

	tuneGC()
	var opts []tf6server.ServeOpt
	if debugMode {
		opts = append(opts, tf6server.WithManagedDebug())
	} else {
		skipDiscardedLogs()
	}
	newServer := provider.NewProtocol6Server(version)
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

// discardedLogLevels are the variables that set the levels of the provider's own logs and of the plugin SDK's
// (terraform-plugin-go names the first after the provider). Left unset, each logs at TRACE: some 140 JSON
// lines for each bucket in a plan.
var discardedLogLevels = []string{"TF_LOG_PROVIDER_GDPR", "TF_LOG_SDK", "TF_LOG_SDK_PROTO", "TF_LOG_SDK_FRAMEWORK"}

// skipDiscardedLogs turns the provider's logs off when Terraform (or OpenTofu) would throw them away: it
// keeps a provider's log lines only when TF_LOG or TF_LOG_PROVIDER is set, and otherwise still reads and
// parses every line the provider writes before dropping it. A level the user set is kept. Debug mode is
// left alone, since its logs go to the user's console rather than to Terraform. Crash output does not pass
// through the loggers and reaches Terraform as before.
func skipDiscardedLogs() {
	if os.Getenv("TF_LOG") != "" || os.Getenv("TF_LOG_PROVIDER") != "" {
		return
	}
	for _, name := range discardedLogLevels {
		if os.Getenv(name) == "" {
			_ = os.Setenv(name, "OFF")
		}
	}
}

// gcPercent is how far the heap may grow past what survived the last collection before the next one starts;
// Go's default is 100. The provider's live heap is a few MiB (schemas, clients, the calls in flight) and most
// of what it allocates is garbage within one call, so the default let a refresh reach twice its live heap.
// Collecting at half that growth kept the peak resident set of 100- and 500-bucket refreshes 2-3 MiB lower
// (about 6%) at no measurable cost in time: the process mostly waits on AWS. GOGC in the environment still
// decides.
const gcPercent = 50

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
}
