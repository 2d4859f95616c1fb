//go:build !unix

package grid

import "os"

// kernelLocks is false where there is no flock(2): a lock is then only its
// owner record and heartbeat, so a dead worker's lock is taken over after
// lockStaleAfter, and two workers that start on one cell in the same instant
// are not kept apart. Run one worker per results folder on such systems.
const kernelLocks = false

// lockFile takes no kernel lock here; see kernelLocks.
func lockFile(*os.File) (bool, error) { return true, nil }

// processAlive cannot tell here, so it leaves the verdict to the heartbeat.
func processAlive(int) bool { return true }
