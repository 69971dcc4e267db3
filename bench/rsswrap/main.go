// Command rsswrap stands in for a provider binary so the benchmark can measure the provider alone: Terraform
// starts it in place of the provider, it runs the real binary (real/<its own name>, next to itself) with the
// same arguments, environment and standard streams, and when that exits it appends the child's peak resident
// set size, in KiB, to the file named by BENCH_RSS_FILE.
//
// Measuring from inside Terraform's process tree any other way would mix Terraform's own memory into the
// figure: the kernel's accounting of children keeps only the largest descendant.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	os.Exit(run())
}

func run() int {
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 1
	}
	binary := filepath.Join(filepath.Dir(self), "real", filepath.Base(self))
	cmd := exec.Command(binary, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// The provider must not outlive the wrapper if Terraform kills the wrapper outright.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}

	// Terraform's interrupts are meant for the provider: pass them on and let it decide when to stop.
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 1
	}
	go func() {
		for s := range signals {
			_ = cmd.Process.Signal(s)
		}
	}()
	err = cmd.Wait()
	record(cmd)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return 1
	}
	return 0
}

func record(cmd *exec.Cmd) {
	file := os.Getenv("BENCH_RSS_FILE")
	if file == "" || cmd.ProcessState == nil {
		return
	}
	usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rsswrap:", err)
		return
	}
	defer f.Close()
	// One short line per write: O_APPEND keeps concurrent provider processes from interleaving.
	fmt.Fprintf(f, "%d\n", usage.Maxrss)
}
