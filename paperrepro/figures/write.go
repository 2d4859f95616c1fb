package figures

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// DPI is the resolution of the PNG files Write writes: an 11-inch-wide
// figure is 1650 pixels wide.
const DPI = 150

// NotebookDPI is the resolution for figures shown inline in a notebook (see
// Figure.NotebookPNG): a CSS pixel is 1/96 inch, so at 96 dpi the figures'
// text appears at its size in points (10.5 pt tick labels as 14 px, the
// notebook's own body text), and an 11-inch figure fills a 1056-pixel
// output column.
const NotebookDPI = 96

// maxPixels bounds the PNG that Figure.PNG draws (400 MB as RGBA), so a
// mistyped resolution returns an error instead of exhausting memory.
const maxPixels = 100_000_000

// svgFontFamily lets SVG viewers without Liberation Sans fall back to Arial
// or Helvetica, which have the same metrics, so the layout computed with
// Liberation Sans still fits.
const svgFontFamily = "font-family:'Liberation Sans',Arial,Helvetica,sans-serif;"

// Figure is one figure file: panels on a grid, aligned on their axes, under
// an optional title and key.
type Figure struct {
	// Name is the file name without extension, e.g. "figure1_heatmaps".
	Name string
	// Width and Height are the figure's size; fonts are in points, so the
	// size sets how large text reads against the panels.
	Width, Height vg.Length

	title string     // heading across the top, or ""
	key   []keyEntry // what the marks mean, centred under the title
	grid  grid
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
	if err := f.render(draw.New(c)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: c}).WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("drawing %s.png at %d dpi: %w", f.Name, dpi, err)
	}
	return buf.Bytes(), nil
}

// NotebookPNG draws the figure at NotebookDPI, the size to show it inline in
// a notebook: text as large as the notebook's own, and a file small enough
// to store in it.
func (f Figure) NotebookPNG() ([]byte, error) { return f.PNG(NotebookDPI) }

// svg draws the figure as an SVG document whose text falls back to fonts
// with Liberation Sans's metrics.
func (f Figure) svg() ([]byte, error) {
	if err := f.checkDrawable(); err != nil {
		return nil, err
	}
	if !(f.Width > 0 && f.Height > 0) {
		return nil, fmt.Errorf("drawing %s.svg: size %.3g x %.3g points, want a positive size", f.Name, float64(f.Width), float64(f.Height))
	}
	c := vgsvg.New(f.Width, f.Height)
	if err := f.render(draw.New(c)); err != nil {
		return nil, err
	}
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
