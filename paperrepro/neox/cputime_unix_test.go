//go:build unix

package neox

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user + system) this process has used so far.
func cpuTime() time.Duration {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return 0
	}
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// minorFaults is the number of minor page faults (pages the kernel mapped
// in without reading them: fresh or reclaimed memory) this process has
// taken so far, -1 when unknown.
func minorFaults() int64 {
	var r syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &r); err != nil {
		return -1
	}
	return r.Minflt
}
