package main

import (
	"math"
	"os"
	"runtime/debug"
)

// gcPercent is how far the heap may grow past what survived the last collection before the next one starts;
// Go's default is 100. The provider's live heap is a few MiB (schemas, clients, the calls in flight) and most
// of what it allocates is garbage within one call, so the default let a refresh reach twice its live heap.
// Collecting at half that growth kept the peak resident set of 100- and 500-bucket refreshes 2-3 MiB lower
// (about 6%) at no measurable cost in time: the process mostly waits on AWS. GOGC in the environment still
// decides.
const gcPercent = 50

// startMemoryLimit bounds the heap of a process that has not been configured yet, while it collects no
// garbage (see holdGC): far above what serving the schema or validating a large configuration allocates
// (a few MiB), and low enough that a surprise is collected as usual long before it matters.
const startMemoryLimit = 64 << 20

// holdGC stops garbage collection from the start of the process until the provider is configured, with
// startMemoryLimit as the bound past which Go collects all the same. Terraform starts the provider three times
// for one plan, and two of those (the schema, the validation) never configure it: they start, answer a few
// requests and exit, and a collection there only delays the answer. Package initialisation alone (the AWS SDK's
// endpoint tables and serde schemas, gRPC, protobuf descriptors) allocates about 2.5 MiB, so Go's 4 MiB floor
// was crossed within the first requests of every start. GOGC or GOMEMLIMIT in the environment still decide.
func holdGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startMemoryLimit)
}

// tuneGC sets gcPercent, and lifts holdGC's limit, when the provider is first configured: the process is about
// to talk to AWS, where the peaks gcPercent was chosen for are reached.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(math.MaxInt64)
	}
}
