package grid

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// A worker computes a cell only while it holds the cell's lock: the file
// <cell>.json.lock beside the result file, locked with flock(2) and holding
// its owner (host, pid, Slurm job) as JSON. The kernel drops a flock when its
// process dies, however it dies, so on one machine a lock whose flock is free
// was left by a dead worker and is taken over at once. Some cluster file
// systems keep flocks per machine (Lustre's localflock), so a lock from
// another machine is trusted only as long as its owner touches the file
// (the heartbeat, every lockHeartbeat); after lockStaleAfter without one it
// counts as abandoned. A worker that releases a lock removes the file.

// lockSuffix names a cell's lock file: the result file's path plus it.
const lockSuffix = ".lock"

const (
	// lockHeartbeat is how often a worker touches the lock files it holds.
	lockHeartbeat = 15 * time.Second
	// lockStaleAfter is how long a lock from another machine stays valid
	// without a heartbeat. It is well above NFS's attribute caching (at
	// most 60 s by default), which can delay when others see a heartbeat.
	lockStaleAfter = 3 * time.Minute
)

// lockTiming holds a lock's heartbeat period and staleness limit; tests
// shorten them.
type lockTiming struct {
	heartbeat, staleAfter time.Duration
}

var defaultLockTiming = lockTiming{heartbeat: lockHeartbeat, staleAfter: lockStaleAfter}

// LockOwner identifies the worker that holds a cell's lock. It is the
// content of the lock file.
type LockOwner struct {
	// Host is the machine's host name.
	Host string `json:"host"`
	// PID is the worker's process id on Host.
	PID int `json:"pid"`
	// SlurmJob is the worker's Slurm job when it runs under Slurm: "1234_5"
	// for task 5 of array job 1234, else the job id.
	SlurmJob string `json:"slurm_job,omitempty"`
	// Since is when the worker took the lock.
	Since time.Time `json:"since"`
}

// same reports whether o is the owner record w, as read back from a lock
// file (which keeps no monotonic clock reading).
func (o LockOwner) same(w LockOwner) bool {
	return o.Host == w.Host && o.PID == w.PID && o.SlurmJob == w.SlurmJob && o.Since.Equal(w.Since)
}

// String names the owner in logs, e.g. "pid 4242 on gpu17 (Slurm job 1234_5)".
func (o LockOwner) String() string {
	if o.PID == 0 {
		return "a worker that had not written its name yet"
	}
	s := fmt.Sprintf("pid %d on %s", o.PID, o.Host)
	if o.SlurmJob != "" {
		s += " (Slurm job " + o.SlurmJob + ")"
	}
	return s
}

// thisWorker is the running process as a lock owner.
func thisWorker() LockOwner {
	host, _ := os.Hostname()
	job := os.Getenv("SLURM_JOB_ID")
	if array, task := os.Getenv("SLURM_ARRAY_JOB_ID"), os.Getenv(envArrayTaskID); array != "" && task != "" {
		job = array + "_" + task
	}
	return LockOwner{Host: host, PID: os.Getpid(), SlurmJob: job, Since: time.Now().UTC().Truncate(time.Second)}
}

// lockInfo is what a lock file tells: its owner, and its last heartbeat
// (the file's modification time).
type lockInfo struct {
	Owner     LockOwner
	Heartbeat time.Time
}

// HeldError reports a cell whose lock another live worker holds.
type HeldError struct {
	// Lock is the lock file.
	Lock string
	// Owner is the worker holding it.
	Owner LockOwner
	// Heartbeat is when the owner last touched it.
	Heartbeat time.Time
	// StaleAfter is how long a worker on another machine is trusted without
	// a heartbeat; after it, the worker is presumed dead.
	StaleAfter time.Duration
	// Local is true when the owner runs on this machine, where a lock is
	// held only while its process lives.
	Local bool
}

func (e *HeldError) Error() string {
	return fmt.Sprintf("%s is held by %s", e.Lock, e.Holder())
}

// Holder describes the worker holding the cell, its heartbeat, when it
// will be presumed dead and what to do, e.g. "pid 4242 on gpu17 (heartbeat
// 54s ago; presumed dead once its heartbeat is 3m0s old, at 15:04:05: run
// again then to take the cell over, unless it finishes it first)".
func (e *HeldError) Holder() string {
	age := since(e.Heartbeat)
	switch {
	case !e.Local:
		return fmt.Sprintf("%s (heartbeat %s ago; presumed dead once its heartbeat is %s old, at %s: run again then to take the cell over, unless it finishes it first)",
			e.Owner, age, e.StaleAfter, e.Heartbeat.Add(e.StaleAfter).Format(time.TimeOnly))
	case age > 3*lockHeartbeat:
		return fmt.Sprintf("%s (heartbeat %s ago, though it beats every %s: the process is stopped or hung; end it (kill %d) and run again to take the cell over)",
			e.Owner, age, lockHeartbeat, e.Owner.PID)
	}
	return fmt.Sprintf("%s (heartbeat %s ago; it is running on this machine: run again once it has finished the cell)", e.Owner, age)
}

// since is the time from t to now, rounded for people.
func since(t time.Time) time.Duration {
	return time.Since(t).Round(time.Second)
}

// cellLock is a held lock on one cell.
type cellLock struct {
	path  string
	file  *os.File
	owner LockOwner // this worker, as written in the file
	// abandoned is the lock of a dead worker this one took over, or nil.
	abandoned *lockInfo
	stop      chan struct{}
	stopped   chan struct{}
}

// errLockReplaced means the lock file was removed or replaced between
// opening and locking it; taking the lock again sees the new file.
var errLockReplaced = errors.New("lock file replaced while locking it")

// lockCell takes the lock of the cell whose result file is cellPath. When a
// live worker holds it, lockCell returns a *HeldError; a lock left by a dead
// worker is taken over and described by the returned lock's abandoned.
func lockCell(cellPath string, timing lockTiming) (*cellLock, error) {
	path := cellPath + lockSuffix
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("locking %s: %w", cellPath, err)
	}
	me := thisWorker()
	for attempt := 1; ; attempt++ {
		lock, err := tryLockCell(path, me, timing)
		if !errors.Is(err, errLockReplaced) || attempt == 5 {
			return lock, err
		}
	}
}

func tryLockCell(path string, me LockOwner, timing lockTiming) (*cellLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	locked, err := lockFile(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	info, err := readLockInfo(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	if !locked {
		f.Close()
		return nil, held(path, info, me.Host, timing)
	}
	// The previous holder removes the file as it releases the lock: if that
	// happened after we opened it, we hold the lock of a file nobody sees.
	mine, err1 := f.Stat()
	onDisk, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(mine, onDisk) {
		f.Close()
		return nil, errLockReplaced
	}
	var abandoned *lockInfo
	if info.Owner.PID != 0 {
		if !lockAbandoned(info, me.Host, timing.staleAfter) {
			f.Close()
			return nil, held(path, info, me.Host, timing)
		}
		abandoned = &info
	}
	if err := writeLockOwner(f, me); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	l := &cellLock{path: path, file: f, owner: me, abandoned: abandoned, stop: make(chan struct{}), stopped: make(chan struct{})}
	go l.beat(timing.heartbeat)
	return l, nil
}

// held is the error for the lock at path that info describes, seen by a
// worker on host.
func held(path string, info lockInfo, host string, timing lockTiming) *HeldError {
	return &HeldError{Lock: path, Owner: info.Owner, Heartbeat: info.Heartbeat, StaleAfter: timing.staleAfter, Local: kernelLocks && info.Owner.Host == host}
}

// lockAbandoned decides whether the lock described by info, whose flock
// this process has just obtained, was left by a dead worker.
func lockAbandoned(info lockInfo, host string, staleAfter time.Duration) bool {
	if kernelLocks && info.Owner.Host == host {
		return true // the kernel released the dead owner's flock
	}
	return time.Since(info.Heartbeat) > staleAfter
}

// readLockInfo reads the owner and heartbeat of an open lock file. An empty
// or torn file gives a zero owner.
func readLockInfo(f *os.File) (lockInfo, error) {
	fi, err := f.Stat()
	if err != nil {
		return lockInfo{}, err
	}
	data, err := io.ReadAll(io.NewSectionReader(f, 0, fi.Size()))
	if err != nil {
		return lockInfo{}, err
	}
	info := lockInfo{Heartbeat: fi.ModTime()}
	if json.Unmarshal(data, &info.Owner) != nil {
		info.Owner = LockOwner{}
	}
	return info, nil
}

func writeLockOwner(f *os.File, owner LockOwner) error {
	data, err := json.Marshal(owner)
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(data, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}

// beat touches the lock file every period until the lock is released.
func (l *cellLock) beat(period time.Duration) {
	defer close(l.stopped)
	tick := time.NewTicker(period)
	defer tick.Stop()
	for {
		select {
		case <-l.stop:
			return
		case now := <-tick.C:
			// A failed touch only ages the heartbeat: on this machine the
			// flock still guards the cell.
			_ = os.Chtimes(l.path, now, now)
		}
	}
}

// release removes the lock file and drops the lock. A lock file that names
// another owner is left to it: that worker took the lock over (a heartbeat
// stalled past staleAfter, or a file system whose flock does not reach
// across machines), and release says so.
func (l *cellLock) release() error {
	close(l.stop)
	<-l.stopped
	if info, err := readLockInfo(l.file); err == nil && !info.Owner.same(l.owner) {
		l.file.Close()
		return fmt.Errorf("releasing lock %s: %s took it over while this worker held it", l.path, info.Owner)
	}
	// Remove before closing, so that nobody locks a file about to vanish.
	err := os.Remove(l.path)
	cerr := l.file.Close()
	if err != nil && !kernelLocks {
		err = os.Remove(l.path) // Windows cannot remove an open file
	}
	if err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("releasing lock: %w", err)
	}
	return nil
}

// readLock reads a lock file for a report without touching the lock: its
// owner and heartbeat, and whether the owner looks alive - a recent
// heartbeat and, on this machine, a running process.
func readLock(path string, staleAfter time.Duration) (info lockInfo, alive bool, err error) {
	f, err := os.Open(path)
	if err != nil {
		return lockInfo{}, false, err
	}
	defer f.Close()
	if info, err = readLockInfo(f); err != nil {
		return lockInfo{}, false, fmt.Errorf("reading lock %s: %w", path, err)
	}
	host, _ := os.Hostname()
	alive = time.Since(info.Heartbeat) <= staleAfter && (info.Owner.Host != host || processAlive(info.Owner.PID))
	return info, alive, nil
}

// takeCell takes the lock of a planned cell of cp, and reports on the
// progress writer a lock taken over from a dead worker. It returns no lock
// (and no error) when a live worker holds the cell: the cell is added to
// Summary.Held and reported.
func (st *run) takeCell(cp *checkpointPlan, plan cellPlan) (*cellLock, error) {
	name := cp.cellName(plan)
	lock, err := lockCell(plan.path, defaultLockTiming)
	var held *HeldError
	if errors.As(err, &held) {
		st.summary.Held = append(st.summary.Held, held)
		st.bar.drop(plan.toScore)
		st.report("%s: skipped: held by %s", name, held.Holder())
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if dead := lock.abandoned; dead != nil {
		st.report("%s: taking over the lock of %s, which died (heartbeat %s ago); its saved chunks are kept",
			name, dead.Owner, since(dead.Heartbeat))
	}
	return lock, nil
}
