package figures_test

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Draw every figure of the paper's tables into a folder.
func ExampleWriteAll() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, err := os.MkdirTemp("", "figures")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	paths, err := figures.WriteAll(dir, paper.Tables)
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
	// scaling_image.png
	// scaling_image.svg
	// scaling_speech.png
	// scaling_speech.svg
	// figure4_combined.png
	// figure4_combined.svg
}

// Count writes model sizes and steps as axis labels.
func ExampleCount() {
	fmt.Println(figures.Count(70e6), figures.Count(1.4e9), figures.Count(143000))
	// Output: 70M 1.4B 143k
}

// Draw Figure 1 at screen resolution, e.g. to show it inline in a notebook,
// where the 150 dpi of the files would make the notebook heavy.
func ExampleFigure_PNG() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	figs, err := figures.Figures(paper.Tables, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	data, err := figs[0].PNG(72)
	if err != nil {
		fmt.Println(err)
		return
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %dx%d pixels\n", figs[0].Name, img.Bounds().Dx(), img.Bounds().Dy())
	// Output: figure1_heatmaps: 1123x331 pixels
}
