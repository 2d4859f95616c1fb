package figures

import (
	"bytes"
	"fmt"
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

// DPI is the resolution of the PNG files Write writes: a 4-inch-high
// figure is 600 pixels high. Callers that keep figures inline (a notebook
// stores every image it shows) draw them smaller with Figure.PNG.
const DPI = 150

// maxPixels bounds the PNG that Figure.PNG draws (400 MB as RGBA), so a
// mistyped resolution returns an error instead of exhausting memory.
const maxPixels = 100_000_000

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

// PixelSize is the figure's size in pixels when drawn as a PNG at dpi dots
// per inch (rounded as vgimg rounds it).
func (f Figure) PixelSize(dpi int) (w, h int) {
	return int(f.Width.Dots(float64(dpi)) + 0.5), int(f.Height.Dots(float64(dpi)) + 0.5)
}

// PNG draws the figure as a PNG image at dpi dots per inch, with the layout
// of the files Write writes at DPI: the same inches, so fonts and lines keep
// their proportions and only the pixel count changes. It returns an error
// for a resolution that is not positive or would make an image under one
// pixel or over 100 million pixels, and for a figure without panels.
func (f Figure) PNG(dpi int) ([]byte, error) {
	if err := f.checkDrawable(); err != nil {
		return nil, err
	}
	if dpi <= 0 {
		return nil, fmt.Errorf("drawing %s.png: resolution %d dpi, want a positive number", f.Name, dpi)
	}
	wIn, hIn := float64(f.Width/vg.Inch), float64(f.Height/vg.Inch)
	if pixels := wIn * hIn * float64(dpi) * float64(dpi); pixels > maxPixels {
		return nil, fmt.Errorf("drawing %s.png: %.3g x %.3g inches at %d dpi is %.3g pixels, want at most %d", f.Name, wIn, hIn, dpi, pixels, maxPixels)
	}
	if w, h := f.PixelSize(dpi); w < 1 || h < 1 {
		return nil, fmt.Errorf("drawing %s.png: %.3g x %.3g inches at %d dpi is %dx%d pixels, want at least 1x1", f.Name, wIn, hIn, dpi, w, h)
	}
	c := vgimg.NewWith(vgimg.UseWH(f.Width, f.Height), vgimg.UseDPI(dpi))
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("drawing %s.png at %d dpi: %w", f.Name, dpi, err)
	}
	return buf.Bytes(), nil
}

// svg draws the figure as an SVG document whose text falls back to fonts
// with Liberation Sans's metrics.
func (f Figure) svg() ([]byte, error) {
	if err := f.checkDrawable(); err != nil {
		return nil, err
	}
	c := vgsvg.New(f.Width, f.Height)
	f.draw(draw.New(c))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("drawing %s.svg: %w", f.Name, err)
	}
	return bytes.ReplaceAll(buf.Bytes(), []byte("font-family:Liberation Sans;"), []byte(svgFontFamily)), nil
}

// Write writes the figure into dir as Name.png (at DPI) and Name.svg and
// returns the two paths.
func (f Figure) Write(dir string) ([]string, error) {
	png, err := f.PNG(DPI)
	if err != nil {
		return nil, err
	}
	svg, err := f.svg()
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, out := range []struct {
		ext  string
		data []byte
	}{{".png", png}, {".svg", svg}} {
		path := filepath.Join(dir, f.Name+out.ext)
		if err := os.WriteFile(path, out.data, 0o644); err != nil {
			return nil, fmt.Errorf("writing figure: %w", err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// checkDrawable reports what would make draw panic: no panels or a nil one.
func (f Figure) checkDrawable() error {
	if len(f.Panels) == 0 {
		return fmt.Errorf("drawing figure %s: no panels", f.Name)
	}
	for i, p := range f.Panels {
		if p == nil {
			return fmt.Errorf("drawing figure %s: panel %d is nil", f.Name, i)
		}
	}
	return nil
}

// draw lays the panels out in one row on dc, aligned on their axes; every
// output format shares this layout.
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
