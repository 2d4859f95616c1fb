package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub/hubtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/slurmtest"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

var (
	slurmTest   = flag.Bool("slurm", false, "run TestSlurmArrayOnALocalCluster: the tiny test grid as a job array on a one-node Slurm cluster made for the test (minutes; make slurm-test)")
	slurmChunks = flag.Int("slurm.chunks", 2, "chunks per modality in the Slurm test (the issue's full size: 16)")
)

// TestSlurmArrayOnALocalCluster proves the grid on a real Slurm: a cluster
// of one node with this machine's CPUs (slurmctld, slurmd and munged, state
// in a temporary folder) runs the script 'paperrepro slurm' writes for the
// tiny grid - 2 models x 2 steps x 2 modalities in 4 array tasks,
// checkpoints served by a fake hub and fetched once before the array - while
// one array task is killed with SIGKILL in the middle of a cell and then
// requeued. The merged tables must equal a single-process run of the same
// grid number for number, every chunk's bits too, with no cell lost or
// computed twice.
func TestSlurmArrayOnALocalCluster(t *testing.T) {
	if !*slurmTest {
		t.Skip("the Slurm run takes minutes: make slurm-test (or go test -run SlurmArray -slurm)")
	}
	fixtures := testenv.TinyGrid(t)
	data := testenv.SampleData(t)
	expected := testenv.Expected(t)
	if missing := slurmtest.Missing(); len(missing) > 0 {
		testenv.Unavailable(t, "needs Slurm and munge (missing %s): make slurm-test installs them and runs this test", strings.Join(missing, ", "))
	}
	began := time.Now()
	bin := buildCommand(t)
	cluster := slurmtest.Start(t, runtime.NumCPU())
	t.Logf("built paperrepro and started a %d-CPU cluster in %s", cluster.CPUs, time.Since(began).Round(time.Second))

	work := t.TempDir()
	out, ref, script := filepath.Join(work, "results"), filepath.Join(work, "single"), filepath.Join(work, "grid.sh")
	gridArgs := append(append([]string(nil), tinyGrid...), "-chunks", strconv.Itoa(*slurmChunks))
	// The cluster's fake hub and the single-process run's are separate, so
	// that the downloads of each can be counted.
	clusterHub := hubtest.Start(t, fixtures, "EleutherAI")
	singleHub := hubtest.Start(t, fixtures, "EleutherAI")
	hubEnv := func(env []string, url string) []string {
		return append(env, "HF_ENDPOINT="+url, "HF_HUB_OFFLINE=", "HF_TOKEN=", "HF_HOME="+filepath.Join(work, "unused-hf-home"))
	}

	// The single-process run, beside the array.
	single := exec.Command(bin, append(append([]string{"run"}, gridArgs...), "-batch", "1", "-data-dir", data, "-out", ref)...)
	single.Env = append(hubEnv(os.Environ(), singleHub.URL), "HF_HUB_CACHE="+filepath.Join(work, "single-cache"))
	var singleOut bytes.Buffer
	single.Stdout, single.Stderr = &singleOut, &singleOut
	if err := single.Start(); err != nil {
		t.Fatal(err)
	}
	singleDone := make(chan error, 1)
	go func() { singleDone <- single.Wait() }()
	t.Cleanup(func() { single.Process.Kill() })

	// The user's steps: write the script, run it on the "login node".
	cmd := exec.Command(bin, append([]string{"slurm", "-binary", bin, "-paper", expected, "-data-dir", data, "-out", out,
		"-hf-home", filepath.Join(work, "hf"), "-tasks", "4", "-gpus", "0", "-cpus", "1", "-batch", "1", "-o", script}, gridArgs...)...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("paperrepro slurm: %v\n%s", err, b)
	}
	submit := exec.Command("bash", script)
	submit.Env = hubEnv(cluster.Env(), clusterHub.URL)
	submitted, err := submit.CombinedOutput()
	if err != nil {
		t.Fatalf("bash %s: %v\n%s", script, err, submitted)
	}
	m := regexp.MustCompile(`submitted array job (\d+) \(tasks 0-3\) and job (\d+) after it`).FindStringSubmatch(string(submitted))
	if m == nil {
		t.Fatalf("bash %s says:\n%s", script, submitted)
	}
	array, after := m[1], m[2]
	requestsAtSubmit := len(clusterHub.Requests())
	// Hold the job after the array until the killed task is requeued, so
	// that it cannot start in between.
	cluster.Run("scontrol", "hold", after)

	// Kill one task's paperrepro with SIGKILL once its cell has saved a
	// chunk but not finished.
	victim := killMidCell(t, cluster, out, array)
	t.Logf("killed %s (pid %d) in %s after %d saved chunks", victim.owner.SlurmJob, victim.owner.PID, victim.cell, victim.saved)
	task := victim.owner.SlurmJob
	waitJobState(t, cluster, task, "FAILED", time.Minute)
	cluster.Run("scontrol", "requeue", task)
	// A requeued job waits a while before it is eligible again; not here.
	cluster.Run("scontrol", "update", "JobId="+task, "StartTime=now")
	cluster.Run("scontrol", "release", after)
	cluster.WaitQueueEmpty(time.Duration(5+*slurmChunks) * time.Minute)
	t.Logf("array and the job after it done %s after the start", time.Since(began).Round(time.Second))

	logs := filepath.Join(out, "slurm-logs")
	for k := range 4 {
		id := array + "_" + strconv.Itoa(k)
		job := cluster.Job(id)
		wantRestarts := "0"
		if id == task {
			wantRestarts = "1"
		}
		if job["JobState"] != "COMPLETED" || job["Restarts"] != wantRestarts {
			log, _ := os.ReadFile(filepath.Join(logs, "paperrepro-"+id+".log"))
			t.Errorf("task %s: %s after %s restarts, want COMPLETED after %s\n%s", id, job["JobState"], job["Restarts"], wantRestarts, log)
		}
	}
	afterLog, _ := os.ReadFile(filepath.Join(logs, "paperrepro-after-"+after+".log"))
	if job := cluster.Job(after); job["JobState"] != "COMPLETED" {
		t.Fatalf("the job after the array: %s\n%s", job["JobState"], afterLog)
	}
	if !strings.Contains(string(afterLog), "8 cells: 8 done, 0 running, 0 interrupted, 0 missing") ||
		!strings.Contains(string(afterLog), "Table 2 (text): ours vs the paper's compression ratio") {
		t.Errorf("the job after the array says:\n%s", afterLog)
	}

	// The killed task took its cell over and resumed it; every cell was
	// computed by exactly one task.
	killedLog, _ := os.ReadFile(filepath.Join(logs, "paperrepro-"+task+".log"))
	if !strings.Contains(string(killedLog), "taking over") || !strings.Contains(string(killedLog), "pid "+strconv.Itoa(victim.owner.PID)) {
		t.Errorf("the requeued task's log does not report taking over the lock of pid %d:\n%s", victim.owner.PID, killedLog)
	}
	computed := map[string]int{}
	for k := range 4 {
		log, _ := os.ReadFile(filepath.Join(logs, "paperrepro-"+array+"_"+strconv.Itoa(k)+".log"))
		for _, m := range regexp.MustCompile(`-> (\S+\.json)\n`).FindAllStringSubmatch(string(log), -1) {
			computed[m[1]]++
		}
	}
	cells, err := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.json"))
	if err != nil || len(cells) != 8 {
		t.Errorf("%d cell files (%v), want 8: %v", len(cells), err, cells)
	}
	for _, c := range cells {
		if computed[c] != 1 {
			t.Errorf("%s computed %d times by the array tasks, want once", c, computed[c])
		}
	}
	filepath.WalkDir(filepath.Join(out, "seed"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".lock") || strings.HasSuffix(path, ".partial") || strings.HasPrefix(d.Name(), ".")) {
			t.Errorf("left behind: %s", path)
		}
		return nil
	})

	// Fetched once, before the array: the tasks never asked the hub.
	if n := clusterHub.LFSDownloads(); n != 4 {
		t.Errorf("the hub served %d weights downloads, want 4 (one per checkpoint)", n)
	}
	if n := len(clusterHub.Requests()); n != requestsAtSubmit {
		t.Errorf("the array tasks made %d requests to the hub, want none (offline)", n-requestsAtSubmit)
	}

	// The merged results equal the single-process run's.
	if err := <-singleDone; err != nil {
		t.Fatalf("single-process run: %v\n%s", err, singleOut.String())
	}
	tables := exec.Command(bin, "tables", "-paper", expected, "-out", filepath.Join(ref, "tables"), filepath.Join(ref, "seed"))
	if b, err := tables.CombinedOutput(); err != nil {
		t.Fatalf("tables of the single run: %v\n%s", err, b)
	}
	for _, name := range []string{"tables/compression_ratios.csv", "tables/table2_text.csv", "tables/table4_speech.csv"} {
		got, err1 := os.ReadFile(filepath.Join(out, name))
		want, err2 := os.ReadFile(filepath.Join(ref, name))
		if err1 != nil || err2 != nil || !bytes.Equal(got, want) || len(want) == 0 {
			t.Errorf("%s differs from the single-process run's (%v, %v):\n%s\nwant\n%s", name, err1, err2, got, want)
		}
	}
	merged, err := results.ReadCells(filepath.Join(out, "seed"))
	if err != nil {
		t.Fatal(err)
	}
	alone, err := results.ReadCells(filepath.Join(ref, "seed"))
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) != 8 || len(alone) != 8 {
		t.Fatalf("%d merged cells, %d single-run cells; want 8", len(merged), len(alone))
	}
	for i := range merged {
		a, b := merged[i], alone[i]
		if a.Model != b.Model || a.Step != b.Step || a.Modality != b.Modality || a.CR != b.CR || len(a.PerChunk) != len(b.PerChunk) {
			t.Errorf("cell %d: %s step %d %s CR %v, single run %s step %d %s CR %v", i, a.Model, a.Step, a.Modality, a.CR, b.Model, b.Step, b.Modality, b.CR)
			continue
		}
		for j := range a.PerChunk {
			if a.PerChunk[j].Tokens != b.PerChunk[j].Tokens || a.PerChunk[j].Bits != b.PerChunk[j].Bits {
				t.Errorf("%s step %d %s chunk %d: %d tokens %v bits, single run %d tokens %v bits", a.Model, a.Step, a.Modality, j,
					a.PerChunk[j].Tokens, a.PerChunk[j].Bits, b.PerChunk[j].Tokens, b.PerChunk[j].Bits)
			}
		}
	}
	t.Logf("total %s", time.Since(began).Round(time.Second))
}

// midCell is the array task killed in the middle of a cell.
type midCell struct {
	owner grid.LockOwner
	cell  string
	saved int
}

// killMidCell waits until an array task of job array holds a cell's lock
// and has saved at least one of its chunks, then kills that task's process
// with SIGKILL.
func killMidCell(t *testing.T, cluster *slurmtest.Cluster, out, array string) midCell {
	t.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for time.Now().Before(deadline) {
		locks, _ := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.json.lock"))
		for _, lock := range locks {
			var owner grid.LockOwner
			content, _ := os.ReadFile(lock)
			if json.Unmarshal(content, &owner) != nil || !strings.HasPrefix(owner.SlurmJob, array+"_") {
				continue
			}
			cell := strings.TrimSuffix(lock, ".lock")
			partial, _ := os.ReadFile(cell + ".partial")
			saved := strings.Count(string(partial), "\n") - 1 // the first line is the header
			if _, err := os.Stat(cell); saved < 1 || err == nil {
				continue
			}
			if err := syscall.Kill(owner.PID, syscall.SIGKILL); err != nil {
				t.Fatalf("kill -9 %d: %v", owner.PID, err)
			}
			return midCell{owner: owner, cell: cell, saved: saved}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no array task was caught in the middle of a cell in 5 minutes:\n%s", cluster.Run("squeue"))
	return midCell{}
}

// waitJobState waits until the job is in state, failing the test after
// timeout.
func waitJobState(t *testing.T, cluster *slurmtest.Cluster, id, state string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := cluster.Job(id)["JobState"]
		if got == state {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s after %s, want %s", id, got, timeout, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
