package grid

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/internal/atomicfile"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// The lock tests run real worker processes: this test binary started again
// with lockHelperEnv set, which TestMain hands to lockHelper.
const (
	lockHelperEnv = "GRID_LOCK_HELPER" // "hold" or "contend"
	lockCellEnv   = "GRID_LOCK_CELL"   // hold: the cell's result path
	lockDirEnv    = "GRID_LOCK_DIR"    // contend: the folder of cells
	lockCellsEnv  = "GRID_LOCK_CELLS"  // contend: how many cells
	lockCkptsEnv  = "GRID_LOCK_CKPTS"  // run: the checkpoint folders
)

func TestMain(m *testing.M) {
	if mode := os.Getenv(lockHelperEnv); mode != "" {
		os.Exit(lockHelper(mode))
	}
	os.Exit(m.Run())
}

// lockHelper is a worker process. "hold" takes one cell's lock, prints
// "locked" (or "held PID" when another holds it) and keeps it until its
// standard input closes. "contend" computes every cell of a folder that has
// no result yet, the way the runner does: lock, check for a result, compute
// (journalled as enter/leave lines), write the result, release. "run" runs
// the grid of the checkpoint folders given with the stand-in engine and
// prints the cells it computed.
func lockHelper(mode string) int {
	switch mode {
	case "run":
		var cks []Checkpoint
		for i, dir := range strings.Split(os.Getenv(lockCkptsEnv), ",") {
			cks = append(cks, Checkpoint{Model: "pythia-70m", Step: 1000 * (i + 1), Dir: dir})
		}
		r := &Runner{Engine: &fakeEngine{}, Sources: sources(), Out: os.Getenv(lockDirEnv), BatchSize: 1, Progress: os.Stderr}
		summary, err := r.Run(context.Background(), cks)
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Printf("computed %d reused %d held %d\n", summary.Computed, summary.Reused, len(summary.Held))
		return 0
	case "hold":
		lock, err := lockCell(os.Getenv(lockCellEnv), defaultLockTiming)
		var held *HeldError
		if errors.As(err, &held) {
			fmt.Printf("held %d\n", held.Owner.PID)
			return 0
		}
		if err != nil {
			fmt.Println(err)
			return 1
		}
		fmt.Println("locked")
		io.Copy(io.Discard, os.Stdin)
		if err := lock.release(); err != nil {
			fmt.Println(err)
			return 1
		}
		return 0
	case "contend":
		dir := os.Getenv(lockDirEnv)
		n, _ := strconv.Atoi(os.Getenv(lockCellsEnv))
		for {
			remaining := 0
			for i := range n {
				cell := filepath.Join(dir, fmt.Sprintf("cell%d.json", (i+os.Getpid())%n))
				if _, err := os.Stat(cell); err == nil {
					continue
				}
				remaining++
				if err := computeLocked(cell); err != nil {
					fmt.Println(err)
					return 1
				}
			}
			if remaining == 0 {
				return 0
			}
		}
	}
	fmt.Printf("unknown helper mode %q\n", mode)
	return 1
}

// computeLocked is one worker's attempt at one cell in the "contend" helper.
func computeLocked(cell string) error {
	lock, err := lockCell(cell, defaultLockTiming)
	var held *HeldError
	if errors.As(err, &held) {
		return nil
	}
	if err != nil {
		return err
	}
	defer lock.release()
	if _, err := os.Stat(cell); err == nil {
		return nil // finished by another worker while we took the lock
	}
	journal, err := os.OpenFile(cell+".journal", os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer journal.Close()
	fmt.Fprintf(journal, "enter %d\n", os.Getpid())
	time.Sleep(3 * time.Millisecond)
	fmt.Fprintf(journal, "leave %d\n", os.Getpid())
	return atomicfile.Write(cell, []byte(strconv.Itoa(os.Getpid())), 0o644)
}

// worker is a helper process holding a lock.
type worker struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	line  string // its first line of output
}

// startHolder starts a "hold" helper on cell and waits for its first line.
func startHolder(t *testing.T, cell string) *worker {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), lockHelperEnv+"=hold", lockCellEnv+"="+cell)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("helper on %s: %v", cell, err)
	}
	return &worker{cmd: cmd, stdin: stdin, line: strings.TrimSpace(line)}
}

func TestLockKeepsOtherProcessesOut(t *testing.T) {
	cell := filepath.Join(t.TempDir(), "seed", "pythia-70m", "step1000", "text.json")
	a := startHolder(t, cell)
	if a.line != "locked" {
		t.Fatalf("first worker: %q, want locked", a.line)
	}
	b := startHolder(t, cell)
	if want := fmt.Sprintf("held %d", a.cmd.Process.Pid); b.line != want {
		t.Errorf("second worker: %q, want %q", b.line, want)
	}
	_, err := lockCell(cell, defaultLockTiming)
	var held *HeldError
	if !errors.As(err, &held) || held.Owner.PID != a.cmd.Process.Pid || held.Lock != cell+lockSuffix {
		t.Fatalf("this process: %v, want the lock held by pid %d", err, a.cmd.Process.Pid)
	}
	if host, _ := os.Hostname(); held.Owner.Host != host || !strings.Contains(err.Error(), fmt.Sprintf("held by pid %d on %s", held.Owner.PID, host)) {
		t.Errorf("held error %q names owner %+v", err, held.Owner)
	}

	a.stdin.Close()
	if err := a.cmd.Wait(); err != nil {
		t.Fatalf("first worker releasing: %v", err)
	}
	if _, err := os.Stat(cell + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a released lock leaves its file: %v", err)
	}
	lock, err := lockCell(cell, defaultLockTiming)
	if err != nil || lock.abandoned != nil {
		t.Fatalf("after release: %v, abandoned %v; want a fresh lock", err, lock.abandoned)
	}
	if err := lock.release(); err != nil {
		t.Error(err)
	}
}

func TestLockOfAKilledWorkerIsTakenOver(t *testing.T) {
	cell := filepath.Join(t.TempDir(), "text.json")
	a := startHolder(t, cell)
	if a.line != "locked" {
		t.Fatalf("worker: %q", a.line)
	}
	if err := a.cmd.Process.Kill(); err != nil { // SIGKILL: no chance to clean up
		t.Fatal(err)
	}
	a.cmd.Wait()
	if _, err := os.Stat(cell + lockSuffix); err != nil {
		t.Fatalf("the killed worker's lock file: %v", err)
	}
	if _, alive, err := readLock(cell+lockSuffix, lockStaleAfter); err != nil || alive {
		t.Errorf("readLock on a dead worker's lock: alive %v, %v", alive, err)
	}
	lock, err := lockCell(cell, defaultLockTiming)
	if err != nil {
		t.Fatalf("taking over: %v", err)
	}
	defer lock.release()
	if lock.abandoned == nil || lock.abandoned.Owner.PID != a.cmd.Process.Pid {
		t.Errorf("abandoned %+v, want the killed pid %d", lock.abandoned, a.cmd.Process.Pid)
	}
	info, alive, err := readLock(cell+lockSuffix, lockStaleAfter)
	if err != nil || !alive || info.Owner.PID != os.Getpid() {
		t.Errorf("the lock now: %+v alive %v %v; want this process", info, alive, err)
	}
}

func TestLockFromAnotherMachineNeedsAStaleHeartbeat(t *testing.T) {
	cell := filepath.Join(t.TempDir(), "image.json")
	elsewhere := LockOwner{Host: "gpu-node-elsewhere", PID: 77, SlurmJob: "12_3"}
	if err := os.WriteFile(cell+lockSuffix, []byte(`{"host":"gpu-node-elsewhere","pid":77,"slurm_job":"12_3"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its flock is free here, but another machine's flock may not show on
	// this one: a fresh heartbeat keeps the cell its owner's.
	_, err := lockCell(cell, defaultLockTiming)
	var held *HeldError
	if !errors.As(err, &held) || held.Owner.Host != elsewhere.Host || !strings.Contains(err.Error(), "pid 77 on gpu-node-elsewhere (Slurm job 12_3)") {
		t.Fatalf("fresh lock from another machine: %v", err)
	}
	old := time.Now().Add(-lockStaleAfter - time.Minute)
	if err := os.Chtimes(cell+lockSuffix, old, old); err != nil {
		t.Fatal(err)
	}
	lock, err := lockCell(cell, defaultLockTiming)
	if err != nil || lock.abandoned == nil || lock.abandoned.Owner.PID != 77 {
		t.Fatalf("stale lock from another machine: %v, abandoned %+v", err, lock)
	}
	lock.release()
}

func TestLockHeartbeat(t *testing.T) {
	cell := filepath.Join(t.TempDir(), "speech.json")
	lock, err := lockCell(cell, lockTiming{heartbeat: 5 * time.Millisecond, staleAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(cell+lockSuffix, old, old); err != nil {
		t.Fatal(err)
	}
	if _, alive, _ := readLock(cell+lockSuffix, time.Minute); alive {
		t.Fatal("a lock with an hour-old heartbeat reads as alive")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, alive, _ := readLock(cell+lockSuffix, time.Minute); alive {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the heartbeat never refreshed the lock file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := lock.release(); err != nil {
		t.Fatal(err)
	}
}

func TestLockedWorkersNeverOverlap(t *testing.T) {
	dir := t.TempDir()
	const workers, cells = 4, 24
	var cmds []*exec.Cmd
	var outputs []*strings.Builder
	for range workers {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), lockHelperEnv+"=contend", lockDirEnv+"="+dir, lockCellsEnv+"="+strconv.Itoa(cells))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outputs = append(cmds, cmd), append(outputs, out)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("worker %d: %v\n%s", i, err, outputs[i])
		}
	}
	computedBy := map[string]int{}
	for i := range cells {
		cell := filepath.Join(dir, fmt.Sprintf("cell%d.json", i))
		journal, err := os.ReadFile(cell + ".journal")
		if err != nil {
			t.Fatalf("cell %d never computed: %v", i, err)
		}
		lines := strings.Fields(strings.ReplaceAll(string(journal), "\n", " "))
		// Exactly one worker entered and left: never two at once, never twice.
		if len(lines) != 4 || lines[0] != "enter" || lines[2] != "leave" || lines[1] != lines[3] {
			t.Errorf("cell %d journal %q, want one enter/leave pair", i, journal)
		}
		result, _ := os.ReadFile(cell)
		if len(lines) > 1 && string(result) != lines[1] {
			t.Errorf("cell %d result by %q, journal says %q", i, result, lines[1])
		}
		computedBy[string(result)]++
		if _, err := os.Stat(cell + lockSuffix); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("cell %d: lock file left behind", i)
		}
	}
	t.Logf("cells computed per worker: %v", computedBy)
}

func TestRunSkipsACellALiveWorkerHolds(t *testing.T) {
	out := t.TempDir()
	cks := localCheckpoints(t)
	engine := &fakeEngine{}
	protocol := engine.Protocol()
	busy := cellPath(out, protocol, "pythia-70m", 2000, "text")
	holder := startHolder(t, busy)
	if holder.line != "locked" {
		t.Fatalf("helper: %q", holder.line)
	}
	var progress bytes.Buffer
	got, err := (&Runner{Engine: engine, Sources: sources(), Out: out, Progress: &progress}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if got.Computed != 3 || len(got.Cells) != 3 || len(got.Held) != 1 || got.Held[0].Owner.PID != holder.cmd.Process.Pid {
		t.Fatalf("computed %d, %d cells, held %+v; want 3 computed and the busy cell held by pid %d", got.Computed, len(got.Cells), got.Held, holder.cmd.Process.Pid)
	}
	if want := fmt.Sprintf("pythia-70m step 2000 text: skipped: held by pid %d on ", holder.cmd.Process.Pid); !strings.Contains(progress.String(), want) {
		t.Errorf("progress does not report the skipped cell (%q):\n%s", want, progress.String())
	}
	if _, err := os.Stat(busy); err == nil {
		t.Errorf("the held cell was computed anyway")
	}
	holder.stdin.Close()
	holder.cmd.Wait()
	again, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: out}).Run(context.Background(), cks)
	if err != nil || again.Computed != 1 || again.Reused != 3 || len(again.Held) != 0 {
		t.Errorf("after the holder released it: %v, computed %d reused %d held %d; want the cell computed", err, again.Computed, again.Reused, len(again.Held))
	}
}

func TestRunTakesOverTheCellOfAKilledWorker(t *testing.T) {
	cks := localCheckpoints(t)
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir(), BatchSize: 2}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	// Stop mid-cell (the first cell's third batch), then leave a dead
	// worker's lock on that cell, as a SIGKILL would.
	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := (&Runner{Engine: &fakeEngine{cancelAfter: 3, cancel: cancel}, Sources: sources(), Out: out, BatchSize: 2}).Run(ctx, cks); err == nil {
		t.Fatal("the cancelled run did not stop")
	}
	cancel()
	cell := cellPath(out, (&fakeEngine{}).Protocol(), "pythia-70m", 1000, "text")
	dead := startHolder(t, cell)
	dead.cmd.Process.Kill()
	dead.cmd.Wait()

	var progress bytes.Buffer
	resumed := &fakeEngine{}
	got, err := (&Runner{Engine: resumed, Sources: sources(), Out: out, BatchSize: 2, Progress: &progress}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("pythia-70m step 1000 text: taking over the lock of pid %d on ", dead.cmd.Process.Pid); !strings.Contains(progress.String(), want) {
		t.Errorf("progress does not report the takeover (%q):\n%s", want, progress.String())
	}
	// 3 of the cell's 5 batches were saved: 2 + 4 + 5 + 4 batches remain.
	if resumed.scores != 15 || !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)) {
		t.Errorf("resumed with %d batches (want 15); results equal an uninterrupted run's: %v", resumed.scores, reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)))
	}
	if _, err := os.Stat(cell + lockSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the lock is left after the cell: %v", err)
	}
}

func TestRunnersInSeveralProcessesShareAFolder(t *testing.T) {
	cks := manyCheckpoints(t, 6)
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: t.TempDir()}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var dirs []string
	for _, ck := range cks {
		dirs = append(dirs, ck.Dir)
	}
	const workers = 4
	var cmds []*exec.Cmd
	var outputs []*bytes.Buffer
	for range workers {
		cmd := exec.Command(os.Args[0])
		cmd.Env = append(os.Environ(), lockHelperEnv+"=run", lockDirEnv+"="+out, lockCkptsEnv+"="+strings.Join(dirs, ","))
		var b bytes.Buffer
		cmd.Stdout, cmd.Stderr = &b, &b
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outputs = append(cmds, cmd), append(outputs, &b)
	}
	computed := 0
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, outputs[i])
		}
		var c, r, h int
		if _, err := fmt.Sscanf(outputs[i].String()[strings.LastIndex(outputs[i].String(), "computed "):], "computed %d reused %d held %d", &c, &r, &h); err != nil {
			t.Fatalf("worker %d says:\n%s", i, outputs[i])
		}
		computed += c
		// The "-> path" line of every cell it computed.
		if n := strings.Count(outputs[i].String(), ".json\n"); n != c {
			t.Errorf("worker %d computed %d cells but reports %d", i, c, n)
		}
	}
	if computed != len(want.Cells) {
		t.Errorf("the workers computed %d cells together, want each of the %d once", computed, len(want.Cells))
	}
	got, err := results.ReadCells(out)
	if err != nil {
		t.Fatal(err)
	}
	sortCells(got)
	sortCells(want.Cells)
	if !reflect.DeepEqual(withoutTimes(got), withoutTimes(want.Cells)) {
		t.Errorf("the shared folder's cells differ from one run's")
	}
	leftovers, _ := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.json.*"))
	if len(leftovers) != 0 {
		t.Errorf("left behind: %v", leftovers)
	}
}

// hookedEngine is fakeEngine calling beforeScore before each batch, to
// change the folder as another worker would while a run computes.
type hookedEngine struct {
	fakeEngine
	beforeScore func()
}

func (e *hookedEngine) Open(ckpt *hub.Checkpoint, tok results.TokenizerInfo) (Session, error) {
	s, err := e.fakeEngine.Open(ckpt, tok)
	return &hookedSession{Session: s, hook: e.beforeScore}, err
}

type hookedSession struct {
	Session
	hook func()
}

func (s *hookedSession) Score(chunks [][]byte) ([]results.ChunkResult, error) {
	s.hook()
	return s.Session.Score(chunks)
}

func TestRunReadsACellsFilesAgainOnceItHoldsItsLock(t *testing.T) {
	cks := localCheckpoints(t)
	protocol := (&fakeEngine{}).Protocol()
	whole := t.TempDir()
	want, err := (&Runner{Engine: &fakeEngine{}, Sources: sources(), Out: whole, BatchSize: 1}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	// Another worker's unfinished cell: step 2000 image with 3 of its 7
	// chunks saved (after 10 + 7 + 10 batches of the cells before it).
	other := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := (&Runner{Engine: &fakeEngine{cancelAfter: 30, cancel: cancel}, Sources: sources(), Out: other, BatchSize: 1}).Run(ctx, cks); err == nil {
		t.Fatal("the cancelled run did not stop")
	}

	// While the run computes its first cell, other workers finish step 2000
	// text and save 3 chunks of step 2000 image: files the run did not see
	// when it read the folder.
	out := t.TempDir()
	finished := cellPath(out, protocol, "pythia-70m", 2000, "text")
	saved := partialPath(cellPath(out, protocol, "pythia-70m", 2000, "image"))
	engine := &hookedEngine{}
	engine.beforeScore = func() {
		if engine.scores == 0 {
			copyFile(t, cellPath(whole, protocol, "pythia-70m", 2000, "text"), finished)
			copyFile(t, partialPath(cellPath(other, protocol, "pythia-70m", 2000, "image")), saved)
		}
	}
	got, err := (&Runner{Engine: engine, Sources: sources(), Out: out, BatchSize: 1}).Run(context.Background(), cks)
	if err != nil {
		t.Fatal(err)
	}
	if got.Computed != 3 || got.Reused != 1 || engine.scores != 10+7+4 {
		t.Errorf("computed %d, reused %d cells in %d batches; want the finished cell reused, the saved chunks resumed: 3, 1, %d",
			got.Computed, got.Reused, engine.scores, 10+7+4)
	}
	if !reflect.DeepEqual(withoutTimes(got.Cells), withoutTimes(want.Cells)) {
		t.Errorf("the cells differ from one uninterrupted run's")
	}
	// The other worker's finished cell is never rewritten.
	if a, b := readFile(t, finished), readFile(t, cellPath(whole, protocol, "pythia-70m", 2000, "text")); !bytes.Equal(a, b) {
		t.Errorf("the cell another worker finished was rewritten")
	}
}

func TestFolderScanPassesOverAPartialFileRemovedWhileReading(t *testing.T) {
	dir := t.TempDir()
	cell := filepath.Join(dir, "pythia-70m", "step1000", "text.json")
	if err := os.MkdirAll(filepath.Dir(cell), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link to nothing is listed, then does not open: as a .partial file
	// removed by a worker that finishes its cell between the two.
	if err := os.Symlink(filepath.Join(dir, "gone"), partialPath(cell)); err != nil {
		t.Fatal(err)
	}
	folder, err := scanFolder(dir)
	if err != nil || len(folder.partials) != 0 || len(folder.cells) != 0 {
		t.Errorf("scan: %v, %d partials, %d cells; want an empty folder", err, len(folder.partials), len(folder.cells))
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, readFile(t, from), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestReleaseLeavesATakenOverLock: when another worker has taken the lock
// over (its owner record is now in the file), release leaves the file to it
// and says so; an untouched lock is removed.
func TestReleaseLeavesATakenOverLock(t *testing.T) {
	cell := filepath.Join(t.TempDir(), "text.json")
	lock, err := lockCell(cell, defaultLockTiming)
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cell + lockSuffix); !os.IsNotExist(err) {
		t.Fatalf("release left its own lock file (%v)", err)
	}

	if lock, err = lockCell(cell, defaultLockTiming); err != nil {
		t.Fatal(err)
	}
	other := LockOwner{Host: "gpu17", PID: 4242, Since: time.Now()}
	if err := writeLockOwner(lock.file, other); err != nil {
		t.Fatal(err)
	}
	err = lock.release()
	if err == nil || !strings.Contains(err.Error(), "pid 4242 on gpu17 took it over") {
		t.Errorf("release of a lock taken over: %v, want an error naming the new owner", err)
	}
	if _, err := os.Stat(cell + lockSuffix); err != nil {
		t.Errorf("release removed the new owner's lock file: %v", err)
	}
}
