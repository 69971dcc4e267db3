//go:build unix

package audit

import (
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on the file, waiting for other processes to release theirs.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }
