//go:build !unix

package neox

import "time"

// cpuTime is unavailable here; benchmarks then report no per-CPU-second figures.
func cpuTime() time.Duration { return 0 }
