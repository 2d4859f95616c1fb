package figures

import (
	"fmt"
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// TokenCounts is how many tokens each chunk of one modality became.
type TokenCounts struct {
	Modality string
	Counts   []int
}

// maxTokenBins bounds the number of bins of a token histogram.
const maxTokenBins = 64

// TokenHistogram draws how many tokens the chunks of each modality become,
// one panel per modality on shared axes and the same bins, with the
// truncation (cut tokens, the paper's 1024) marked across every panel and
// the share of chunks beyond it in each title. Bins are a power of two
// wide, so a cut at a power of two falls on a bin edge.
func TokenHistogram(sets []TokenCounts, cut int) (Figure, error) {
	width, counts, err := tokenBins(sets, cut)
	if err != nil {
		return Figure{}, fmt.Errorf("token histogram: %w", err)
	}
	cutLine := draw.LineStyle{Color: color.Black, Width: vg.Points(1.3), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	var plots []*plot.Plot
	tallest := 0.0
	for i, set := range sets {
		var bins []plotter.HistogramBin
		for b, n := range counts[i] {
			if n > 0 {
				bins = append(bins, plotter.HistogramBin{Min: float64(b * width), Max: float64((b + 1) * width), Weight: n})
			}
			tallest = max(tallest, n)
		}
		over := 0
		for _, n := range set.Counts {
			if n > cut {
				over++
			}
		}
		sorted := slices.Clone(set.Counts)
		slices.Sort(sorted)
		title := fmt.Sprintf("%s: %d chunks, median %d tokens, %s beyond the cut",
			modalityTitle(set.Modality), len(sorted), sorted[len(sorted)/2], percent(over, len(sorted)))
		p := NewPlot(title, "tokens per chunk", "chunks")
		p.Title.TextStyle.Font.Size = labelSize
		c := colorOf(set.Modality, i)
		p.Add(&plotter.Histogram{Bins: bins, Width: float64(width), FillColor: translucent(c, 0.85), LineStyle: draw.LineStyle{Color: color.White, Width: vg.Points(0.4)}})
		p.Add(vLine{x: float64(cut), style: cutLine})
		p.X.Min, p.X.Max = 0, float64(len(counts[i])*width)
		p.X.Tick.Marker = powerOfTwoTicks(9)
		p.Y.Tick.Marker = niceTicks(4)
		plots = append(plots, p)
	}
	cells := make([][]panel, len(plots))
	for j, p := range plots {
		p.Y.Min, p.Y.Max = 0, tallest*1.06
		if j < len(plots)-1 {
			p.X.Tick.Marker, p.X.Label.Text = unlabelled(p.X.Tick.Marker), ""
		}
		cells[j] = []panel{plotPanel{p}}
	}
	return Figure{
		Name:   "token_histogram",
		Width:  9 * vg.Inch,
		Height: 0.6*vg.Inch + vg.Length(len(plots))*1.55*vg.Inch,
		key: []keyEntry{{
			label:  fmt.Sprintf("the %d-token cut: later tokens are never scored; bins %d tokens wide", cut, width),
			thumbs: []plot.Thumbnailer{lineStyleThumb(cutLine)},
		}},
		grid: grid{cells: cells},
	}, nil
}

// tokenBins counts each set's chunks in bins [k*width, (k+1)*width), the
// same bins for every set, reaching past the largest count and the cut; the
// width is the smallest power of two that needs at most maxTokenBins bins.
func tokenBins(sets []TokenCounts, cut int) (width int, counts [][]float64, err error) {
	if len(sets) == 0 {
		return 0, nil, fmt.Errorf("no modalities")
	}
	if cut <= 0 {
		return 0, nil, fmt.Errorf("cut at %d tokens, want a positive count", cut)
	}
	largest := cut
	for _, set := range sets {
		if len(set.Counts) == 0 {
			return 0, nil, fmt.Errorf("%s has no chunks", modalityTitle(set.Modality))
		}
		for i, n := range set.Counts {
			if n < 0 {
				return 0, nil, fmt.Errorf("%s chunk %d has %d tokens, want a count >= 0", modalityTitle(set.Modality), i, n)
			}
			largest = max(largest, n)
		}
	}
	width = 1
	for width*maxTokenBins < largest+1 {
		width *= 2
	}
	counts = make([][]float64, len(sets))
	for i, set := range sets {
		counts[i] = make([]float64, largest/width+1)
		for _, n := range set.Counts {
			counts[i][n/width]++
		}
	}
	return width, counts, nil
}

// percent is k of n as a rounded percentage, "<1%" or ">99%" rather than a
// misleading 0% or 100%.
func percent(k, n int) string {
	v := 100 * float64(k) / float64(n)
	switch {
	case k > 0 && v < 0.5:
		return "<1%"
	case k < n && v > 99.5:
		return ">99%"
	}
	return fmt.Sprintf("%.0f%%", v)
}

// Mark is a value to mark on a histogram, and what it is.
type Mark struct {
	Label string
	Value float64
}

// predictionBins is the most bins of a prediction histogram.
const predictionBins = 40

// PredictionHistogram draws the uncertainty of law's prediction at model
// size p and training step s: a histogram of the predictions of the
// bootstrap resamples' laws, their percentile interval shaded (the interval
// scaling.BootstrapResult.PredictionInterval returns and `paperrepro fit`
// prints), the fit's own prediction as a solid line, and each mark (the
// paper's stated value, say) as a dashed line. The y axis ends just above
// the tallest bar. It returns an error when law has no fit or no bootstrap,
// when p or s is not a positive number, or when a mark is not finite.
func PredictionHistogram(law Law, p, s float64, marks ...Mark) (Figure, error) {
	name := fmt.Sprintf("prediction histogram at P = %g, S = %g", p, s)
	switch {
	case law.Fit == nil || law.Bootstrap == nil:
		return Figure{}, fmt.Errorf("%s: need a fit and its bootstrap", name)
	case !(p > 0) || !(s > 0) || math.IsInf(p, 0) || math.IsInf(s, 0):
		return Figure{}, fmt.Errorf("%s: model size and step must be positive numbers", name)
	}
	for _, m := range marks {
		if !isFinite(m.Value) {
			return Figure{}, fmt.Errorf("%s: mark %q has value %g, want a finite number", name, m.Label, m.Value)
		}
	}
	// The resamples' finite predictions: those PredictionInterval, the
	// shaded band, is taken over.
	preds := slices.DeleteFunc(law.Bootstrap.Predictions(law.Fit.Form, p, s), func(v float64) bool { return !isFinite(v) })
	if len(preds) == 0 {
		return Figure{}, fmt.Errorf("%s: no resample gives a finite prediction", name)
	}
	estimate := law.Fit.Predict(p, s)
	lo, hi, _ := law.band(p, s)
	xLo, xHi := slices.Min(preds), slices.Max(preds)
	for _, v := range append([]float64{estimate, lo, hi}, markValues(marks)...) {
		if isFinite(v) {
			xLo, xHi = min(xLo, v), max(xHi, v)
		}
	}
	width, _ := niceStep(slices.Min(preds), slices.Max(preds), predictionBins)
	first := math.Floor(slices.Min(preds)/width) * width
	bins := make([]plotter.HistogramBin, int(math.Floor((slices.Max(preds)-first)/width))+1)
	for b := range bins {
		bins[b] = plotter.HistogramBin{Min: first + float64(b)*width, Max: first + float64(b+1)*width}
	}
	for _, v := range preds {
		bins[min(int((v-first)/width), len(bins)-1)].Weight++
	}
	tallest := 0.0
	for _, b := range bins {
		tallest = max(tallest, b.Weight)
	}

	level := 100 * law.Bootstrap.Options.Level
	title := fmt.Sprintf("CR predicted at P = %s parameters, S = %s steps, by %d bootstrap refits", Count(p), Count(s), len(law.Bootstrap.Samples))
	pl := NewPlot("", "predicted compression ratio", "refits")
	shade := color.RGBA{0xe6, 0x9f, 0x00, 0xff}
	bars := color.RGBA{0x7a, 0x8c, 0x9e, 0xff}
	pl.Add(span{lo: lo, hi: hi, color: translucent(shade, 0.3)})
	pl.Add(&plotter.Histogram{Bins: bins, Width: width, FillColor: bars, LineStyle: draw.LineStyle{Color: color.White, Width: vg.Points(0.4)}})
	fitStyle := draw.LineStyle{Color: lineColors[0], Width: vg.Points(2)}
	pl.Add(vLine{x: estimate, style: fitStyle})
	key := []keyEntry{
		{label: fmt.Sprintf("%d refits", len(preds)), thumbs: []plot.Thumbnailer{fillThumb(bars)}},
		{label: fmt.Sprintf("%g%% interval [%.4f, %.4f]", level, lo, hi), thumbs: []plot.Thumbnailer{fillThumb(translucent(shade, 0.3))}},
		{label: fmt.Sprintf("this project's refit: %.4f", estimate), thumbs: []plot.Thumbnailer{lineStyleThumb(fitStyle)}},
	}
	for i, m := range marks {
		style := draw.LineStyle{Color: lineColors[(i+1)%len(lineColors)], Width: vg.Points(1.6), Dashes: [][]vg.Length{
			{vg.Points(5), vg.Points(3)}, {vg.Points(1.5), vg.Points(2)}, {vg.Points(7), vg.Points(2), vg.Points(1.5), vg.Points(2)},
		}[i%3]}
		pl.Add(vLine{x: m.Value, style: style})
		key = append(key, keyEntry{label: fmt.Sprintf("%s: %.4f", m.Label, m.Value), thumbs: []plot.Thumbnailer{lineStyleThumb(style)}})
	}
	pl.X.Min, pl.X.Max = linearPadding(xLo, xHi, 0.03)
	pl.Y.Min, pl.Y.Max = 0, tallest*1.06
	pl.X.Tick.Marker = niceTicks(8)
	pl.Y.Tick.Marker = niceTicks(5)
	return Figure{
		Name:   "prediction_histogram",
		Width:  9 * vg.Inch,
		Height: 4.6 * vg.Inch,
		title:  title,
		key:    key,
		grid:   grid{cells: [][]panel{{plotPanel{pl}}}},
	}, nil
}

func markValues(marks []Mark) []float64 {
	out := make([]float64, len(marks))
	for i, m := range marks {
		out[i] = m.Value
	}
	return out
}

// vLine is a vertical line at x across the whole height of a panel.
type vLine struct {
	x     float64
	style draw.LineStyle
}

// Plot implements plot.Plotter.
func (l vLine) Plot(c draw.Canvas, p *plot.Plot) {
	trX, _ := p.Transforms(&c)
	x := trX(l.x)
	c.StrokeLine2(l.style, x, c.Min.Y, x, c.Max.Y)
}

// span shades the x interval [lo, hi] across the whole height of a panel;
// an interval that is not finite is not drawn.
type span struct {
	lo, hi float64
	color  color.Color
}

// Plot implements plot.Plotter.
func (s span) Plot(c draw.Canvas, p *plot.Plot) {
	if !isFinite(s.lo) || !isFinite(s.hi) {
		return
	}
	trX, _ := p.Transforms(&c)
	c.SetColor(s.color)
	c.Fill(vg.Rectangle{Min: vg.Point{X: trX(s.lo), Y: c.Min.Y}, Max: vg.Point{X: trX(s.hi), Y: c.Max.Y}}.Path())
}

// lineStyleThumb and fillThumb are key samples of a line and of a filled
// area.
func lineStyleThumb(style draw.LineStyle) plot.Thumbnailer {
	return thumb(func(dc *draw.Canvas) {
		y := dc.Center().Y
		dc.StrokeLine2(style, dc.Min.X, y, dc.Max.X, y)
	})
}

func fillThumb(c color.Color) plot.Thumbnailer {
	return thumb(func(dc *draw.Canvas) {
		dc.SetColor(c)
		dc.Fill(dc.Rectangle.Path())
	})
}
