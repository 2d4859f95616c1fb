//go:build unix

package grid

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// kernelLocks is true where lockFile takes a real flock(2) lock, which the
// kernel drops when its process dies.
const kernelLocks = true

// lockFile tries to take an exclusive flock on f without waiting; false
// means another open file holds it.
func lockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, nil
	case errors.Is(err, syscall.ENOLCK), errors.Is(err, syscall.EOPNOTSUPP), errors.Is(err, syscall.ENOTSUP):
		return false, fmt.Errorf("the results folder's file system refuses file locks (%w): put it on one that takes them (a local disk, NFSv4, Lustre mounted with -o flock)", err)
	}
	return false, err
}

// processAlive reports whether a process with this id runs on this machine.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
