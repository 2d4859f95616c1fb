//go:build !unix

package neox

import "time"

// cpuTime is unavailable here; benchmarks then report no per-CPU-second figures.
func cpuTime() time.Duration { return 0 }

// minorFaults is unavailable here; benchmarks then report no page faults.
func minorFaults() int64 { return -1 }
