package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/grid"
)

// writeLock writes a cell's lock file as a worker with pid on this machine
// would have left it.
func writeLock(t *testing.T, cell string, pid int) {
	t.Helper()
	host, _ := os.Hostname()
	data, err := json.Marshal(grid.LockOwner{Host: host, PID: pid, SlurmJob: "41_3", Since: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cell), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cell+".lock", data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestStatusCommand(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	if code, _, stderr := run(t, "run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text",
		"-chunks", "1", "-data-dir", data, "-out", out); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	// A live worker (this process) on one cell, a dead one's lock on another.
	writeLock(t, filepath.Join(out, "seed", "pythia-tiny-16", "step2000", "text.json"), os.Getpid())
	exited := exec.Command("true")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	writeLock(t, filepath.Join(out, "seed", "pythia-tiny-32", "step1000", "text.json"), exited.Process.Pid)

	code, stdout, stderr := run(t, "status", out)
	if code != exitOK {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		"4 cells: 1 done, 1 running, 1 interrupted, 1 missing",
		"pythia-tiny-16 step 2000 text", "(Slurm job 41_3), heartbeat",
		"left by dead worker pid",
		"missing:\n  pythia-tiny-32 step 2000 text",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "pythia-tiny-16 step 1000 text") {
		t.Errorf("status lists the done cell without -v:\n%s", stdout)
	}

	grid := []string{"-models", "EleutherAI/pythia-tiny-16,EleutherAI/pythia-tiny-32", "-steps", "1000,2000", "-modalities", "text", "-chunks", "1"}
	code, stdout, stderr = run(t, append(append([]string{"status", "-complete", "-shards", "2", "-v"}, grid...), out)...)
	if code != exitFail || !strings.Contains(stderr, "3 of 4 cells of "+out+" are not done") {
		t.Errorf("status -complete on an unfinished grid: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"1/1 chunks", "0/1 chunks", "shard ", "array tasks with cells left: ", "done:\n  pythia-tiny-16 step 1000 text"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("status with the grid lacks %q:\n%s", want, stdout)
		}
	}

	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"status"}, exitUsage, "status takes one results folder"},
		{[]string{"status", "-shards", "-1", out}, exitUsage, "-shards must be 0 or more"},
		{[]string{"status", filepath.Join(out, "nowhere")}, exitFail, "no such file"},
		{[]string{"status", "-chunks", "0", out}, exitUsage, "-chunks must be at least 1"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d saying %q", tt.args, code, stderr, tt.code, tt.says)
		}
	}
}

func TestTaskRanges(t *testing.T) {
	tests := []struct {
		tasks []int
		want  string
	}{
		{[]int{3}, "3"},
		{[]int{0, 1, 2, 3, 7, 9, 10}, "0-3,7,9-10"},
		{[]int{1, 3, 5}, "1,3,5"},
	}
	for _, tt := range tests {
		if got := taskRanges(tt.tasks); got != tt.want {
			t.Errorf("taskRanges(%v) = %q, want %q", tt.tasks, got, tt.want)
		}
	}
}
