package figures

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// testResamples keeps the tests' bootstraps cheap; the figures' own default
// is DefaultBootstrap's 1000.
const testResamples = 100

var (
	paperOnce   sync.Once
	paperTables []results.Table
	paperLaws   []Law
	paperErr    error
)

// paper returns the paper's Tables 2-4 and their laws, fitted once per test
// binary.
func paper(t *testing.T) ([]results.Table, []Law) {
	t.Helper()
	dir := testenv.Expected(t)
	paperOnce.Do(func() {
		var p results.Paper
		if p, paperErr = results.LoadPaper(dir); paperErr != nil {
			return
		}
		paperTables = p.Tables
		paperLaws, paperErr = FitLaws(p.Tables, scaling.BootstrapOptions{Resamples: testResamples, Seed: 1})
	})
	if paperErr != nil {
		t.Fatal(paperErr)
	}
	return paperTables, paperLaws
}

// tinyTable is a grid like the tiny test models': two sizes, two steps, too
// few cells to fit.
func tinyTable(modality string, crs ...float64) results.Table {
	return results.Table{Modality: modality, Rows: []results.Row{
		{Model: "pythia-tiny-16", Params: 1616320, Step: 1000, CR: crs[0]},
		{Model: "pythia-tiny-16", Params: 1616320, Step: 2000, CR: crs[1]},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 1000, CR: crs[2]},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 2000, CR: crs[3]},
	}}
}

// drawnText is one string a figure draws, where, and at what size.
type drawnText struct {
	s     string
	at    vg.Point
	size  vg.Length
	angle float64 // rotation, in radians
}

// drawText renders f on a recording canvas and returns every string drawn.
func drawText(t *testing.T, f Figure) []drawnText {
	t.Helper()
	rec := &recorder.Canvas{}
	if err := f.render(draw.NewCanvas(rec, f.Width, f.Height)); err != nil {
		t.Fatalf("%s: %v", f.Name, err)
	}
	// Rotated text is drawn at a point of the rotated frame: turn it back.
	var out []drawnText
	var angle float64
	var saved []float64
	for _, a := range rec.Actions {
		switch a := a.(type) {
		case *recorder.Push:
			saved = append(saved, angle)
		case *recorder.Pop:
			angle, saved = saved[len(saved)-1], saved[:len(saved)-1]
		case *recorder.Rotate:
			angle += a.Angle
		case *recorder.FillString:
			sin, cos := math.Sincos(angle)
			x, y := float64(a.Point.X), float64(a.Point.Y)
			at := vg.Point{X: vg.Length(x*cos - y*sin), Y: vg.Length(x*sin + y*cos)}
			out = append(out, drawnText{a.String, at, a.Size, angle})
		}
	}
	return out
}

func strs(texts []drawnText) []string {
	var out []string
	for _, d := range texts {
		out = append(out, d.s)
	}
	return out
}

func TestCount(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{70e6, "70M"}, {160e6, "160M"}, {1e9, "1B"}, {1.4e9, "1.4B"},
		{1000, "1k"}, {8000, "8k"}, {143000, "143k"}, {1616320, "1.62M"},
		{512, "512"}, {0.5, "0.5"}, {0, "0"}, {12e12, "12T"},
	}
	for _, tc := range tests {
		if got := Count(tc.v); got != tc.want {
			t.Errorf("Count(%g) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct {
		lo, hi   float64
		step     float64
		decimals int
	}{
		{0.11, 0.23, 0.02, 2},
		{0.43, 0.68, 0.05, 2},
		{0.1, 0.8, 0.2, 1},
		{0, 10, 2, 0},
		{0.1, 0.25, 0.025, 3},
		{0, 170, 25, 0},
		{0, 17, 2.5, 1},
		// Degenerate ranges end with a step of the value's order instead of
		// looping for ever.
		{0.5, 0.5, 0.1, 1},
		{3, 3, 1, 0},
		{0, 0, 1e-9, 9},
	}
	for _, tc := range tests {
		step, decimals := niceStep(tc.lo, tc.hi, 7)
		if math.Abs(step-tc.step) > 1e-12*tc.step || decimals != tc.decimals {
			t.Errorf("niceStep(%g, %g, 7) = %g, %d; want %g, %d", tc.lo, tc.hi, step, decimals, tc.step, tc.decimals)
		}
	}
	for _, r := range [][2]float64{{math.NaN(), 1}, {0, math.Inf(1)}, {math.Inf(-1), math.Inf(1)}} {
		if step, _ := niceStep(r[0], r[1], 7); !(step > 0) {
			t.Errorf("niceStep(%g, %g) = %g, want a positive step", r[0], r[1], step)
		}
	}
}

// TestDataTicksLabelEveryValue checks the step axis of the paper's grid:
// every step gets a tick and a label, and 128k, too close to 143k to share
// its line, drops to a second line instead of losing its label.
func TestDataTicksLabelEveryValue(t *testing.T) {
	steps := []float64{1000, 8000, 32000, 128000, 143000}
	lo, hi := logPadding(1000, 143000, 0.05)
	ticks := dataTicks(steps, minTickGap).Ticks(lo, hi)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	want := []string{"1k", "8k", "32k", "\n128k", "143k"}
	if !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
}

func TestWrap(t *testing.T) {
	sty := textStyle(10)
	tests := []struct {
		in    string
		width vg.Length
		want  string
	}{
		{"short title", 500, "short title"},
		{"one two three four", sty.Width("three four") + 1, "one two\nthree four"},
		{"kept\nline breaks", 500, "kept\nline breaks"},
		{"unbreakable", 5, "unbreakable"},
	}
	for _, tc := range tests {
		if got := wrap(sty, tc.in, tc.width); got != tc.want {
			t.Errorf("wrap(%q, %v) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestRuns(t *testing.T) {
	tests := []struct {
		in   string
		want []run
	}{
		{"plain", []run{{"plain", false}}},
		{"P^{−0.393}", []run{{"P", false}, {"−0.393", true}}},
		{"R^{2} = 0.9", []run{{"R", false}, {"2", true}, {" = 0.9", false}}},
		{"a^{b}^{c}", []run{{"a", false}, {"b", true}, {"c", true}}},
		{"open ^{ never closed", []run{{"open ^{ never closed", false}}},
		{"", nil},
	}
	for _, tc := range tests {
		if got := runs(tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("runs(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// TestSuperscriptsDrawRaised checks that an exponent is drawn smaller and
// above the baseline of the text before it.
func TestSuperscriptsDrawRaised(t *testing.T) {
	rec := &recorder.Canvas{}
	sty := textStyle(10)
	sty.Handler = mathText
	c := draw.NewCanvas(rec, 200, 50)
	c.FillText(sty, vg.Point{X: 10, Y: 20}, "P^{−0.393}")
	var got []*recorder.FillString
	for _, a := range rec.Actions {
		if fs, ok := a.(*recorder.FillString); ok {
			got = append(got, fs)
		}
	}
	if len(got) != 2 || got[0].String != "P" || got[1].String != "−0.393" {
		t.Fatalf("drew %v, want \"P\" then \"−0.393\"", got)
	}
	if !(got[1].Size < got[0].Size && got[1].Point.Y > got[0].Point.Y && got[1].Point.X > got[0].Point.X) {
		t.Errorf("exponent at %v size %v, base at %v size %v: want it smaller, right of and above the base", got[1].Point, got[1].Size, got[0].Point, got[0].Size)
	}
}

// TestHeatmapsColourBarPerPanel checks Figure 1's structure: a colour bar
// beside every heatmap spanning exactly that table's values, and each title
// naming our refit with its exponents as superscripts.
func TestHeatmapsColourBarPerPanel(t *testing.T) {
	tables, laws := paper(t)
	f, err := Heatmaps(tables, laws)
	if err != nil {
		t.Fatal(err)
	}
	row := f.grid.cells[0]
	if len(row) != 2*len(tables) {
		t.Fatalf("%d panels for %d tables, want a heatmap and a colour bar each", len(row), len(tables))
	}
	for i, tbl := range tables {
		hm, ok1 := row[2*i].(plotPanel)
		bar, ok2 := row[2*i+1].(colorBar)
		if !ok1 || !ok2 {
			t.Fatalf("%s: panels %T, %T; want a plot then its colour bar", tbl.Modality, row[2*i], row[2*i+1])
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range tbl.Rows {
			lo, hi = min(lo, r.CR), max(hi, r.CR)
		}
		if bar.scale.lo != lo || bar.scale.hi != hi {
			t.Errorf("%s colour bar spans [%g, %g], want the table's [%g, %g]", tbl.Modality, bar.scale.lo, bar.scale.hi, lo, hi)
		}
		title := hm.Title.Text
		exp := fmt.Sprintf("P^{−%s}", significant(laws[i].Fit.Coef[3], 3))
		if !strings.Contains(title, "this project's refit") || !strings.Contains(title, exp) {
			t.Errorf("%s title %q: want it to name this project's refit and write %s", tbl.Modality, title, exp)
		}
	}
	drawn := strs(drawText(t, f))
	for _, want := range []string{"0.207", "0.770", "CR"} {
		if !slices.Contains(drawn, want) {
			t.Errorf("figure 1 does not draw %q", want)
		}
	}
}

// TestScalingCurvesTickEverySizeAndStep checks the scaling figures of the
// paper's tables: one panel per step and per model, every size and step
// labelled on the bottom axes, and the fitted curves with their bands.
func TestScalingCurvesTickEverySizeAndStep(t *testing.T) {
	tables, laws := paper(t)
	for i, tbl := range tables {
		f, err := ScalingCurves(tbl, laws[i])
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(f.plots()), len(tbl.Steps())+len(tbl.Models()); got != want {
			t.Errorf("%s: %d panels, want one per step and per model (%d)", tbl.Modality, got, want)
		}
		drawn := strs(drawText(t, f))
		var want []string
		for _, m := range tbl.Models() {
			want = append(want, Count(m.Params))
		}
		for _, s := range tbl.Steps() {
			want = append(want, Count(float64(s)))
		}
		for _, w := range want {
			if !slices.Contains(drawn, w) {
				t.Errorf("%s: no tick label %q among the drawn text", tbl.Modality, w)
			}
		}
		key := strings.Join(drawn, "|")
		for _, w := range []string{"fitted law (this project's refit)", "95% bootstrap band (100 resamples of the cells)"} {
			if !strings.Contains(key, w) {
				t.Errorf("%s: the key does not say %q", tbl.Modality, w)
			}
		}
	}
}

// TestTextLegibleAndInside checks every figure of the paper's tables, the
// two notebook histograms and a one-table Figure 1 (narrow, so its heading
// must wrap): no text smaller than 7.5 points (10 pixels at NotebookDPI,
// superscripts included), none starting outside the figure, and no
// horizontal text running past its right edge. It checks sizes and
// positions, not how the pixels look: the figures in figures/ are for a
// person to look at.
func TestTextLegibleAndInside(t *testing.T) {
	tables, laws := paper(t)
	figs, err := Figures(tables, laws)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := TokenHistogram([]TokenCounts{{"text", []int{400, 500, 520}}, {"image", []int{1100, 1500, 2048}}}, 1024)
	if err != nil {
		t.Fatal(err)
	}
	pred, err := PredictionHistogram(laws[0], 5e9, 2e5, Mark{"paper", 0.115})
	if err != nil {
		t.Fatal(err)
	}
	single, err := Heatmaps(tables[:1], laws[:1])
	if err != nil {
		t.Fatal(err)
	}
	beyond, err := Beyond(tables, laws, registered(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range append(figs, tokens, pred, single, beyond) {
		for _, d := range drawText(t, f) {
			if d.size < 7.5 {
				t.Errorf("%s: %q drawn at %.1f pt, want at least 7.5", f.Name, d.s, float64(d.size))
			}
			if d.at.X < 0 || d.at.Y < 0 || d.at.X > f.Width || d.at.Y > f.Height {
				t.Errorf("%s: %q drawn at %v, outside the %vx%v figure", f.Name, d.s, d.at, f.Width, f.Height)
			}
			if w := textStyle(d.size).Width(d.s); d.angle == 0 && d.at.X+w > f.Width {
				t.Errorf("%s: %q ends at x = %.0f, past the figure's %.0f", f.Name, d.s, float64(d.at.X+w), float64(f.Width))
			}
		}
	}
}

func TestResidualsShareOneSymmetricScale(t *testing.T) {
	tables, laws := paper(t)
	f, err := Residuals(tables, laws)
	if err != nil {
		t.Fatal(err)
	}
	row := f.grid.cells[0]
	bar, ok := row[len(row)-1].(colorBar)
	if !ok || len(row) != len(tables)+1 {
		t.Fatalf("panels %v: want one heatmap per table and one colour bar", row)
	}
	var largest float64
	for i := range tables {
		for _, c := range laws[i].Fit.Cells {
			largest = max(largest, math.Abs(c.Residual))
		}
	}
	if math.Abs(bar.scale.hi-largest) > 1e-12 || bar.scale.lo != -bar.scale.hi {
		t.Errorf("colour bar spans [%g, %g], want ±%g, the largest residual", bar.scale.lo, bar.scale.hi, largest)
	}
	if _, err := Residuals(tables, nil); err == nil {
		t.Error("Residuals without laws returned no error")
	}
}

func TestTokenBinsShared(t *testing.T) {
	sets := []TokenCounts{{"text", []int{0, 480, 500, 511}}, {"speech", []int{1023, 1024, 1025, 2048}}}
	width, counts, err := tokenBins(sets, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if width != 64 || 1024%width != 0 {
		t.Errorf("width %d, want 64 (a power of two with at most 64 bins up to 2048, the cut on an edge)", width)
	}
	for i, c := range counts {
		if len(c) != len(counts[0]) || len(c)*width <= 2048 {
			t.Errorf("%s: %d bins of %d, want the same bins for every set, past 2048", sets[i].Modality, len(c), width)
		}
	}
	if counts[1][1024/width-1] != 1 || counts[1][1024/width] != 2 || counts[1][2048/width] != 1 {
		t.Errorf("speech bins around the cut %v, want 1023 below it and 1024, 1025 from it on", counts[1][14:18])
	}
	if counts[0][500/width] != 3 || counts[0][0] != 1 {
		t.Errorf("text bins %v, want 0 alone and 480..511 together", counts[0][:9])
	}
}

func TestTokenHistogramTitlesAndAxis(t *testing.T) {
	sets := []TokenCounts{{"text", []int{500, 500, 500, 520}}, {"image", []int{1000, 1100, 1200, 1300}}}
	f, err := TokenHistogram(sets, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ps := f.plots()
	if !strings.Contains(ps[0].Title.Text, "0% beyond the cut") || !strings.Contains(ps[1].Title.Text, "75% beyond the cut") {
		t.Errorf("titles %q, %q: want 0%% and 75%% beyond the cut", ps[0].Title.Text, ps[1].Title.Text)
	}
	// The tallest bin holds text's three 500s: the y axis ends just above it.
	for _, p := range ps {
		if p.Y.Max != 3*1.06 || p.X.Min != ps[0].X.Min || p.X.Max != ps[0].X.Max {
			t.Errorf("axes x [%g, %g] y max %g: want shared x and y ending at 3.18", p.X.Min, p.X.Max, p.Y.Max)
		}
	}
	if !slices.Contains(strs(drawText(t, f)), "1024") {
		t.Error("the cut 1024 has no tick label")
	}
}

// TestVLineSpansPanel checks that a marker line (the token cut, a marked
// value) runs the full height of its panel, whatever the data.
func TestVLineSpansPanel(t *testing.T) {
	rec := &recorder.Canvas{}
	c := draw.NewCanvas(rec, 100, 80)
	p := plot.New()
	p.X.Min, p.X.Max = 0, 10
	vLine{x: 5, style: draw.LineStyle{Width: 1}}.Plot(c, p)
	for _, a := range rec.Actions {
		if s, ok := a.(*recorder.Stroke); ok {
			comps := s.Path
			if len(comps) != 2 || comps[0].Pos.Y != 0 || comps[1].Pos.Y != 80 || comps[0].Pos.X != 50 {
				t.Errorf("stroke %v, want x = 50 from y = 0 to 80", comps)
			}
			return
		}
	}
	t.Error("vLine drew no stroke")
}

func TestPredictionHistogram(t *testing.T) {
	_, laws := paper(t)
	law := laws[0]
	f, err := PredictionHistogram(law, 5e9, 2e5, Mark{"paper's coefficients", 0.1134})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := law.Bootstrap.PredictionInterval(law.Fit.Form, 5e9, 2e5)
	drawn := strings.Join(strs(drawText(t, f)), "|")
	for _, want := range []string{
		fmt.Sprintf("95%% interval [%.4f, %.4f]", lo, hi),
		fmt.Sprintf("this project's refit: %.4f", law.Fit.Predict(5e9, 2e5)),
		"paper's coefficients: 0.1134",
	} {
		if !strings.Contains(drawn, want) {
			t.Errorf("the key does not say %q", want)
		}
	}
	p := f.plots()[0]
	if p.X.Min > 0.1134 || p.X.Max < 0.1134 || p.X.Min > lo || p.X.Max < hi {
		t.Errorf("x axis [%g, %g] leaves out the mark or the interval [%g, %g]", p.X.Min, p.X.Max, lo, hi)
	}
	// 100 resamples in at most 41 bins: the y axis ends within 6% above
	// the tallest bar, not at a fixed fraction of the resamples.
	if p.Y.Max > 100*1.06 || p.Y.Max < 100/41.0 {
		t.Errorf("y axis ends at %g", p.Y.Max)
	}
}

// TestDegenerateInputsReturnErrors feeds every figure function input it
// cannot draw and checks for an error naming the problem, never a panic
// (14's item 7: a table with step 0 used to panic in gonum's log scale).
func TestDegenerateInputsReturnErrors(t *testing.T) {
	good := tinyTable("text", 0.7, 0.6, 0.5, 0.4)
	with := func(edit func(*results.Row)) results.Table {
		t := tinyTable("text", 0.7, 0.6, 0.5, 0.4)
		edit(&t.Rows[0])
		return t
	}
	tables := []struct {
		name  string
		table results.Table
		want  string
	}{
		{"no rows", results.Table{Modality: "text"}, "no cells"},
		{"step 0", with(func(r *results.Row) { r.Step = 0 }), "step 0"},
		{"negative step", with(func(r *results.Row) { r.Step = -5 }), "step -5"},
		{"zero size", with(func(r *results.Row) { r.Params = 0 }), "0 parameters"},
		{"infinite size", with(func(r *results.Row) { r.Params = math.Inf(1) }), "+Inf parameters"},
		{"NaN CR", with(func(r *results.Row) { r.CR = math.NaN() }), "compression ratio NaN"},
		{"negative CR", with(func(r *results.Row) { r.CR = -1 }), "compression ratio -1"},
		{"no model name", with(func(r *results.Row) { r.Model = "" }), "no model name"},
		{"two sizes", with(func(r *results.Row) { r.Params = 2e6 }), "two sizes"},
		{"cell twice", with(func(r *results.Row) { r.Step = 2000 }), "appears twice"},
	}
	for _, tc := range tables {
		calls := map[string]func() error{
			"Figures":       func() error { _, err := Figures([]results.Table{tc.table}, nil); return err },
			"Heatmaps":      func() error { _, err := Heatmaps([]results.Table{tc.table}, nil); return err },
			"ScalingCurves": func() error { _, err := ScalingCurves(tc.table, Law{}); return err },
			"Comparison":    func() error { _, err := Comparison([]results.Table{good, tc.table}, nil); return err },
			"FitLaws":       func() error { _, err := FitLaws([]results.Table{tc.table}, DefaultBootstrap); return err },
			"WriteAll":      func() error { _, err := WriteAll(t.TempDir(), []results.Table{tc.table}); return err },
		}
		for name, call := range calls {
			if err := call(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s, %s: error %v, want one saying %q", tc.name, name, err, tc.want)
			}
		}
	}

	_, laws := paper(t)
	nanSamples := &scaling.BootstrapResult{Options: DefaultBootstrap, Samples: [][]float64{{math.NaN(), 1, 1, 1, 1}}}
	others := []struct {
		name string
		call func() error
	}{
		{"Figures of no tables", func() error { _, err := Figures(nil, nil); return err }},
		{"Figures with too few laws", func() error { _, err := Figures([]results.Table{good, good}, []Law{{}}); return err }},
		{"Residuals without fits", func() error { _, err := Residuals([]results.Table{good}, []Law{{}}); return err }},
		{"TokenHistogram of nothing", func() error { _, err := TokenHistogram(nil, 1024); return err }},
		{"TokenHistogram of no chunks", func() error { _, err := TokenHistogram([]TokenCounts{{"text", nil}}, 1024); return err }},
		{"TokenHistogram of a negative count", func() error { _, err := TokenHistogram([]TokenCounts{{"text", []int{5, -1}}}, 1024); return err }},
		{"TokenHistogram with cut 0", func() error { _, err := TokenHistogram([]TokenCounts{{"text", []int{5}}}, 0); return err }},
		{"PredictionHistogram without a fit", func() error { _, err := PredictionHistogram(Law{}, 5e9, 2e5); return err }},
		{"PredictionHistogram at size 0", func() error { _, err := PredictionHistogram(laws[0], 0, 2e5); return err }},
		{"PredictionHistogram at step NaN", func() error { _, err := PredictionHistogram(laws[0], 5e9, math.NaN()); return err }},
		{"PredictionHistogram with a NaN mark", func() error { _, err := PredictionHistogram(laws[0], 5e9, 2e5, Mark{"x", math.NaN()}); return err }},
		{"PredictionHistogram of NaN resamples", func() error {
			_, err := PredictionHistogram(Law{Fit: laws[0].Fit, Bootstrap: nanSamples}, 5e9, 2e5)
			return err
		}},
		{"NewFigure of nothing", func() error { _, err := NewFigure("x", vg.Inch, vg.Inch); return err }},
		{"NewFigure of a nil plot", func() error { _, err := NewFigure("x", vg.Inch, vg.Inch, nil); return err }},
	}
	for _, tc := range others {
		if err := tc.call(); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

// TestDrawingErrorsInsteadOfPanics checks the last line of defence: a
// caller's own plot that gonum cannot draw (a log axis reaching 0) and a
// figure too small for its panels give errors from PNG.
func TestDrawingErrorsInsteadOfPanics(t *testing.T) {
	p := NewPlot("", "x", "y")
	p.X.Scale = plot.LogScale{}
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 1}, {X: 1, Y: 2}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(line)
	f, err := NewFigure("logzero", 4*vg.Inch, 3*vg.Inch, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PNG(72); err == nil {
		t.Error("a log axis from 0 drew without error")
	}
	small, err := ScalingCurves(tinyTable("text", 0.7, 0.6, 0.5, 0.4), Law{})
	if err != nil {
		t.Fatal(err)
	}
	small.Width = vg.Inch
	if _, err := small.PNG(72); err == nil || !strings.Contains(err.Error(), "too small") {
		t.Errorf("a 1-inch-wide scaling figure: error %v, want one saying it is too small", err)
	}
}

// TestPartialGridDraws checks that a grid with missing cells, one step or
// one model draws: a partial run's tables are worth looking at.
func TestPartialGridDraws(t *testing.T) {
	partial := tinyTable("image", 0.7, 0.6, 0.5, 0.4)
	partial.Rows = partial.Rows[:3]
	oneStep := results.Table{Modality: "speech", Rows: []results.Row{
		{Model: "m1", Params: 1e6, Step: 1000, CR: 0.9},
		{Model: "m2", Params: 2e6, Step: 1000, CR: 0.8},
	}}
	figs, err := Figures([]results.Table{partial, oneStep}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		if _, err := f.PNG(36); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
}

// checkWritten checks that WriteAll wrote every figure as a PNG of the
// expected pixel size and an SVG document.
func checkWritten(t *testing.T, dir string, paths []string, figs []Figure) {
	t.Helper()
	if len(paths) != 2*len(figs) {
		t.Fatalf("wrote %d files for %d figures, want 2 per figure", len(paths), len(figs))
	}
	for _, f := range figs {
		data, err := os.ReadFile(filepath.Join(dir, f.Name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s.png: %v", f.Name, err)
		}
		w, h := f.PixelSize(DPI)
		if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
			t.Errorf("%s.png is %dx%d, want %dx%d", f.Name, b.Dx(), b.Dy(), w, h)
		}
		svg, err := os.ReadFile(filepath.Join(dir, f.Name+".svg"))
		if err != nil {
			t.Fatal(err)
		}
		var root struct {
			XMLName xml.Name
			Width   string `xml:"width,attr"`
		}
		if err := xml.Unmarshal(svg, &root); err != nil || root.XMLName.Local != "svg" || root.Width == "" {
			t.Errorf("%s.svg is not an SVG document with a width (root %q, err %v)", f.Name, root.XMLName.Local, err)
		}
	}
}

// TestWriteAllTinyGrid draws a grid too small to fit: the figures show the
// data alone, say why there is no law, and there is no residual figure.
func TestWriteAllTinyGrid(t *testing.T) {
	tables := []results.Table{tinyTable("text", 0.74, 0.73, 0.72, 0.70), tinyTable("speech", 1.39, 1.38, 1.37, 1.37)}
	dir := t.TempDir()
	paths, err := WriteAll(dir, tables)
	if err != nil {
		t.Fatal(err)
	}
	laws, err := FitLaws(tables, DefaultBootstrap)
	if err != nil {
		t.Fatal(err)
	}
	figs, err := Figures(tables, laws)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range figs {
		names = append(names, f.Name)
	}
	if want := []string{"figure1_heatmaps", "scaling_text", "scaling_speech", "figure4_combined"}; !slices.Equal(names, want) {
		t.Errorf("figures %v, want %v", names, want)
	}
	checkWritten(t, dir, paths, figs)
	if title := figs[0].plots()[0].Title.Text; !strings.Contains(title, "no fitted law") {
		t.Errorf("heatmap title %q does not say why there is no law", title)
	}
}

// tinyScalingFigure is the scaling figure of a two-by-two grid: 11 inches
// wide, 0.9 + 2 x 1.6 = 4.1 inches high.
func tinyScalingFigure(t *testing.T) Figure {
	t.Helper()
	f, err := ScalingCurves(tinyTable("text", 0.74, 0.73, 0.72, 0.70), Law{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestPNGScalesWithDPI(t *testing.T) {
	fig := tinyScalingFigure(t)
	tests := []struct {
		dpi  int
		w, h int // 11 x 4.1 inches times dpi
	}{
		{36, 396, 148},
		{NotebookDPI, 1056, 394},
		{DPI, 1650, 615},
	}
	for _, tc := range tests {
		data, err := fig.PNG(tc.dpi)
		if err != nil {
			t.Fatalf("PNG(%d): %v", tc.dpi, err)
		}
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("PNG(%d) does not decode: %v", tc.dpi, err)
		}
		if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
			t.Errorf("PNG(%d) is %dx%d, want %dx%d", tc.dpi, b.Dx(), b.Dy(), tc.w, tc.h)
		}
		if w, h := fig.PixelSize(tc.dpi); w != tc.w || h != tc.h {
			t.Errorf("PixelSize(%d) = %dx%d, want %dx%d", tc.dpi, w, h, tc.w, tc.h)
		}
	}
	nb, err := fig.NotebookPNG()
	if err != nil {
		t.Fatal(err)
	}
	if at96, _ := fig.PNG(NotebookDPI); !bytes.Equal(nb, at96) {
		t.Error("NotebookPNG differs from PNG(NotebookDPI)")
	}
}

// TestWriteSharesPNG checks that Write's PNG file is PNG(DPI) byte for
// byte: one layout for files and inline images.
func TestWriteSharesPNG(t *testing.T) {
	fig := tinyScalingFigure(t)
	paths, err := fig.Write(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadFile(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	drawn, err := fig.PNG(DPI)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(written, drawn) {
		t.Errorf("%s differs from PNG(%d): %d and %d bytes", paths[0], DPI, len(written), len(drawn))
	}
}

func TestPNGRejects(t *testing.T) {
	fig := tinyScalingFigure(t)
	tiny := fig
	tiny.Width, tiny.Height = vg.Points(0.1), vg.Points(0.1)
	tests := []struct {
		name string
		fig  Figure
		dpi  int
	}{
		{"zero dpi", fig, 0},
		{"negative dpi", fig, -72},
		{"over 100 megapixels", fig, 2000}, // 180 million pixels
		{"under one pixel", tiny, 72},
		{"no panels", Figure{Name: "empty", Width: vg.Inch, Height: vg.Inch}, 72},
		{"ragged grid", Figure{Name: "ragged", Width: vg.Inch, Height: vg.Inch, grid: grid{cells: [][]panel{{fig.grid.cells[0][0]}, {}}}}, 72},
	}
	for _, tc := range tests {
		if data, err := tc.fig.PNG(tc.dpi); err == nil {
			t.Errorf("%s: PNG(%d) of %s returned %d bytes and no error", tc.name, tc.dpi, tc.fig.Name, len(data))
		}
	}
}

// RefitLaws are FitLaws' fits without the bootstrap; a table too small to
// fit gets its reason, as from FitLaws.
func TestRefitLawsAreFitLawsWithoutBands(t *testing.T) {
	tables, laws := paper(t)
	refits, err := RefitLaws(tables)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range refits {
		if r.Bootstrap != nil || r.Fit == nil || !slices.Equal(r.Fit.Coef, laws[i].Fit.Coef) {
			t.Errorf("%s: refit %+v, want FitLaws' coefficients %v without a bootstrap", tables[i].Modality, r, laws[i].Fit.Coef)
		}
	}
	tiny, err := RefitLaws([]results.Table{tinyTable("text", 0.74, 0.73, 0.72, 0.70)})
	if err != nil || tiny[0].Fit != nil || tiny[0].FitErr == nil {
		t.Errorf("a table too small to fit: %+v, %v", tiny, err)
	}
}
