//go:build unix

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// lockedBuffer is a bytes.Buffer a child process writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestBenchStopsOnSignal runs bench in a child process (issue 24: it
// printed nothing for 10 minutes and ignored SIGTERM for over 2): its
// progress bar shows an ETA, and SIGTERM or SIGINT ends it within a second
// with a failure exit, while a process beside it in the same process group,
// which bench did not start, keeps running.
func TestBenchStopsOnSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command and runs it")
	}
	bin := buildCommand(t)
	config := testenv.Testdata(t, "neox", "parallel-f32", "config.json")
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			sibling := exec.Command("sleep", "60")
			sibling.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			if err := sibling.Start(); err != nil {
				testenv.Unavailable(t, "cannot start sleep: %v", err)
			}
			defer func() { sibling.Process.Kill(); sibling.Wait() }()

			bench := exec.Command(bin, "bench", "-config", config, "-seq", "64", "-batch", "1", "-time", "1h", "-sample", "0", "-results", t.TempDir())
			bench.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pgid: sibling.Process.Pid}
			stderr := &lockedBuffer{}
			bench.Stderr = stderr
			if err := bench.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- bench.Wait() }()
			deadline := time.After(30 * time.Second)
			for !strings.Contains(stderr.String(), "timed calls, ETA") {
				select {
				case err := <-exited:
					t.Fatalf("bench ended (%v) before its timed calls\n%s", err, stderr)
				case <-deadline:
					bench.Process.Kill()
					t.Fatalf("no progress with an ETA within 30 s:\n%s", stderr)
				case <-time.After(20 * time.Millisecond):
				}
			}
			sent := time.Now()
			if err := bench.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				took := time.Since(sent)
				t.Logf("stopped %v after %v", sig, took)
				if took > time.Second {
					t.Errorf("bench took %v to stop after %v, want under a second", took, sig)
				}
				if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() <= 0 {
					t.Errorf("bench exited with %v, want a failure exit code (not killed by the signal)", err)
				}
			case <-time.After(10 * time.Second):
				bench.Process.Kill()
				t.Fatalf("bench still running 10 s after %v\n%s", sig, stderr)
			}
			if !strings.Contains(stderr.String(), "stopped while measuring") {
				t.Errorf("stderr does not say bench stopped:\n%s", stderr)
			}
			if err := sibling.Process.Signal(syscall.Signal(0)); err != nil {
				t.Errorf("the process beside bench in its process group is gone (%v): bench stopped what it did not start", err)
			}
		})
	}
}

// TestBenchFindsTheTokenizer: a data folder without a tokenizer (issue 24:
// bench then assumed 1024 tokens per text chunk, an ETA twice too long)
// counts with the repository's copy of Pythia's tokenizer (testdata's, or
// its sample data folder's).
func TestBenchFindsTheTokenizer(t *testing.T) {
	enwik8 := filepath.Join(testenv.SampleData(t), "enwik8")
	data := t.TempDir()
	if err := os.CopyFS(data+"/enwik8", os.DirFS(enwik8)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF_HUB_CACHE", t.TempDir()) // no tokenizer in the hub cache either
	perChunk, source := tokensPerChunk(data, []string{"text"}, 8)
	if !regexp.MustCompile(`tokenizer \S*/testdata/(data/)?tokenizer/tokenizer\.json`).MatchString(source) || !strings.Contains(source, "text in "+data+";") {
		t.Errorf("source %q: want text counted in %s with testdata's tokenizer", source, data)
	}
	if n := perChunk["text"]; !(n > 100 && n < 900) {
		t.Errorf("text: %.1f tokens per chunk, want the enwik8 count (a few hundred), not 1024", n)
	}
}
