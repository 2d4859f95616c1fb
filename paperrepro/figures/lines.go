package figures

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// curveSamples is the number of points of a fitted curve.
const curveSamples = 120

// minTickGap is the smallest distance, as a fraction of a log axis, between
// two labelled ticks.
const minTickGap = 0.07

// series is one line of a line plot: measured points, and the fitted law
// along the same axis.
type series struct {
	label  string
	color  color.Color
	shape  draw.GlyphDrawer
	points plotter.XYs
	fitted func(x float64) float64 // nil: no fitted curve
}

// ParamsPlot draws CR against model size on a log axis, one line per
// training step, and the fitted law (when fit is not nil) dashed in the same
// colour.
func ParamsPlot(t results.Table, fit *scaling.Result) (*plot.Plot, error) {
	var lines []series
	for i, s := range t.Steps() {
		line := series{label: "step " + Count(float64(s)), color: lineColors[i%len(lineColors)], shape: shapeFor(i)}
		for _, m := range t.Models() {
			if cr, ok := t.CR(m.Name, s); ok {
				line.points = append(line.points, plotter.XY{X: m.Params, Y: cr})
			}
		}
		if fit != nil {
			step := float64(s)
			line.fitted = func(p float64) float64 { return fit.Predict(p, step) }
		}
		lines = append(lines, line)
	}
	var sizes []float64
	for _, m := range t.Models() {
		sizes = append(sizes, m.Params)
	}
	title := modalityTitle(t.Modality) + ": compression ratio vs model size"
	return linePlot(title, "parameters", sizes, lines)
}

// StepsPlot draws CR against training step on a log axis, one line per
// model, and the fitted law (when fit is not nil) dashed in the same colour.
func StepsPlot(t results.Table, fit *scaling.Result) (*plot.Plot, error) {
	var lines []series
	for i, m := range t.Models() {
		line := series{label: m.Name, color: lineColors[i%len(lineColors)], shape: shapeFor(i)}
		for _, s := range t.Steps() {
			if cr, ok := t.CR(m.Name, s); ok {
				line.points = append(line.points, plotter.XY{X: float64(s), Y: cr})
			}
		}
		if fit != nil {
			size := m.Params
			line.fitted = func(s float64) float64 { return fit.Predict(size, s) }
		}
		lines = append(lines, line)
	}
	var steps []float64
	for _, s := range t.Steps() {
		steps = append(steps, float64(s))
	}
	title := modalityTitle(t.Modality) + ": compression ratio vs training step"
	return linePlot(title, "training step", steps, lines)
}

// linePlot draws series over a log x axis whose ticks are the data's x
// values, with a legend that also explains the dashed fits.
func linePlot(title, xLabel string, xs []float64, lines []series) (*plot.Plot, error) {
	if len(xs) == 0 {
		return nil, fmt.Errorf("%s: no data", title)
	}
	p := newPlot(title, xLabel, "compression ratio (lower is better)")
	p.X.Scale = plot.LogScale{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	p.X.Min, p.X.Max = logPadding(lo, hi, 0.04)
	p.X.Tick.Marker = dataTicks(xs, minTickGap)
	p.Y.Tick.Marker = crTicks()
	p.Legend.ThumbnailWidth = vg.Points(22)

	hasFit := false
	var drawn []plotter.XY // every point and curve sample, to keep the legend off them
	for _, s := range lines {
		drawn = append(drawn, s.points...)
		if s.fitted != nil {
			curve := make(plotter.XYs, curveSamples)
			for i := range curve {
				x := lo * math.Pow(hi/lo, float64(i)/float64(curveSamples-1))
				curve[i] = plotter.XY{X: x, Y: s.fitted(x)}
			}
			drawn = append(drawn, curve...)
			fitLine, err := plotter.NewLine(curve)
			if err != nil {
				return nil, fmt.Errorf("%s: fitted curve of %s: %w", title, s.label, err)
			}
			fitLine.Color = s.color
			fitLine.Width = vg.Points(1.2)
			fitLine.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			p.Add(fitLine)
			hasFit = true
		}
		data, points, err := plotter.NewLinePoints(s.points)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", title, s.label, err)
		}
		data.Color = s.color
		data.Width = vg.Points(1.5)
		points.Color = s.color
		points.Shape = s.shape
		points.Radius = vg.Points(3.2)
		p.Add(data, points)
		p.Legend.Add(s.label, data, points)
	}
	if hasFit {
		// A legend-only line: it explains the dashes without adding data.
		key := &plotter.Line{LineStyle: draw.LineStyle{
			Color:  color.Gray{Y: 0x55},
			Width:  vg.Points(1.2),
			Dashes: []vg.Length{vg.Points(5), vg.Points(3)},
		}}
		p.Legend.Add("fitted law", key)
	}
	placeLegend(p, drawn)
	return p, nil
}

// Assumed size of a line plot's data area (a panel of an 11 x 4.5 inch
// two-panel figure less its title and axes), for placing the legend.
const (
	dataAreaWidth  = 4.3 * vg.Inch
	dataAreaHeight = 3.2 * vg.Inch
)

// placeLegend puts the legend in the corner of the data area where it hides
// the fewest drawn points; when every corner would hide some, it raises the
// top of the y axis to make room above the data and uses the top right.
func placeLegend(p *plot.Plot, drawn []plotter.XY) {
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, xy := range drawn {
		yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
	}
	pad := 0.05 * (yHi - yLo)
	p.Y.Min, p.Y.Max = yLo-pad, yHi+pad
	box := p.Legend.Rectangle(draw.Canvas{})
	w := float64(box.Max.X-box.Min.X) / float64(dataAreaWidth)
	h := float64(box.Max.Y-box.Min.Y+vg.Points(4)) / float64(dataAreaHeight)
	hidden := func(top, left bool) int {
		n := 0
		for _, xy := range drawn {
			x := (math.Log(xy.X) - math.Log(p.X.Min)) / (math.Log(p.X.Max) - math.Log(p.X.Min))
			y := (xy.Y - p.Y.Min) / (p.Y.Max - p.Y.Min)
			inX := (left && x < w) || (!left && x > 1-w)
			inY := (top && y > 1-h) || (!top && y < h)
			if inX && inY {
				n++
			}
		}
		return n
	}
	best, bestTop, bestLeft := math.MaxInt, true, false
	for _, corner := range []struct{ top, left bool }{{true, false}, {true, true}, {false, false}, {false, true}} {
		if n := hidden(corner.top, corner.left); n < best {
			best, bestTop, bestLeft = n, corner.top, corner.left
		}
	}
	if best > 0 {
		// Room above the data: the legend's height plus a margin.
		p.Y.Max = p.Y.Min + (p.Y.Max-p.Y.Min)/(1-h-0.03)
		bestTop, bestLeft = true, false
	}
	p.Legend.Top, p.Legend.Left = bestTop, bestLeft
}

// shapeFor gives line i a marker shape, so lines stay distinguishable in
// grey scale.
func shapeFor(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{
		draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{},
		draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{},
	}
	return shapes[i%len(shapes)]
}
