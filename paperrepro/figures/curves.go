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
)

// curveSamples is the number of points of a fitted curve and its band.
const curveSamples = 100

// Sizes of the marks of the line figures.
const (
	pointRadius = vg.Length(2.4)
	curveWidth  = vg.Length(1.4)
	bandOpacity = 0.22
)

// series is one set of a table's cells and the fitted law along the same
// axis: at maps an x value to the law's model size and step.
type series struct {
	color  color.RGBA
	shape  draw.GlyphDrawer
	points plotter.XYs
	law    Law
	at     func(x float64) (p, s float64)
}

// ScalingCurves draws one table against its fitted law, one small panel per
// curve so that no lines cross: on the left CR against model size at each
// training step, on the right CR against training step for each model.
// The table's cells are dots (the key says where they come from, the
// table's Source), the law is a line, and its bootstrap band (when
// law has one) is shaded. Panels of a column share their axes; both x axes
// are logarithmic and label every size and step of the table.
func ScalingCurves(t results.Table, law Law) (Figure, error) {
	if err := checkTable(t); err != nil {
		return Figure{}, err
	}
	models, steps := t.Models(), t.Steps()
	sizes := make([]float64, len(models))
	for i, m := range models {
		sizes[i] = m.Params
	}
	stepValues := make([]float64, len(steps))
	for i, s := range steps {
		stepValues[i] = float64(s)
	}
	c := colorOf(t.Modality, 0)

	var bySize, byStep []*plot.Plot
	for _, s := range steps {
		line := series{color: c, shape: shapeFor(0), law: law, at: func(p float64) (float64, float64) { return p, float64(s) }}
		for _, m := range models {
			if cr, ok := t.CR(m.Name, s); ok {
				line.points = append(line.points, plotter.XY{X: m.Params, Y: cr})
			}
		}
		p, err := curvePlot("step "+Count(float64(s)), "parameters", sizes, []series{line})
		if err != nil {
			return Figure{}, fmt.Errorf("%s table: step %d: %w", modalityTitle(t.Modality), s, err)
		}
		bySize = append(bySize, p)
	}
	for _, m := range models {
		line := series{color: c, shape: shapeFor(0), law: law, at: func(s float64) (float64, float64) { return m.Params, s }}
		for _, s := range steps {
			if cr, ok := t.CR(m.Name, s); ok {
				line.points = append(line.points, plotter.XY{X: float64(s), Y: cr})
			}
		}
		p, err := curvePlot(fmt.Sprintf("%s (%s parameters)", m.Name, Count(m.Params)), "training step", stepValues, []series{line})
		if err != nil {
			return Figure{}, fmt.Errorf("%s table: model %s: %w", modalityTitle(t.Modality), m.Name, err)
		}
		byStep = append(byStep, p)
	}
	shareColumn(bySize)
	shareColumn(byStep)

	rows := max(len(bySize), len(byStep))
	cells := make([][]panel, rows)
	for j := range cells {
		cells[j] = make([]panel, 2)
		if j < len(bySize) {
			cells[j][0] = plotPanel{bySize[j]}
		}
		if j < len(byStep) {
			cells[j][1] = plotPanel{byStep[j]}
		}
	}
	title := modalityTitle(t.Modality) + ": CR against model size at each step (left) and against training step for each model (right)"
	if law.Fit == nil && law.FitErr != nil {
		title += "\nno fitted law: " + shortReason(law.FitErr)
	}
	return Figure{
		Name:   "scaling_" + fileWord(t.Modality),
		Width:  11 * vg.Inch,
		Height: 0.9*vg.Inch + vg.Length(rows)*1.6*vg.Inch,
		title:  title,
		key:    curveKey(c, cellsLabel(t), law),
		// The step axis gets more room: 128k and 143k sit 2% of it apart.
		grid: grid{cells: cells, colWeights: []float64{0.85, 1.15}},
	}, nil
}

// curveKey explains the marks of a figure of one colour's curves, its
// cells from the source cells.
func curveKey(c color.RGBA, cells string, law Law) []keyEntry {
	key := []keyEntry{{label: cells, thumbs: []plot.Thumbnailer{pointThumb(c, shapeFor(0))}}}
	if law.Fit != nil {
		key = append(key, keyEntry{label: "fitted law (this project's refit)", thumbs: []plot.Thumbnailer{lineThumb(c)}})
	}
	if law.Bootstrap != nil {
		key = append(key, keyEntry{label: law.bandLabel(), thumbs: []plot.Thumbnailer{bandThumb(c)}})
	}
	return key
}

// curvePlot draws series over a log x axis ticked at xs: each series'
// points, and its law's curve and band across the range of xs.
func curvePlot(title, xLabel string, xs []float64, lines []series) (*plot.Plot, error) {
	p := NewPlot(title, xLabel, "CR")
	p.Title.TextStyle.Font.Size = labelSize
	p.X.Scale = plot.LogScale{}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	p.X.Min, p.X.Max = logPadding(lo, hi, 0.05)
	p.X.Tick.Marker = dataTicks(xs, minTickGap)
	p.Y.Tick.Marker = niceTicks(5)
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, s := range lines {
		if s.law.Fit != nil {
			curve, lower, upper := s.sample(lo, hi)
			if len(lower) > 1 {
				band, err := bandPolygon(lower, upper, s.color)
				if err != nil {
					return nil, fmt.Errorf("bootstrap band: %w", err)
				}
				p.Add(band)
				for i := range lower {
					yLo, yHi = min(yLo, lower[i].Y), max(yHi, upper[i].Y)
				}
			}
			line, err := plotter.NewLine(curve)
			if err != nil {
				return nil, fmt.Errorf("fitted curve: %w", err)
			}
			line.Color, line.Width = s.color, curveWidth
			p.Add(line)
			for _, xy := range curve {
				yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
			}
		}
		if len(s.points) > 0 {
			scatter, err := plotter.NewScatter(s.points)
			if err != nil {
				return nil, fmt.Errorf("cells: %w", err)
			}
			scatter.GlyphStyle = draw.GlyphStyle{Color: s.color, Radius: pointRadius, Shape: s.shape}
			p.Add(scatter)
			for _, xy := range s.points {
				yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
			}
		}
	}
	if !(yLo <= yHi) {
		return nil, fmt.Errorf("no finite value to draw")
	}
	p.Y.Min, p.Y.Max = linearPadding(yLo, yHi, 0.06)
	return p, nil
}

// sample is the law of s at curveSamples points spread evenly on a log
// axis from lo to hi, with its bootstrap band where it has one.
func (s series) sample(lo, hi float64) (curve, lower, upper plotter.XYs) {
	curve = make(plotter.XYs, curveSamples)
	for i := range curve {
		x := lo * math.Pow(hi/lo, float64(i)/float64(curveSamples-1))
		P, S := s.at(x)
		curve[i] = plotter.XY{X: x, Y: s.law.Fit.Predict(P, S)}
		if bLo, bHi, ok := s.law.band(P, S); ok {
			lower = append(lower, plotter.XY{X: x, Y: bLo})
			upper = append(upper, plotter.XY{X: x, Y: bHi})
		}
	}
	return curve, lower, upper
}

// shareColumn gives a column of panels one y range and one x range, and
// keeps the x tick labels and axis label on its bottom panel only.
func shareColumn(ps []*plot.Plot) {
	if len(ps) == 0 {
		return
	}
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, p := range ps {
		yLo, yHi = min(yLo, p.Y.Min), max(yHi, p.Y.Max)
	}
	for i, p := range ps {
		p.Y.Min, p.Y.Max = yLo, yHi
		if i < len(ps)-1 {
			p.X.Tick.Marker = unlabelled(p.X.Tick.Marker)
			p.X.Label.Text = ""
		}
	}
}

// bandPolygon shades the region between lower and upper, sampled at the
// same x values.
func bandPolygon(lower, upper plotter.XYs, c color.RGBA) (*plotter.Polygon, error) {
	ring := append(plotter.XYs{}, lower...)
	for i := len(upper) - 1; i >= 0; i-- {
		ring = append(ring, upper[i])
	}
	band, err := plotter.NewPolygon(ring)
	if err != nil {
		return nil, err
	}
	band.Color = translucent(c, bandOpacity)
	band.LineStyle.Width = 0
	return band, nil
}

// pointThumb, lineThumb and bandThumb are key samples of the three marks.
func pointThumb(c color.Color, shape draw.GlyphDrawer) plot.Thumbnailer {
	return thumb(func(dc *draw.Canvas) {
		dc.DrawGlyph(draw.GlyphStyle{Color: c, Radius: pointRadius, Shape: shape}, dc.Center())
	})
}

func lineThumb(c color.Color) plot.Thumbnailer {
	return lineStyleThumb(draw.LineStyle{Color: c, Width: curveWidth})
}

func bandThumb(c color.RGBA) plot.Thumbnailer { return fillThumb(translucent(c, bandOpacity)) }

// thumb is a plot.Thumbnailer from a function.
type thumb func(*draw.Canvas)

func (t thumb) Thumbnail(c *draw.Canvas) { t(c) }

// fileWord is a modality as a file-name word.
func fileWord(modality string) string {
	if modality == "" {
		return "unnamed"
	}
	return modality
}
