package figures

import (
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// lineColors are distinguishable colours for a few lines (Okabe-Ito, safe
// for colour-blind readers); more lines reuse them with other markers.
var lineColors = []color.RGBA{
	{0x00, 0x72, 0xb2, 0xff}, // blue
	{0xd5, 0x5e, 0x00, 0xff}, // vermillion
	{0x00, 0x9e, 0x73, 0xff}, // bluish green
	{0xcc, 0x79, 0xa7, 0xff}, // reddish purple
	{0xe6, 0x9f, 0x00, 0xff}, // orange
	{0x56, 0xb4, 0xe9, 0xff}, // sky blue
	{0x00, 0x00, 0x00, 0xff}, // black
}

// modalityColors keep each modality's colour the same across figures.
var modalityColors = map[string]color.RGBA{
	"text":   lineColors[0],
	"image":  lineColors[1],
	"speech": lineColors[2],
}

// colorOf is the modality's fixed colour, or the i-th spare line colour for
// a modality outside the paper's three.
func colorOf(modality string, i int) color.RGBA {
	if c, ok := modalityColors[modality]; ok {
		return c
	}
	return lineColors[(i+3)%len(lineColors)]
}

// translucent is c at the given opacity, for bands and shaded intervals.
func translucent(c color.RGBA, alpha float64) color.NRGBA {
	return color.NRGBA{R: c.R, G: c.G, B: c.B, A: uint8(math.Round(255 * alpha))}
}

// Font sizes of every figure, the package's and the notebooks' own, in
// points. At NotebookDPI a point is 4/3 of a CSS pixel, so tick labels are
// 14 px high, the size of a notebook's body text.
const (
	titleSize  = vg.Length(12)
	labelSize  = vg.Length(11.5)
	tickSize   = vg.Length(10.5)
	legendSize = vg.Length(10.5)
	cellSize   = vg.Length(10.5)
)

// fontVariant is Liberation Sans, which reads better than gonum's default
// serif at small sizes; SVG viewers fall back to Arial or Helvetica, which
// have its metrics.
const fontVariant = "Sans"

// sans is the figures' font at the given size.
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: fontVariant, Size: size}
}

// textStyle is the figures' text style at the given size.
func textStyle(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: sans(size), Handler: plot.DefaultTextHandler}
}

// NewPlot returns a plot in the figures' style (Liberation Sans at the sizes
// every figure of this package uses), for notebooks and tools that draw
// their own plots and want them to read like the rest. Draw it with
// NewFigure.
func NewPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(titleSize)
	p.Title.Padding = vg.Points(5)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(labelSize)
		ax.Tick.Label.Font = sans(tickSize)
		ax.Tick.Length = vg.Points(4)
	}
	p.Legend.TextStyle.Font = sans(legendSize)
	p.Legend.ThumbnailWidth = vg.Points(22)
	return p
}

// minTickGap is the smallest distance, as a fraction of a log axis about
// four inches long, between two tick labels on one line.
const minTickGap = 0.07

// dataTicks ticks and labels every given value on a log axis with Count.
// Where a label would sit closer than minGap (a fraction of the axis' log
// range) to its right neighbour on the same line (128k next to 143k), it
// moves down one line, so every value keeps a readable label.
func dataTicks(values []float64, minGap float64) plot.Ticker {
	vs := slices.Clone(values)
	slices.Sort(vs)
	vs = slices.Compact(vs)
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		span := math.Log(hi) - math.Log(lo)
		ticks := make([]plot.Tick, len(vs))
		lastOnLine := [2]float64{math.Inf(1), math.Inf(1)}
		for i := len(vs) - 1; i >= 0; i-- {
			line := 0
			if span > 0 && (math.Log(lastOnLine[0])-math.Log(vs[i]))/span < minGap {
				line = 1
			}
			label := Count(vs[i])
			if line == 1 {
				label = "\n" + label
			}
			lastOnLine[line] = vs[i]
			ticks[i] = plot.Tick{Value: vs[i], Label: label}
		}
		return ticks
	})
}

// powerOfTwoTicks labels a linear axis from 0 at multiples of the smallest
// power of two that gives at most maxTicks labels, so that token counts
// such as 1024 get a tick of their own.
func powerOfTwoTicks(maxTicks int) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		step := 1.0
		for (hi-lo)/step > float64(maxTicks) {
			step *= 2
		}
		var ticks []plot.Tick
		for v := math.Ceil(lo/step) * step; v <= hi; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
		return ticks
	})
}

// unlabelled keeps a ticker's tick marks and drops their labels, for the
// inner panels of a grid whose outer panels carry the labels.
func unlabelled(t plot.Ticker) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := t.Ticks(lo, hi)
		for i := range ticks {
			ticks[i].Label = ""
		}
		return ticks
	})
}

// niceTicks labels a linear axis at round values (steps of 1, 2, 2.5 or 5
// times a power of ten), at most maxTicks of them, all with the same number
// of decimals (0.12, 0.16, 0.20 rather than 0.2), with an unlabelled tick
// halfway between labelled ones.
func niceTicks(maxTicks int) plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		if !(hi > lo) {
			return []plot.Tick{{Value: lo, Label: significant(lo, 3)}}
		}
		step, decimals := niceStep(lo, hi, maxTicks)
		var ticks []plot.Tick
		for k := math.Ceil(lo / step); k*step <= hi+1e-9*step; k++ {
			v := k * step
			if v == 0 {
				v = 0 // no "-0.00"
			}
			label := strings.Replace(strconv.FormatFloat(v, 'f', decimals, 64), "-", "−", 1)
			ticks = append(ticks, plot.Tick{Value: v, Label: label})
			if minor := v + step/2; minor < hi {
				ticks = append(ticks, plot.Tick{Value: minor})
			}
		}
		return ticks
	})
}

// niceStep returns the smallest round tick spacing that puts at most
// maxTicks ticks in [lo, hi], and the decimals its labels need.
func niceStep(lo, hi float64, maxTicks int) (step float64, decimals int) {
	if !(hi > lo) || math.IsInf(hi-lo, 0) || maxTicks < 1 {
		// One value, or no usable range: a step of the value's own order.
		step = math.Pow(10, math.Floor(math.Log10(max(math.Abs(lo), 1e-9))))
		if math.IsInf(step, 0) || math.IsNaN(step) {
			step = 1
		}
		return step, max(0, int(math.Round(-math.Log10(step))))
	}
	exp := math.Floor(math.Log10((hi - lo) / float64(maxTicks)))
	for {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step = m * math.Pow(10, exp)
			if math.Floor(hi/step)-math.Ceil(lo/step)+1 <= float64(maxTicks) {
				decimals = max(0, int(-exp))
				if m == 2.5 && exp <= 0 {
					decimals++ // 2.5, 0.25: one more digit than 2, 0.2
				}
				return step, decimals
			}
		}
		exp++
	}
}

// logPadding widens [lo, hi] by frac of its log range on both sides, so
// markers at the ends are not cut by the axes.
func logPadding(lo, hi, frac float64) (float64, float64) {
	d := (math.Log(hi) - math.Log(lo)) * frac
	if d == 0 {
		d = 0.1
	}
	return lo * math.Exp(-d), hi * math.Exp(d)
}

// linearPadding widens [lo, hi] by frac of its range on both sides; a single
// value gets a range of its own size around it.
func linearPadding(lo, hi, frac float64) (float64, float64) {
	d := (hi - lo) * frac
	if d == 0 {
		d = max(math.Abs(lo)*0.05, 1e-3)
	}
	return lo - d, hi + d
}

// rimmed draws a filled glyph on a white rim slightly larger than itself, so
// that two points that nearly coincide still read as two.
type rimmed struct{ shape draw.GlyphDrawer }

// DrawGlyph implements draw.GlyphDrawer.
func (r rimmed) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	rim := sty
	rim.Color, rim.Radius = color.White, sty.Radius+vg.Points(0.9)
	r.shape.DrawGlyph(c, rim, pt)
	r.shape.DrawGlyph(c, sty, pt)
}

// shapeFor gives series i a filled marker shape, so that series stay
// distinguishable in grey scale.
func shapeFor(i int) draw.GlyphDrawer {
	shapes := []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}
	return rimmed{shapes[i%len(shapes)]}
}
