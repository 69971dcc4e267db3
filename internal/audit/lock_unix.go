//go:build unix

package audit

import (
	"os"
	"syscall"
)

// lock takes an exclusive advisory lock on the file, waiting for other processes to release theirs.
func lock(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }

func unlock(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

// writable reports why files cannot be created in dir, or nil when they can. access(2) asks the kernel,
// which knows the permissions, ACLs and read-only mounts that a look at the mode bits would miss.
func writable(dir string) error {
	// W_OK and X_OK of unistd.h: creating a file needs write and search permission on its directory.
	const wOK, xOK = 0x2, 0x1
	return syscall.Access(dir, wOK|xOK)
}
