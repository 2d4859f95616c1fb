//go:build unix

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestSIGTERMStopsCleanly sends SIGTERM, as Slurm's scancel or time limit
// does, to a run in the middle of a cell: it must stop as on Ctrl-C, keeping
// the finished chunks in the .partial file and removing its cell lock, so
// that a requeued task can take the cell at once instead of waiting for the
// lock to go stale.
func TestSIGTERMStopsCleanly(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command and runs it")
	}
	data := testenv.SampleData(t)
	ckpt := testenv.TinyCheckpoint(t, "pythia-tiny-16", "step1000")
	bin := buildCommand(t)
	out := t.TempDir()
	cell := filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json")
	child := startMidCell(t, bin, []string{"run", "-model-dir", ckpt, "-modalities", "text", "-chunks", "8", "-batch", "1", "-data-dir", data, "-out", out}, cell+".partial")
	if err := child.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-child.exited:
		if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() <= 0 {
			t.Errorf("the stopped run exited with %v, want a failure exit code (not killed by the signal)", err)
		}
	case <-time.After(time.Minute):
		child.cmd.Process.Kill()
		t.Fatalf("the run did not stop within a minute of SIGTERM\n%s", child.stderr.String())
	}
	if _, err := os.Stat(cell + ".lock"); !os.IsNotExist(err) {
		t.Errorf("the stopped run left its lock behind (%v)\n%s", err, child.stderr.String())
	}
	content, err := os.ReadFile(cell + ".partial")
	if err != nil || strings.Count(string(content), "\n") < 2 {
		t.Errorf("the stopped run did not keep its finished chunks in the .partial file (%v): %q", err, content)
	}
	if _, err := os.Stat(cell); err == nil {
		t.Error("the stopped run finished its cell anyway")
	}
}
