package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
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

// TestEditedCellIsRefused: a cell whose compression ratio was edited (its
// chunks give another) is not reused by run nor tabulated by tables, fit or
// figures: each refuses it, naming the file.
func TestEditedCellIsRefused(t *testing.T) {
	data := fakeHubEnv(t)
	out := t.TempDir()
	args := []string{"run", "-models", "EleutherAI/pythia-tiny-16", "-steps", "1000", "-modalities", "text", "-chunks", "1", "-data-dir", data, "-out", out}
	if code, _, stderr := run(t, args...); code != exitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	cell := filepath.Join(out, "seed", "pythia-tiny-16", "step1000", "text.json")
	text, err := os.ReadFile(cell)
	if err != nil {
		t.Fatal(err)
	}
	edited := regexp.MustCompile(`(?m)^  "compression_ratio": [0-9.e-]+,$`).ReplaceAll(text, []byte(`  "compression_ratio": 0.1234,`))
	if bytes.Equal(edited, text) {
		t.Fatalf("no compression_ratio to edit in %s", text)
	}
	if err := os.WriteFile(cell, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		args,
		{"tables", "-paper", testenv.Expected(t), filepath.Join(out, "seed")},
		{"fit", "-paper", "", filepath.Join(out, "seed")},
		{"figures", "-out", t.TempDir(), filepath.Join(out, "seed")},
	} {
		code, stdout, stderr := run(t, args...)
		if code != exitFail || !strings.Contains(stderr, cell+": field compression_ratio 0.1234, but its chunks give") {
			t.Errorf("%s on an edited cell: exit %d\n%s%s", args[0], code, stdout, stderr)
		}
	}
}
