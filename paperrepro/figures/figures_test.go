package figures

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

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
	}
	for _, tc := range tests {
		step, decimals := niceStep(tc.lo, tc.hi)
		if step != tc.step || decimals != tc.decimals {
			t.Errorf("niceStep(%g, %g) = %g, %d; want %g, %d", tc.lo, tc.hi, step, decimals, tc.step, tc.decimals)
		}
	}
}

func TestDataTicksThinCloseLabels(t *testing.T) {
	ticks := dataTicks([]float64{1000, 8000, 32000, 128000, 143000}, minTickGap).Ticks(900, 160000)
	var labels []string
	for _, tk := range ticks {
		labels = append(labels, tk.Label)
	}
	// 128k sits 2% of the axis from 143k: its label would overlap.
	want := []string{"1k", "8k", "32k", "", "143k"}
	if !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
}

// checkFigures checks that WriteAll wrote every figure as a PNG of the
// expected pixel size and an SVG document.
func checkFigures(t *testing.T, tables []results.Table) {
	t.Helper()
	dir := t.TempDir()
	paths, err := WriteAll(dir, tables)
	if err != nil {
		t.Fatal(err)
	}
	figs, err := Figures(tables, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 2*len(figs) || len(figs) != len(tables)+2 {
		t.Fatalf("wrote %d files for %d figures of %d tables, want 2 per figure and %d figures", len(paths), len(figs), len(tables), len(tables)+2)
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

func TestWriteAllPaper(t *testing.T) {
	paper, err := results.LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	checkFigures(t, paper.Tables)
}

// TestWriteAllTinyGrid draws a grid like the tiny test models': two sizes,
// two steps, too few cells to fit, so the figures show the data alone.
func TestWriteAllTinyGrid(t *testing.T) {
	tiny := func(modality string, crs ...float64) results.Table {
		return results.Table{Modality: modality, Rows: []results.Row{
			{Model: "pythia-tiny-16", Params: 1616320, Step: 1000, CR: crs[0]},
			{Model: "pythia-tiny-16", Params: 1616320, Step: 2000, CR: crs[1]},
			{Model: "pythia-tiny-32", Params: 3365248, Step: 1000, CR: crs[2]},
			{Model: "pythia-tiny-32", Params: 3365248, Step: 2000, CR: crs[3]},
		}}
	}
	checkFigures(t, []results.Table{tiny("text", 0.74, 0.73, 0.72, 0.70), tiny("speech", 1.39, 1.38, 1.37, 1.37)})
}

// tinyScalingFigure is the CR-vs-size and CR-vs-step figure of a two-by-two
// grid: 11 x 4.5 inches.
func tinyScalingFigure(t *testing.T) Figure {
	t.Helper()
	table := results.Table{Modality: "text", Rows: []results.Row{
		{Model: "pythia-tiny-16", Params: 1616320, Step: 1000, CR: 0.74},
		{Model: "pythia-tiny-16", Params: 1616320, Step: 2000, CR: 0.73},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 1000, CR: 0.72},
		{Model: "pythia-tiny-32", Params: 3365248, Step: 2000, CR: 0.70},
	}}
	figs, err := Figures([]results.Table{table}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if figs[1].Name != "scaling_text" {
		t.Fatalf("second figure is %s, want scaling_text", figs[1].Name)
	}
	return figs[1]
}

func TestPNGScalesWithDPI(t *testing.T) {
	fig := tinyScalingFigure(t)
	tests := []struct {
		dpi  int
		w, h int // 11 x 4.5 inches times dpi
	}{
		{36, 396, 162},
		{72, 792, 324},
		{DPI, 1650, 675},
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
	tests := []struct {
		name string
		fig  Figure
		dpi  int
	}{
		{"zero dpi", fig, 0},
		{"negative dpi", fig, -72},
		{"over 100 megapixels", fig, 2000}, // 198 million pixels
		{"under one pixel", Figure{Name: "tiny", Width: vg.Points(0.1), Height: vg.Points(0.1), Panels: fig.Panels}, 72},
		{"no panels", Figure{Name: "empty", Width: vg.Inch, Height: vg.Inch}, 72},
		{"nil panel", Figure{Name: "hole", Width: vg.Inch, Height: vg.Inch, Panels: []*plot.Plot{fig.Panels[0], nil}}, 72},
	}
	for _, tc := range tests {
		if data, err := tc.fig.PNG(tc.dpi); err == nil {
			t.Errorf("%s: PNG(%d) of %s returned %d bytes and no error", tc.name, tc.dpi, tc.fig.Name, len(data))
		}
	}
}
