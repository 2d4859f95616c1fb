package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRunChecksSummaryBeforeWork: a summary table path the run could not
// write at the end (here a folder) fails the run before any cell is
// computed, not after.
func TestRunChecksSummaryBeforeWork(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	summary := filepath.Join(out, "seed", tablesFile)
	if err := os.MkdirAll(summary, 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text",
		"-chunks", "1", "-data-dir", data, "-out", out)
	if code != exitFail || !strings.Contains(stderr, summary+" is not a file") {
		t.Errorf("exit %d, stderr %q; want the summary path refused", code, stderr)
	}
	if cells, _ := filepath.Glob(filepath.Join(out, "seed", "*", "*", "*.json*")); len(cells) > 0 {
		t.Errorf("the run computed %v before failing", cells)
	}
}
