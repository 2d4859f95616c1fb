package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// TestKill9AndResume runs the real command in child processes: one run
// goes through uninterrupted; another is killed with SIGKILL (kill -9) in
// the middle of a cell, after its first chunk reached the .partial file,
// and run again. The resumed cell must hold exactly the uninterrupted
// run's per-chunk tokens and bits. (Two text chunks of a tiny checkpoint.)
func TestKill9AndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command and runs it three times")
	}
	data := testenv.SampleData(t)
	ckpt := testenv.TinyCheckpoint(t, "pythia-tiny-16", "step1000")
	bin := buildCommand(t)
	args := func(out string) []string {
		return []string{"run", "-model-dir", ckpt, "-modalities", "text", "-chunks", "2", "-batch", "1", "-data-dir", data, "-out", out}
	}
	cellOf := func(out string) string {
		return filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json")
	}

	whole := filepath.Join(t.TempDir(), "whole")
	if out, err := exec.Command(bin, args(whole)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	want, err := results.ReadCell(cellOf(whole))
	if err != nil {
		t.Fatal(err)
	}

	killed := filepath.Join(t.TempDir(), "killed")
	partial := cellOf(killed) + ".partial"
	child := startMidCell(t, bin, args(killed), partial)
	if err := child.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-child.exited
	if _, err := os.Stat(cellOf(killed)); err == nil {
		t.Fatalf("the killed run finished its cell anyway")
	}

	out, err := exec.Command(bin, args(killed)...).Output()
	if err != nil {
		t.Fatalf("resumed run: %v", err)
	}
	if !strings.Contains(string(out), "1 cells (1 computed now, 0 from earlier runs)") {
		t.Errorf("resumed run says:\n%s", out)
	}
	got, err := results.ReadCell(cellOf(killed))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(partial); err == nil {
		t.Errorf("the resumed run left %s behind", partial)
	}
	if len(got.PerChunk) != len(want.PerChunk) || got.CR != want.CR || got.Fingerprint != want.Fingerprint {
		t.Fatalf("resumed cell: %d chunks CR %v fingerprint %s; uninterrupted: %d chunks CR %v fingerprint %s",
			len(got.PerChunk), got.CR, got.Fingerprint, len(want.PerChunk), want.CR, want.Fingerprint)
	}
	for i := range want.PerChunk {
		g, w := got.PerChunk[i], want.PerChunk[i]
		if g.Index != w.Index || g.Tokens != w.Tokens || g.Bits != w.Bits || g.CR != w.CR {
			t.Errorf("chunk %d: resumed %d tokens %v bits, uninterrupted %d tokens %v bits", i, g.Tokens, g.Bits, w.Tokens, w.Bits)
		}
	}
}

// runningChild is the command running in a child process.
type runningChild struct {
	cmd    *exec.Cmd
	exited chan error // receives Wait's result
	stderr *bytes.Buffer
}

// startMidCell starts the command with args (a run) in a child process and
// returns once the cell's .partial file holds its header and a first
// chunk: the child is then in the middle of the cell.
func startMidCell(t *testing.T, bin string, args []string, partial string) *runningChild {
	t.Helper()
	child := &runningChild{cmd: exec.Command(bin, args...), exited: make(chan error, 1), stderr: &bytes.Buffer{}}
	child.cmd.Stderr = child.stderr
	if err := child.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { child.exited <- child.cmd.Wait() }()
	for lines := 0; lines < 2; {
		select {
		case err := <-child.exited:
			t.Fatalf("the run ended (%v) before it was mid-cell; its partial file held %d lines\n%s", err, lines, child.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		content, _ := os.ReadFile(partial)
		lines = strings.Count(string(content), "\n")
	}
	return child
}

// buildCommand builds this command into a temporary folder once per test.
func buildCommand(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		testenv.Unavailable(t, "needs the go tool to build the command: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "paperrepro")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}
