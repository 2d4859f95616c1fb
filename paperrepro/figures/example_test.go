package figures_test

import (
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Draw every figure of tables into a folder, fitted and bootstrapped as
// `make figures` does: here the paper's Table 2 (text) alone, which is
// quicker than all three (their figures are checked in figures_test.go).
func ExampleWriteAll() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	dir, err := os.MkdirTemp("", "figures")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	paths, err := figures.WriteAll(dir, []results.Table{text})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range paths {
		fmt.Println(filepath.Base(p))
	}
	// Output:
	// figure1_heatmaps.png
	// figure1_heatmaps.svg
	// scaling_text.png
	// scaling_text.svg
	// residuals.png
	// residuals.svg
	// figure4_combined.png
	// figure4_combined.svg
}

// Count writes model sizes and steps as axis labels.
func ExampleCount() {
	fmt.Println(figures.Count(70e6), figures.Count(1.4e9), figures.Count(143000))
	// Output: 70M 1.4B 143k
}

// Show Figure 1 inline in a notebook: fit the laws (with fewer resamples
// than the files' 1000, for speed), draw the figure, and render it at
// NotebookDPI, where its text is as large as the notebook's.
func ExampleFigure_NotebookPNG() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	laws, err := figures.FitLaws(paper.Tables, scaling.BootstrapOptions{Resamples: 100, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	fig, err := figures.Heatmaps(paper.Tables, laws)
	if err != nil {
		fmt.Println(err)
		return
	}
	png, err := fig.NotebookPNG() // a notebook shows it with gonbui.DisplayPNG(png)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := fig.PixelSize(figures.NotebookDPI)
	fmt.Printf("%s: %dx%d pixels, %v\n", fig.Name, w, h, len(png) > 0)
	// Output: figure1_heatmaps: 1267x432 pixels, true
}

// Notebook 02: tokens per chunk of each modality, on shared bins, with the
// paper's 1024-token cut marked.
func ExampleTokenHistogram() {
	fig, err := figures.TokenHistogram([]figures.TokenCounts{
		{Modality: "text", Counts: []int{480, 495, 510, 530}},
		{Modality: "image", Counts: []int{1200, 1350, 1400, 980}},
	}, 1024)
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := fig.NotebookPNG(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fig.Name)
	// Output: token_histogram
}

// Notebook 06: the bootstrap distribution of the text law's prediction at
// 5B parameters and 200k steps, its 95% interval shaded, and the paper's
// numbers marked.
func ExamplePredictionHistogram() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	laws, err := figures.FitLaws([]results.Table{text}, figures.DefaultBootstrap)
	if err != nil {
		fmt.Println(err)
		return
	}
	c, _ := paper.Coefficients("text")
	coef := []float64{c.A, c.B, c.C, c.Alpha, c.Beta}
	fig, err := figures.PredictionHistogram(laws[0], 5e9, 2e5,
		figures.Mark{Label: "the paper's coefficients", Value: scaling.PowerLaw{}.Eval(coef, 5e9, 2e5)},
		figures.Mark{Label: "the paper's stated value", Value: paper.Prediction.CR})
	if err != nil {
		fmt.Println(err)
		return
	}
	lo, hi := laws[0].Bootstrap.PredictionInterval(laws[0].Fit.Form, 5e9, 2e5)
	fmt.Printf("%s: interval [%.3f, %.3f]\n", fig.Name, lo, hi)
	// Output: prediction_histogram: interval [0.103, 0.122]
}

// A notebook's own plot, in the figures' style and at their resolution.
func ExampleNewFigure() {
	p := figures.NewPlot("a waveform", "time (s)", "sample value")
	line, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: 0.5, Y: 1200}, {X: 1, Y: -800}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p.Add(line)
	fig, err := figures.NewFigure("waveform", 10*vg.Inch, 3*vg.Inch, p)
	if err != nil {
		fmt.Println(err)
		return
	}
	w, h := fig.PixelSize(figures.NotebookDPI)
	_, err = fig.NotebookPNG()
	fmt.Println(w, h, err)
	// Output: 960 288 <nil>
}
