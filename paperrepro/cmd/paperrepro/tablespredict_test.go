package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// writeBeyondCells writes test cells (made up, in a temporary folder: never
// results) of models the registered prediction covers, computed on
// 2026-01-02 by a backend named "test": each at the registered prediction's
// CR plus offset[model].
func writeBeyondCells(t *testing.T, offset map[string]float64) string {
	t.Helper()
	registered, err := scaling.ReadPredictions(testenv.Expected(t, registeredPredictionsFile))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "seed")
	for _, p := range registered.Rows {
		off, ok := offset[p.Model]
		if !ok || p.Modality != "text" {
			continue
		}
		cr := p.CR + off
		cell := &results.Cell{Model: p.Model, Params: p.P, Step: p.Step, Modality: p.Modality,
			Backend: "test", Computed: "2026-01-02",
			Protocol: results.ProtocolInfo{Name: "seed"}, Data: datasets.Provenance{Modality: p.Modality, Count: 1, ChunkSize: 2048},
			PerChunk: []results.ChunkResult{{Tokens: 10, Bits: cr * 8 * 2048, CR: cr}}}
		if err := cell.Summarize(); err != nil {
			t.Fatal(err)
		}
		if err := results.WriteCell(filepath.Join(dir, p.Model, fmt.Sprintf("step%d", p.Step), p.Modality+".json"), cell); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestTablesAgainstRegisteredPrediction: cells of the larger models are set
// against the registered prediction, each inside or outside its interval.
func TestTablesAgainstRegisteredPrediction(t *testing.T) {
	expected := testenv.Expected(t)
	dir := writeBeyondCells(t, map[string]float64{"pythia-2.8b": 0, "pythia-12b": 0.2})
	code, out, errOut := run(t, "tables", "-paper", expected, dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, re := range []string{
		`Computed cells against the registered prediction \(.*registered_predictions.csv\)`,
		`text  pythia-2.8b  +143000  +0\.1161  +0\.1161  +\[0\.1094, 0\.1228\] +inside`,
		`text  +pythia-12b  +143000  +0\.3097  +0\.1097  +\[0\.0948, 0\.1207\] +OUTSIDE  +\[0\.0880, 0\.1374\] +OUTSIDE`,
		`5 of 10 computed cells inside the bootstrap interval, 5 inside the spread over forms \(cells: this project, computed 2026-01-02, test\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output does not match %q:\n%s", re, out)
		}
	}

	// Without such cells it says how to compute them.
	code, out, errOut = run(t, "tables", "-paper", expected, expected)
	if code != exitOK || !strings.Contains(out, "to test it: paperrepro run -float16 -models 2.8b,6.9b,12b") {
		t.Errorf("tables without larger models: exit %d\n%s%s", code, out, errOut)
	}
}

// TestFiguresBeyondAndSources: figures of a run with cells of the larger
// models draws them against the registered prediction, labelled with their
// source; figures of the paper's tables never call them measured.
func TestFiguresBeyondAndSources(t *testing.T) {
	expected := testenv.Expected(t)
	dir := writeBeyondCells(t, map[string]float64{"pythia-2.8b": 0.001, "pythia-12b": 0.02})
	out := filepath.Join(t.TempDir(), "figs")
	code, stdout, errOut := run(t, "figures", "-paper", expected, "-o", out, dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	beyond := filepath.Join(out, figures.BeyondFigureName+".svg")
	svg, err := os.ReadFile(beyond)
	if err != nil || !strings.Contains(stdout, filepath.Join(out, figures.BeyondFigureName+".png")) {
		t.Fatalf("no prediction figure (%v):\n%s", err, stdout)
	}
	if !strings.Contains(string(svg), "computed: this project, computed 2026-01-02, test") {
		t.Errorf("the prediction figure does not name the computed cells' source")
	}
	checkPaperSources(t, beyond)

	// What is checked here is each figure's source label, not its band, so
	// a small bootstrap of the paper's tables will do. -short leaves out
	// the prediction figure, whose own bootstrap (the registered
	// prediction's 1000 resamples) would take most of the time, and which
	// checkPaperSources read above.
	args, want := []string{"figures", "-paper", expected}, 7
	if testing.Short() {
		args, want = []string{"figures", "-paper", ""}, 6
	}
	out = filepath.Join(t.TempDir(), "paper")
	if code, _, errOut := run(t, append(args, "-resamples", "20", "-o", out, expected)...); code != exitOK {
		t.Fatalf("figures of expected/: exit %d: %s", code, errOut)
	}
	svgs, _ := filepath.Glob(filepath.Join(out, "*.svg"))
	if len(svgs) != want {
		t.Errorf("%d figures of expected/, want %d: %v", len(svgs), want, svgs)
	}
	checkPaperSources(t, svgs...)
	if svg, err := os.ReadFile(filepath.Join(out, "scaling_text.svg")); err != nil || !strings.Contains(string(svg), "(20 resamples of the cells)") {
		t.Errorf("scaling_text.svg does not draw the band of -resamples 20 (%v)", err)
	}
	if code, _, errOut := run(t, "figures", "-resamples", "1", "-o", t.TempDir(), expected); code != exitUsage || !strings.Contains(errOut, "-resamples must be at least 2") {
		t.Errorf("figures -resamples 1: exit %d, %q; want a usage error", code, errOut)
	}
}

// checkPaperSources checks that each SVG figure says its cells are the
// paper's and never calls them measured.
func checkPaperSources(t *testing.T, svgs ...string) {
	t.Helper()
	for _, path := range svgs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(string(data)), "measured") {
			t.Errorf("%s, drawn from the paper's transcribed tables, says \"measured\"", filepath.Base(path))
		}
		if !strings.Contains(string(data), "paper, Table") {
			t.Errorf("%s does not say its cells are the paper's", filepath.Base(path))
		}
	}
}
