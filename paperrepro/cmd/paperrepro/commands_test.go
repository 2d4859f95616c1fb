package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// run runs the real command table with args and returns the exit code,
// stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runMain(context.Background(), commands(), args, streams{Out: &stdout, Err: &stderr})
	return code, stdout.String(), stderr.String()
}

func TestFitCommandOnPaper(t *testing.T) {
	expected := testenv.Expected(t)
	csvPath := filepath.Join(t.TempDir(), "table1.csv")
	code, out, errOut := run(t, "fit", "-resamples", "50", "-paper", expected, "-o", csvPath, expected)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"text: 25 cells, 5 model sizes x 5 steps",
		"alpha        0.3934", // our text exponent, beside the paper's
		"R^2 0.9655",
		"pythia-70m   70M",
		"image:", "speech:",
		"prediction (paper section 4.6), text",
		"ours 0.1127",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	tables, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(tables)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "modality,dataset,a,b,c,alpha,beta,cells,a_lo,a_hi,") || !strings.HasPrefix(lines[1], "text,enwik8,0.0996") {
		t.Errorf("Table 1 CSV:\n%s", tables)
	}
}

func TestFitCommandForms(t *testing.T) {
	expected := testenv.Expected(t)
	code, out, errOut := run(t, "fit", "-forms", "-resamples", "20", "-paper", expected, expected)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Functional forms", "text, without step 1000 (20 cells):", "CR = a + b*ln(P) + c*S^-beta", "over forms: 0.1000 to 0.1369"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestFitCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad_text.csv")
	if err := os.WriteFile(bad, []byte("model,params,step,compression_ratio\npythia-70m,70e6,1000,oops\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	constant := filepath.Join(dir, "constant_text.csv")
	rows := "model,params,step,compression_ratio\n"
	for _, m := range []string{"a,1e6", "b,2e6"} {
		for _, step := range []string{"1000", "2000", "4000"} {
			rows += m + "," + step + ",0.5\n"
		}
	}
	if err := os.WriteFile(constant, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"malformed table", []string{"fit", "-paper", "", bad}, exitFail, "bad_text.csv:2: field compression_ratio"},
		{"constant ratios", []string{"fit", "-paper", "", "-resamples", "10", constant}, exitFail, "every compression ratio of the text table is 0.5: there is nothing to fit"},
		{"missing input", []string{"fit", "-paper", "", filepath.Join(dir, "nope.csv")}, exitFail, "nope.csv"},
		{"two inputs", []string{"fit", "a", "b"}, exitUsage, "one results CSV or folder"},
		{"bad level", []string{"fit", "-level", "2"}, exitUsage, "-level"},
		{"named paper folder missing", []string{"fit", "-paper", filepath.Join(dir, "nopaper"), testenv.Expected(t)}, exitFail, "nopaper"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestFiguresCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "figs")
	// A results CSV like the grid writes, with the tiny test models.
	table := results.Table{Modality: "text", Rows: []results.Row{
		{Model: "pythia-tiny-16", Params: 1616320, Step: 1000, CR: 0.74},
		{Model: "pythia-tiny-16", Params: 1616320, Step: 2000, CR: 0.73},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 1000, CR: 0.72},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 2000, CR: 0.70},
	}}
	csvPath := filepath.Join(t.TempDir(), "grid.csv")
	if err := results.WriteCSV(csvPath, table); err != nil {
		t.Fatal(err)
	}
	code, stdout, errOut := run(t, "figures", "-o", out, csvPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, name := range []string{"figure1_heatmaps.png", "figure1_heatmaps.svg", "scaling_text.png", "scaling_text.svg", "figure4_combined.png"} {
		path := filepath.Join(out, name)
		if info, err := os.Stat(path); err != nil || info.Size() == 0 {
			t.Errorf("%s missing or empty: %v", name, err)
		}
		if !strings.Contains(stdout, path) {
			t.Errorf("stdout does not list %s:\n%s", path, stdout)
		}
	}
}

// TestFitCommandSmallGrid fits a grid of two tiny models: enough cells for
// a fit, too few sizes for the leave-one-size-out check, which is skipped
// with a note instead of failing the whole command.
func TestFitCommandSmallGrid(t *testing.T) {
	table := results.Table{Modality: "text"}
	for _, m := range []struct {
		name   string
		params float64
	}{{"my-model-16", 1616320}, {"my-model-32", 3365248}} { // local models: any name
		for _, step := range []int{1000, 2000, 4000} {
			cr := 0.5 + 2*math.Pow(m.params, -0.3) + 3*math.Pow(float64(step), -0.5)
			table.Rows = append(table.Rows, results.Row{Model: m.name, Params: m.params, Step: step, CR: cr})
		}
	}
	csvPath := filepath.Join(t.TempDir(), "tiny.csv")
	if err := results.WriteCSV(csvPath, table); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "fit", "-paper", "", "-resamples", "20", csvPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"text: 6 cells, 2 model sizes x 3 steps", "R^2 1.0000", "needs at least 3 model sizes"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestFiguresRefusesStepZero: a table with a step below 1 (which a log
// axis and S^-beta cannot take) is refused where it is read, naming the
// file, line and field, instead of panicking in the plot.
func TestFiguresRefusesStepZero(t *testing.T) {
	path := filepath.Join(t.TempDir(), "zero_text.csv")
	if err := os.WriteFile(path, []byte("model,params,step,compression_ratio\nmine,1e6,0,0.5\nmine,1e6,2000,0.4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "figures", "-o", t.TempDir(), path)
	if code != exitFail || !strings.Contains(stderr, "zero_text.csv:2: model mine: field step: 0: the scaling law needs a training step of at least 1") {
		t.Errorf("figures on step 0: exit %d\n%s", code, stderr)
	}
}

// writeTestCell writes a finished cell as a run would lay it out under dir.
func writeTestCell(t *testing.T, dir, model string, params float64, step int, modality string, cr float64) string {
	t.Helper()
	path := filepath.Join(dir, model, fmt.Sprintf("step%d", step), modality+".json")
	cell := &results.Cell{Model: model, Params: params, Step: step, Modality: modality,
		Protocol: results.ProtocolInfo{Name: "seed"}, Data: datasets.Provenance{Modality: modality, Count: 1, ChunkSize: 2048},
		PerChunk: []results.ChunkResult{{Tokens: 10, Bits: cr * 8 * 2048, CR: cr}}}
	if err := cell.Summarize(); err != nil {
		t.Fatal(err)
	}
	if err := results.WriteCell(path, cell); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestOneSourceOfTruth: after a run of one modality into a folder that holds
// others, the summary CSV lists every cell of the folder, and fit and
// figures read the cells themselves, so a damaged cell is an error naming it
// rather than a stale number.
func TestOneSourceOfTruth(t *testing.T) {
	dir := t.TempDir()
	var textCell string
	for _, m := range []struct {
		name   string
		params float64
	}{{"mine-a", 1e6}, {"mine-b", 2e6}, {"mine-c", 4e6}} {
		for _, step := range []int{1000, 2000} {
			path := writeTestCell(t, dir, m.name, m.params, step, "text", 0.5+1e3/m.params+1/float64(step))
			writeTestCell(t, dir, m.name, m.params, step, "image", 0.6+1e3/m.params+2/float64(step))
			if textCell == "" {
				textCell = path
			}
		}
	}
	// A run that computed only one text cell reports the whole folder.
	just, err := results.ReadCell(textCell)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := reportRun(streams{Out: &out, Err: &out}, &grid.Summary{Cells: []*results.Cell{just}, Computed: 1}, dir); err != nil {
		t.Fatal(err)
	}
	summary, err := results.ReadCSV(filepath.Join(dir, tablesFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(summary) != 2 || len(summary[0].Rows) != 6 || len(summary[1].Rows) != 6 {
		t.Errorf("%s holds %+v; want all 12 cells of the folder", tablesFile, summary)
	}

	if err := os.WriteFile(textCell, []byte(`{"model": "mine-a", "step": 10`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"fit", "-paper", "", "-resamples", "10", dir}, {"figures", "-o", t.TempDir(), dir}} {
		code, _, stderr := run(t, args...)
		if code != exitFail || !strings.Contains(stderr, "reading result "+textCell+": not a result cell") {
			t.Errorf("%s on a folder with a damaged cell: exit %d\n%s", args[0], code, stderr)
		}
	}
}
