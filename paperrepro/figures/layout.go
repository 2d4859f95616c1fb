package figures

import (
	"fmt"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panel is one cell of a figure's grid: a gonum plot, or a colour bar.
type panel interface {
	// dataArea is where the panel's data area falls when it is drawn on c.
	dataArea(c draw.Canvas) vg.Rectangle
	// draw draws the panel on c.
	draw(c draw.Canvas)
}

// plotPanel is a gonum plot as a panel.
type plotPanel struct{ *plot.Plot }

func (p plotPanel) dataArea(c draw.Canvas) vg.Rectangle { return p.DataCanvas(c).Rectangle }
func (p plotPanel) draw(c draw.Canvas)                  { p.Draw(c) }

// grid lays panels out in rows and columns so that the data areas of a
// column share their left and right edges and those of a row their top and
// bottom, whatever room each panel's axes and title take.
type grid struct {
	// cells[row][column]; every row has the same length, nil leaves a
	// cell empty.
	cells [][]panel
	// colWeights and rowWeights are the relative sizes of the columns'
	// and rows' data areas; nil makes them equal.
	colWeights, rowWeights []float64
	// colGaps[i] is the space between columns i and i+1, rowGaps[j]
	// between rows j and j+1; nil uses the default gaps.
	colGaps, rowGaps []vg.Length
}

// Default spaces between panels, and around the whole figure.
const (
	defaultColGap = vg.Length(22)
	defaultRowGap = vg.Length(10)
	figurePad     = vg.Length(8)
)

// keyEntry is one entry of a figure's key: a label and the marks it
// explains.
type keyEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// keyThumbWidth is the width of a key entry's sample marks.
const keyThumbWidth = vg.Length(24)

// NewFigure lays plots out side by side in one row, aligned on their axes,
// in a figure of the given size: the way to draw a notebook's own plots
// (made with NewPlot) in the style and at the resolutions of the package's
// figures. It returns an error when no plot is given or one is nil.
func NewFigure(name string, width, height vg.Length, plots ...*plot.Plot) (Figure, error) {
	if len(plots) == 0 {
		return Figure{}, fmt.Errorf("figure %s: no plots", name)
	}
	row := make([]panel, len(plots))
	for i, p := range plots {
		if p == nil {
			return Figure{}, fmt.Errorf("figure %s: plot %d is nil", name, i)
		}
		row[i] = plotPanel{p}
	}
	return Figure{Name: name, Width: width, Height: height, grid: grid{cells: [][]panel{row}}}, nil
}

// plots returns the figure's gonum plots, row by row.
func (f Figure) plots() []*plot.Plot {
	var out []*plot.Plot
	for _, row := range f.grid.cells {
		for _, c := range row {
			if p, ok := c.(plotPanel); ok {
				out = append(out, p.Plot)
			}
		}
	}
	return out
}

// checkDrawable reports what would keep the figure from being drawn: no
// panels, or rows of different lengths.
func (f Figure) checkDrawable() error {
	n := 0
	for j, row := range f.grid.cells {
		if len(row) != len(f.grid.cells[0]) {
			return fmt.Errorf("drawing figure %s: row %d has %d panels, row 0 has %d", f.Name, j, len(row), len(f.grid.cells[0]))
		}
		for _, c := range row {
			if c != nil {
				n++
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("drawing figure %s: no panels", f.Name)
	}
	return nil
}

// render draws the figure on dc: the title and key across the top, then the
// grid. Any panic from the plotting library becomes an error, so that no
// input can crash a caller.
func (f Figure) render(dc draw.Canvas) (err error) {
	if err := f.checkDrawable(); err != nil {
		return err
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("drawing figure %s: %v", f.Name, r)
		}
	}()
	dc = draw.Crop(dc, figurePad, -figurePad, figurePad, -figurePad)
	if f.title != "" {
		sty := textStyle(titleSize + 1)
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YTop
		title := wrap(sty, f.title, dc.Max.X-dc.Min.X)
		dc.FillText(sty, vg.Point{X: dc.Center().X, Y: dc.Max.Y}, title)
		dc.Max.Y -= sty.Height(title) + vg.Points(6)
	}
	if len(f.key) > 0 {
		dc.Max.Y -= drawKey(dc, f.key) + vg.Points(8)
	}
	canvases, err := f.grid.layout(dc)
	if err != nil {
		return fmt.Errorf("drawing figure %s: %w", f.Name, err)
	}
	for j, row := range f.grid.cells {
		for i, c := range row {
			if c != nil {
				c.draw(canvases[j][i])
			}
		}
	}
	return nil
}

// wrap breaks each line of txt between words so that no line is wider than
// width in sty; a single word wider than width stays whole.
func wrap(sty text.Style, txt string, width vg.Length) string {
	var out []string
	for _, line := range strings.Split(txt, "\n") {
		words := strings.Fields(line)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := words[0]
		for _, w := range words[1:] {
			if sty.Width(cur+" "+w) > width {
				out = append(out, cur)
				cur = w
				continue
			}
			cur += " " + w
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

// margins is the room a panel needs around its data area.
type margins struct{ left, right, bottom, top vg.Length }

func marginsOf(p panel, c draw.Canvas) margins {
	da := p.dataArea(c)
	return margins{da.Min.X - c.Min.X, c.Max.X - da.Max.X, da.Min.Y - c.Min.Y, c.Max.Y - da.Max.Y}
}

// layout returns the canvas of every cell of g on dc. Margins are measured
// twice, on equal tiles and then on the cells' own sizes, because a plot's
// padding for glyphs at its edges depends a little on its size.
func (g grid) layout(dc draw.Canvas) ([][]draw.Canvas, error) {
	rows, cols := len(g.cells), len(g.cells[0])
	canvases := make([][]draw.Canvas, rows)
	for j := range canvases {
		canvases[j] = make([]draw.Canvas, cols)
		for i := range canvases[j] {
			tile := dc
			w, h := (dc.Max.X-dc.Min.X)/vg.Length(cols), (dc.Max.Y-dc.Min.Y)/vg.Length(rows)
			tile.Min = vg.Point{X: dc.Min.X + vg.Length(i)*w, Y: dc.Max.Y - vg.Length(j+1)*h}
			tile.Max = vg.Point{X: tile.Min.X + w, Y: tile.Min.Y + h}
			canvases[j][i] = tile
		}
	}
	for range 2 {
		var err error
		if canvases, err = g.place(dc, canvases); err != nil {
			return nil, err
		}
	}
	return canvases, nil
}

// place measures each panel's margins on its current canvas and returns new
// canvases whose data areas line up.
func (g grid) place(dc draw.Canvas, current [][]draw.Canvas) ([][]draw.Canvas, error) {
	rows, cols := len(g.cells), len(g.cells[0])
	m := make([][]margins, rows)
	left, right := make([]vg.Length, cols), make([]vg.Length, cols)
	bottom, top := make([]vg.Length, rows), make([]vg.Length, rows)
	for j, row := range g.cells {
		m[j] = make([]margins, cols)
		for i, c := range row {
			if c == nil {
				continue
			}
			m[j][i] = marginsOf(c, current[j][i])
			left[i], right[i] = max(left[i], m[j][i].left), max(right[i], m[j][i].right)
			bottom[j], top[j] = max(bottom[j], m[j][i].bottom), max(top[j], m[j][i].top)
		}
	}
	widths, err := shares(dc.Max.X-dc.Min.X, left, right, gapsOr(g.colGaps, cols, defaultColGap), g.colWeights)
	if err != nil {
		return nil, fmt.Errorf("columns: %w", err)
	}
	heights, err := shares(dc.Max.Y-dc.Min.Y, top, bottom, gapsOr(g.rowGaps, rows, defaultRowGap), g.rowWeights)
	if err != nil {
		return nil, fmt.Errorf("rows: %w", err)
	}
	out := make([][]draw.Canvas, rows)
	y := dc.Max.Y
	for j, row := range g.cells {
		out[j] = make([]draw.Canvas, cols)
		y -= top[j]
		x := dc.Min.X
		for i, c := range row {
			x += left[i]
			if c != nil {
				data := vg.Rectangle{Min: vg.Point{X: x, Y: y - heights[j]}, Max: vg.Point{X: x + widths[i], Y: y}}
				cell := dc
				cell.Rectangle = vg.Rectangle{
					Min: vg.Point{X: data.Min.X - m[j][i].left, Y: data.Min.Y - m[j][i].bottom},
					Max: vg.Point{X: data.Max.X + m[j][i].right, Y: data.Max.Y + m[j][i].top},
				}
				out[j][i] = cell
			}
			x += widths[i] + right[i]
			if i < cols-1 {
				x += gapsOr(g.colGaps, cols, defaultColGap)[i]
			}
		}
		y -= heights[j] + bottom[j]
		if j < rows-1 {
			y -= gapsOr(g.rowGaps, rows, defaultRowGap)[j]
		}
	}
	return out, nil
}

// gapsOr returns gaps, or n-1 copies of def when gaps is nil.
func gapsOr(gaps []vg.Length, n int, def vg.Length) []vg.Length {
	if gaps != nil {
		return gaps
	}
	out := make([]vg.Length, max(n-1, 0))
	for i := range out {
		out[i] = def
	}
	return out
}

// shares splits what is left of total after the margins and gaps among the
// data areas in proportion to weights (equal when nil).
func shares(total vg.Length, before, after, gaps []vg.Length, weights []float64) ([]vg.Length, error) {
	n := len(before)
	if len(gaps) != n-1 || (weights != nil && len(weights) != n) {
		return nil, fmt.Errorf("%d gaps and %d weights for %d panels", len(gaps), len(weights), n)
	}
	free := total
	for i := range n {
		free -= before[i] + after[i]
	}
	for _, g := range gaps {
		free -= g
	}
	if free <= 0 {
		return nil, fmt.Errorf("the figure is too small: axes, titles and gaps need %.0f points more than its %.0f", float64(-free), float64(total))
	}
	var sum float64
	for i := range n {
		sum += weightOr(weights, i)
	}
	out := make([]vg.Length, n)
	for i := range out {
		out[i] = free * vg.Length(weightOr(weights, i)/sum)
	}
	return out, nil
}

func weightOr(weights []float64, i int) float64 {
	if weights == nil {
		return 1
	}
	return weights[i]
}

// drawKey draws the entries centred in lines across the top of c, wrapping
// when a line is full, and returns the height it took.
func drawKey(c draw.Canvas, entries []keyEntry) vg.Length {
	sty := textStyle(legendSize)
	sty.Handler = mathText
	em := sty.Width("M")
	lineHeight := sty.Height("Mg") + vg.Points(4)
	width := func(e keyEntry) vg.Length { return keyThumbWidth + em/2 + sty.Width(e.label) }
	var lines [][]keyEntry
	var lineWidth vg.Length
	for _, e := range entries {
		if n := len(lines); n > 0 && lineWidth+2*em+width(e) <= c.Max.X-c.Min.X {
			lines[n-1] = append(lines[n-1], e)
			lineWidth += 2*em + width(e)
			continue
		}
		lines = append(lines, []keyEntry{e})
		lineWidth = width(e)
	}
	y := c.Max.Y
	for _, line := range lines {
		var total vg.Length
		for k, e := range line {
			total += width(e)
			if k > 0 {
				total += 2 * em
			}
		}
		x := c.Center().X - total/2
		y -= lineHeight
		for _, e := range line {
			thumb := c
			thumb.Rectangle = vg.Rectangle{Min: vg.Point{X: x, Y: y + vg.Points(2)}, Max: vg.Point{X: x + keyThumbWidth, Y: y + lineHeight - vg.Points(2)}}
			for _, t := range e.thumbs {
				t.Thumbnail(&thumb)
			}
			label := sty
			label.YAlign = draw.YCenter
			c.FillText(label, vg.Point{X: x + keyThumbWidth + em/2, Y: thumb.Center().Y}, e.label)
			x += width(e) + 2*em
		}
	}
	return c.Max.Y - y
}

// mathText draws "^{...}" as superscripts (see superscripts).
var mathText text.Handler = superscripts{text.Plain{Fonts: plot.DefaultTextHandler.Cache()}}
