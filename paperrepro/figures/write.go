package figures

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// DPI is the resolution of the PNG files: a 4-inch-high figure is 600
// pixels high.
const DPI = 150

// svgFontFamily lets SVG viewers without Liberation Sans fall back to Arial
// or Helvetica, which have the same metrics, so the layout computed with
// Liberation Sans still fits.
const svgFontFamily = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// Figure is one figure file: a row of panels drawn side by side.
type Figure struct {
	// Name is the file name without extension, e.g. "figure1_heatmaps".
	Name string
	// Width and Height are the figure's size.
	Width, Height vg.Length
	// Panels are drawn left to right, aligned on their axes.
	Panels []*plot.Plot
}

// PixelSize is the PNG's size in pixels.
func (f Figure) PixelSize() (w, h int) {
	return int(f.Width.Dots(DPI) + 0.5), int(f.Height.Dots(DPI) + 0.5)
}

// Write writes the figure into dir as Name.png and Name.svg and returns the
// two paths.
func (f Figure) Write(dir string) ([]string, error) {
	png := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(DPI))
	f.draw(draw.New(png))
	svg := vgsvg.New(f.Width, f.Height)
	f.draw(draw.New(svg))
	var paths []string
	for _, out := range []struct {
		ext string
		w   io.WriterTo
	}{{".png", vgimg.PngCanvas{Canvas: png}}, {".svg", svg}} {
		var buf bytes.Buffer
		if _, err := out.w.WriteTo(&buf); err != nil {
			return nil, fmt.Errorf("drawing %s%s: %w", f.Name, out.ext, err)
		}
		data := buf.Bytes()
		if out.ext == ".svg" {
			data = bytes.ReplaceAll(data, []byte("font-family:Liberation Sans;"), []byte(svgFontFamily))
		}
		path := filepath.Join(dir, f.Name+out.ext)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return nil, fmt.Errorf("writing figure: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

func (f Figure) draw(dc draw.Canvas) {
	tiles := draw.Tiles{
		Rows: 1, Cols: len(f.Panels),
		PadX: vg.Points(22), PadTop: vg.Points(6), PadBottom: vg.Points(6),
		PadLeft: vg.Points(6), PadRight: vg.Points(10),
	}
	canvases := plot.Align([][]*plot.Plot{f.Panels}, tiles, dc)
	for i, p := range f.Panels {
		p.Draw(canvases[0][i])
	}
}

// Figures builds every figure for tables (one per modality): Figure 1's
// heatmaps, a CR-vs-size and CR-vs-step pair per modality, and the
// three-modality comparison. fits[i] is tables[i]'s fitted law, or nil to
// draw the data alone.
func Figures(tables []results.Table, fits []*scaling.Result) ([]Figure, error) {
	fitOf := func(i int) *scaling.Result {
		if i < len(fits) {
			return fits[i]
		}
		return nil
	}
	heatmaps := Figure{Name: "figure1_heatmaps", Width: vg.Length(len(tables)) * 5.2 * vg.Inch, Height: 4.6 * vg.Inch}
	var out []Figure
	for i, t := range tables {
		hm, err := Heatmap(t, fitOf(i))
		if err != nil {
			return nil, err
		}
		heatmaps.Panels = append(heatmaps.Panels, hm)
		bySize, err := ParamsPlot(t, fitOf(i))
		if err != nil {
			return nil, err
		}
		byStep, err := StepsPlot(t, fitOf(i))
		if err != nil {
			return nil, err
		}
		out = append(out, Figure{
			Name:  "scaling_" + fileWord(t.Modality),
			Width: 11 * vg.Inch, Height: 4.5 * vg.Inch,
			Panels: []*plot.Plot{bySize, byStep},
		})
	}
	bySize, byStep, err := Combined(tables, fits)
	if err != nil {
		return nil, err
	}
	combined := Figure{Name: "figure4_combined", Width: 11 * vg.Inch, Height: 4.5 * vg.Inch, Panels: []*plot.Plot{bySize, byStep}}
	return append([]Figure{heatmaps}, append(out, combined)...), nil
}

// WriteAll fits scaling.PowerLaw to each table (a table too small to fit is
// drawn without a fit), builds every figure and writes them into dir (made
// if missing) as PNG and SVG. It returns the paths written.
func WriteAll(dir string, tables []results.Table) ([]string, error) {
	fits := make([]*scaling.Result, len(tables))
	for i, t := range tables {
		if fit, err := scaling.FitTable(scaling.PowerLaw{}, t); err == nil {
			fits[i] = fit
		}
	}
	figs, err := Figures(tables, fits)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("writing figures: %w", err)
	}
	var paths []string
	for _, f := range figs {
		ps, err := f.Write(dir)
		if err != nil {
			return nil, err
		}
		paths = append(paths, ps...)
	}
	return paths, nil
}

// fileWord is a modality as a file-name word.
func fileWord(modality string) string {
	if modality == "" {
		return "unnamed"
	}
	return modality
}
