package figures

import (
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// BeyondFigureName is the file name (without extension) of the figure
// Beyond draws.
const BeyondFigureName = "prediction_beyond"

// Marks of the registered predictions and of the cells computed against
// them.
var (
	predictionColor = color.RGBA{0x20, 0x20, 0x20, 0xff}
	computedColor   = lineColors[3] // reddish purple: no modality's colour
	extrapolation   = []vg.Length{vg.Points(5), vg.Points(3)}
)

// Beyond draws a registered prediction beyond the sizes its law was fitted
// to: one panel per step of the prediction (rows) and modality (columns),
// CR against model size on a log axis from the smallest fitted model to the
// largest predicted one. Each panel has the cells the law was fitted to
// (tables[i], labelled with their Source), this project's refit (laws[i])
// as a line over the fitted sizes and dashed beyond them, with its bootstrap
// band, a dotted line where the fitted sizes end, the registered
// predictions with their bootstrap interval (thick bar) and spread over
// forms (thin bar), and the cells of computed (any tables, such as a run of
// pythia-2.8b to 12b) that the prediction covers, labelled with their
// Source. It returns an error when no table has a prediction.
func Beyond(tables []results.Table, laws []Law, registered scaling.Predictions, computed []results.Table) (Figure, error) {
	if err := checkInputs(tables, laws); err != nil {
		return Figure{}, fmt.Errorf("prediction figure: %w", err)
	}
	checks := scaling.CheckPredictions(registered, computed)
	var steps []int
	var columns []int // indexes into tables of the modalities predicted
	for i, t := range tables {
		for _, p := range registered.Rows {
			if p.Modality != t.Modality {
				continue
			}
			if !slices.Contains(columns, i) {
				columns = append(columns, i)
			}
			if !slices.Contains(steps, p.Step) {
				steps = append(steps, p.Step)
			}
		}
	}
	if len(columns) == 0 {
		return Figure{}, fmt.Errorf("prediction figure: the registered prediction (%s) covers none of the tables' modalities", registered.Law)
	}
	slices.Sort(steps)

	cells := make([][]panel, len(steps))
	for r := range cells {
		cells[r] = make([]panel, len(columns))
	}
	var computedSource string
	for c, i := range columns {
		t, law := tables[i], lawAt(laws, i)
		color := colorOf(t.Modality, i)
		var column []*plot.Plot
		for r, s := range steps {
			var preds []scaling.Prediction
			for _, p := range registered.Rows {
				if p.Modality == t.Modality && p.Step == s {
					preds = append(preds, p)
				}
			}
			var mine plotter.XYs
			for _, ch := range checks {
				if ch.Modality == t.Modality && ch.Step == s {
					mine = append(mine, plotter.XY{X: ch.P, Y: ch.Computed})
					computedSource = ch.Source
				}
			}
			title := fmt.Sprintf("%s, step %s", modalityTitle(t.Modality), Count(float64(s)))
			p, err := beyondPlot(title, t, law, s, preds, mine, color)
			if err != nil {
				return Figure{}, fmt.Errorf("prediction figure, %s: %w", title, err)
			}
			cells[r][c] = plotPanel{p}
			column = append(column, p)
		}
		shareColumn(column)
	}

	grey := color.RGBA{0x55, 0x55, 0x55, 0xff}
	var drawn []results.Table
	for _, i := range columns {
		drawn = append(drawn, tables[i])
	}
	key := []keyEntry{
		{label: "cells the law was fitted to (" + cmp.Or(results.JoinSources(drawn), "source not given") + ")", thumbs: []plot.Thumbnailer{pointThumb(grey, shapeFor(0))}},
		{label: "this project's refit", thumbs: []plot.Thumbnailer{lineThumb(grey)}},
		{label: "its extrapolation", thumbs: []plot.Thumbnailer{lineStyleThumb(draw.LineStyle{Color: grey, Width: curveWidth, Dashes: extrapolation})}},
		{label: "registered prediction, bootstrap interval", thumbs: []plot.Thumbnailer{predictionThumb(true)}},
		{label: fmt.Sprintf("spread over %d forms", registered.FormsCompared), thumbs: []plot.Thumbnailer{predictionThumb(false)}},
	}
	if computedSource != "" || len(checks) > 0 {
		key = append(key, keyEntry{label: "computed: " + cmp.Or(computedSource, "cells (source not given)"), thumbs: []plot.Thumbnailer{pointThumb(computedColor, draw.PyramidGlyph{})}})
	}
	title := fmt.Sprintf("The registered prediction beyond the fitted sizes: %s, P as %s parameter counts", registered.Law, registered.Sizes)
	return Figure{
		Name:   BeyondFigureName,
		Width:  11 * vg.Inch,
		Height: 1.3*vg.Inch + vg.Length(len(steps))*1.75*vg.Inch,
		title:  title,
		key:    key,
		grid:   grid{cells: cells},
	}, nil
}

// beyondPlot draws one modality at one step: t's cells at step, law's curve
// and band over the fitted sizes and beyond, the predictions and the
// computed cells.
func beyondPlot(title string, t results.Table, law Law, step int, preds []scaling.Prediction, computed plotter.XYs, c color.RGBA) (*plot.Plot, error) {
	p := NewPlot(title, "parameters", "CR")
	p.Title.TextStyle.Font.Size = labelSize
	p.X.Scale = plot.LogScale{}
	var fitted, ticks []float64
	var cells plotter.XYs
	for _, m := range t.Models() {
		fitted = append(fitted, m.Params)
		if cr, ok := t.CR(m.Name, step); ok {
			cells = append(cells, plotter.XY{X: m.Params, Y: cr})
		}
	}
	ticks = append(ticks, fitted...)
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, pr := range preds {
		ticks = append(ticks, pr.P)
		for _, v := range []float64{pr.CR, pr.Lo, pr.Hi, pr.FormsLo, pr.FormsHi} {
			if isFinite(v) {
				yLo, yHi = min(yLo, v), max(yHi, v)
			}
		}
	}
	lo, edge, hi := slices.Min(ticks), slices.Max(fitted), slices.Max(ticks)
	p.X.Min, p.X.Max = logPadding(lo, hi, 0.05)
	p.X.Tick.Marker = dataTicks(ticks, beyondTickGap)
	p.Y.Tick.Marker = niceTicks(4)

	if law.Fit != nil {
		for _, part := range []struct {
			from, to float64
			dashes   []vg.Length
		}{{lo, edge, nil}, {edge, hi, extrapolation}} {
			if !(part.to > part.from) {
				continue
			}
			s := series{color: c, law: law, at: func(x float64) (float64, float64) { return x, float64(step) }}
			curve, lower, upper := s.sample(part.from, part.to)
			if len(lower) > 1 {
				band, err := bandPolygon(lower, upper, c)
				if err != nil {
					return nil, err
				}
				p.Add(band)
			}
			line, err := plotter.NewLine(curve)
			if err != nil {
				return nil, err
			}
			line.Color, line.Width, line.Dashes = c, curveWidth, part.dashes
			p.Add(line)
			for _, xy := range append(append(curve, lower...), upper...) {
				yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
			}
		}
	}
	p.Add(vLine{x: edge, style: draw.LineStyle{Color: color.Gray{Y: 0x99}, Width: vg.Points(0.8), Dashes: []vg.Length{vg.Points(1), vg.Points(2)}}})
	if len(cells) > 0 {
		scatter, err := plotter.NewScatter(cells)
		if err != nil {
			return nil, err
		}
		scatter.GlyphStyle = draw.GlyphStyle{Color: c, Radius: pointRadius, Shape: shapeFor(0)}
		p.Add(scatter)
	}
	p.Add(predictionMarks(preds))
	if len(computed) > 0 {
		scatter, err := plotter.NewScatter(computed)
		if err != nil {
			return nil, err
		}
		scatter.GlyphStyle = draw.GlyphStyle{Color: computedColor, Radius: pointRadius + 0.6, Shape: draw.PyramidGlyph{}}
		p.Add(scatter)
	}
	for _, xy := range append(cells, computed...) {
		yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
	}
	if !(yLo <= yHi) {
		return nil, fmt.Errorf("no finite value to draw")
	}
	p.Y.Min, p.Y.Max = linearPadding(yLo, yHi, 0.06)
	return p, nil
}

// predictionMarks draws registered predictions: an open ring at the
// predicted CR, a thick bar over its bootstrap interval and a thin one with
// caps over the spread over forms.
type predictionMarks []scaling.Prediction

// predictionGlyph marks a predicted CR: an open ring, so that the interval
// bar shows through it.
var predictionGlyph = draw.GlyphStyle{Color: predictionColor, Radius: pointRadius + 0.8, Shape: draw.RingGlyph{}}

// beyondTickGap is dataTicks' minimum gap on the prediction figure's size
// axes, about 3 inches long for 70M to 12B: 6.9B and 12B take two lines.
const beyondTickGap = 0.14

// Widths of the prediction marks.
const (
	intervalWidth = vg.Length(3.2)
	spreadWidth   = vg.Length(1)
	spreadCap     = vg.Length(3)
)

// Plot implements plot.Plotter.
func (m predictionMarks) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	interval := draw.LineStyle{Color: translucent(predictionColor, 0.45), Width: intervalWidth}
	spread := draw.LineStyle{Color: predictionColor, Width: spreadWidth}
	for _, pr := range m {
		x := trX(pr.P)
		if pr.HasSpread() {
			y0, y1 := trY(pr.FormsLo), trY(pr.FormsHi)
			c.StrokeLine2(spread, x, y0, x, y1)
			c.StrokeLine2(spread, x-spreadCap, y0, x+spreadCap, y0)
			c.StrokeLine2(spread, x-spreadCap, y1, x+spreadCap, y1)
		}
		if pr.HasInterval() {
			c.StrokeLine2(interval, x, trY(pr.Lo), x, trY(pr.Hi))
		}
		c.DrawGlyph(predictionGlyph, vg.Point{X: x, Y: trY(pr.CR)})
	}
}

// predictionThumb is the key sample of a prediction's interval (with the
// point) or of its spread over forms.
func predictionThumb(interval bool) plot.Thumbnailer {
	return thumb(func(dc *draw.Canvas) {
		mid := dc.Center()
		h := (dc.Max.Y - dc.Min.Y) / 2
		if !interval {
			sty := draw.LineStyle{Color: predictionColor, Width: spreadWidth}
			dc.StrokeLine2(sty, mid.X, mid.Y-h, mid.X, mid.Y+h)
			dc.StrokeLine2(sty, mid.X-spreadCap, mid.Y-h, mid.X+spreadCap, mid.Y-h)
			dc.StrokeLine2(sty, mid.X-spreadCap, mid.Y+h, mid.X+spreadCap, mid.Y+h)
			return
		}
		dc.StrokeLine2(draw.LineStyle{Color: translucent(predictionColor, 0.45), Width: intervalWidth}, mid.X, mid.Y-h, mid.X, mid.Y+h)
		dc.DrawGlyph(predictionGlyph, mid)
	})
}
