package main

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestBenchCommand runs bench on the tiny fixture's shape with real data
// for the token counts: it must report a positive rate and finite ETAs.
func TestBenchCommand(t *testing.T) {
	config := testenv.Testdata(t, "neox", "parallel-f32", "config.json")
	data := testenv.Shared(t, "data")
	code, stdout, stderr := run(t, "bench", "-config", config, "-seq", "32", "-batch", "2", "-time", "0",
		"-data-dir", data, "-sample", "2", "-chunks", "16", "-results", t.TempDir())
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	row := regexp.MustCompile(`(?m)^\s*parallel-f32\s+\S+M\s+2 x 32\s+(\d+)\s`).FindStringSubmatch(stdout)
	if row == nil {
		t.Fatalf("no result row for the fixture shape:\n%s", stdout)
	}
	if rate, _ := strconv.Atoi(row[1]); rate <= 0 {
		t.Errorf("rate %s tokens/s", row[1])
	}
	for _, want := range []string{"tokens scored per chunk: text ", "counted on the first 2 chunks", "grid: 1 model x 5 steps x 3 modalities x 16 chunks = 15 cells, 15 to compute", "make reproduce (results in "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, line := range strings.Split(stdout, "\n") {
		if strings.Contains(line, "ETA") && (strings.Contains(line, "unknown") || !regexp.MustCompile(`ETA \d`).MatchString(line)) {
			t.Errorf("ETA not finite: %s", line)
		}
	}
}

func TestBenchCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "-models", "7b"}, `unknown Pythia size "7b"`},
		{[]string{"bench", "-models", "70m", "-dtype", "double"}, `unknown compute dtype "double"`},
		{[]string{"bench", "-models", "70m", "-batch", "-1"}, "-batch must be at least 1, got -1"},
		{[]string{"bench", "-models", "70m", "-batch", "0"}, "-batch must be at least 1, got 0"},
		{[]string{"bench", "-models", "70m", "-seq", "1"}, "-seq must be at least 2"},
	} {
		code, _, stderr := run(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want usage error with %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestFinishedCells(t *testing.T) {
	dir := t.TempDir()
	writeTestCell(t, dir, "pythia-70m", 70e6, 1000, "text", 0.2)
	writeTestCell(t, dir, "pythia-70m", 70e6, 8000, "text", 0.2)
	writeTestCell(t, dir, "pythia-70m", 70e6, 1000, "image", 0.5)
	writeTestCell(t, dir, "pythia-70m", 70e6, 500, "text", 0.3) // a step the grid does not have
	for _, tc := range []struct {
		chunks int
		steps  []string
		want   map[string]int
	}{
		{1, []string{"1000", "8000"}, map[string]int{"pythia-70m/text": 2, "pythia-70m/image": 1}},
		{1, []string{"8000"}, map[string]int{"pythia-70m/text": 1}},
		{2048, []string{"1000", "8000"}, map[string]int{}}, // the cells hold 1 chunk each
	} {
		got, err := finishedCells(dir, tc.chunks, tc.steps)
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("%d chunks at steps %v: %v (%v), want %v", tc.chunks, tc.steps, got, err, tc.want)
		}
	}
	if got, err := finishedCells(filepath.Join(dir, "none"), 1, []string{"1000"}); err != nil || len(got) != 0 {
		t.Errorf("absent folder: %v (%v), want no cells", got, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pythia-70m", "step1000", "speech.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := finishedCells(dir, 1, []string{"1000"}); err == nil || !strings.Contains(err.Error(), "speech.json") {
		t.Errorf("damaged cell: error %v, want one naming it", err)
	}
}
