//go:build !unix

package audit

import "os"

// lock is a no-op where flock does not exist: the mutex still orders one provider process, but two
// Terraform commands writing the same file at once may break the chain, which the verifier reports.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}

// writable cannot ask the system beforehand here; a directory that refuses the outbox is found at apply.
func writable(string) error { return nil }
