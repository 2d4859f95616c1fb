package figures

import (
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// viridisAnchors are nine evenly spaced colours of matplotlib's viridis map:
// perceptually uniform, readable in grey scale and by colour-blind readers,
// dark for low values, so better compression (lower CR) is darker as in the
// paper's Figure 1.
var viridisAnchors = []color.RGBA{
	{0x44, 0x01, 0x54, 0xff}, {0x47, 0x2d, 0x7b, 0xff}, {0x3b, 0x52, 0x8b, 0xff},
	{0x2c, 0x72, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x28, 0xae, 0x80, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0xad, 0xdc, 0x30, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// viridis is a palette.Palette of n colours interpolated along viridis.
type viridis int

// Colors implements palette.Palette.
func (n viridis) Colors() []color.Color {
	out := make([]color.Color, int(n))
	for i := range out {
		out[i] = viridisAt(float64(i) / float64(max(int(n)-1, 1)))
	}
	return out
}

// viridisAt is the viridis colour at t in [0, 1].
func viridisAt(t float64) color.RGBA {
	t = min(max(t, 0), 1)
	pos := t * float64(len(viridisAnchors)-1)
	i := min(int(pos), len(viridisAnchors)-2)
	f := pos - float64(i)
	a, b := viridisAnchors[i], viridisAnchors[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// textColorOn returns black or white, whichever reads better on bg.
func textColorOn(bg color.RGBA) color.Color {
	luminance := 0.2126*float64(bg.R) + 0.7152*float64(bg.G) + 0.0722*float64(bg.B)
	if luminance > 140 {
		return color.Black
	}
	return color.White
}

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

// Font sizes used in every figure, chosen to stay readable when a figure is
// shrunk to a column width.
const (
	titleSize  = vg.Length(13)
	labelSize  = vg.Length(12)
	tickSize   = vg.Length(10.5)
	legendSize = vg.Length(10)
	cellSize   = vg.Length(11)
)

// fontVariant is Liberation Sans, which reads better than gonum's default
// serif at small sizes.
const fontVariant = "Sans"

// newPlot returns a plot with the figures' common text sizes.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font.Size = titleSize
	p.Title.TextStyle.Font.Variant = fontVariant
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font.Size = labelSize
		ax.Label.TextStyle.Font.Variant = fontVariant
		ax.Tick.Label.Font.Size = tickSize
		ax.Tick.Label.Font.Variant = fontVariant
	}
	p.Legend.TextStyle.Font.Size = legendSize
	p.Legend.TextStyle.Font.Variant = fontVariant
	return p
}

// dataTicks labels the given data values on a log axis with Count. Where
// two values sit closer than minGap of the axis' log range (128k next to
// 143k), the smaller keeps only an unlabelled tick mark so labels never
// overlap.
func dataTicks(values []float64, minGap float64) plot.Ticker {
	vs := slices.Clone(values)
	slices.Sort(vs)
	vs = slices.Compact(vs)
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		span := math.Log(hi) - math.Log(lo)
		ticks := make([]plot.Tick, len(vs))
		last := math.Inf(1)
		for i := len(vs) - 1; i >= 0; i-- {
			ticks[i] = plot.Tick{Value: vs[i]}
			if span <= 0 || (math.Log(last)-math.Log(vs[i]))/span >= minGap {
				ticks[i].Label = Count(vs[i])
				last = vs[i]
			}
		}
		return ticks
	})
}

// crTicks labels the CR axis at round values (steps of 1, 2, 2.5 or 5
// times a power of ten), as many as fit up to maxCRTicks, all with the same
// number of decimals (0.12, 0.16, 0.20 rather than 0.2).
func crTicks() plot.Ticker {
	return plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		if !(hi > lo) {
			return []plot.Tick{{Value: lo, Label: significant(lo, 3)}}
		}
		step, decimals := niceStep(lo, hi)
		var ticks []plot.Tick
		for k := math.Ceil(lo / step); k*step <= hi+1e-9*step; k++ {
			v := k * step
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', decimals, 64)})
			if minor := v + step/2; minor < hi {
				ticks = append(ticks, plot.Tick{Value: minor})
			}
		}
		return ticks
	})
}

// maxCRTicks is the most labelled ticks on a CR axis.
const maxCRTicks = 7

// niceStep returns the smallest round tick spacing that puts at most
// maxCRTicks ticks in [lo, hi], and the decimals its labels need.
func niceStep(lo, hi float64) (step float64, decimals int) {
	exp := math.Floor(math.Log10((hi - lo) / maxCRTicks))
	for {
		for _, m := range []float64{1, 2, 2.5, 5} {
			step = m * math.Pow(10, exp)
			if math.Floor(hi/step)-math.Ceil(lo/step)+1 <= maxCRTicks {
				decimals = max(0, int(-exp))
				if m == 2.5 {
					decimals++
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
