package figures

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// colorBar is a vertical colour bar panel: the scale's colours from lo at
// the bottom to hi at the top, ticks and values on its right, and its label
// beside them.
type colorBar struct {
	scale scale
	label string
}

// colorBarTicks is the most labelled values on a colour bar.
const colorBarTicks = 6

// Room on the right of a colour bar for its ticks, values and label.
const (
	barTickLength = vg.Length(4)
	barTextGap    = vg.Length(3)
)

func (b colorBar) ticks() []plot.Tick {
	return niceTicks(colorBarTicks).Ticks(b.scale.lo, b.scale.hi)
}

func (b colorBar) dataArea(c draw.Canvas) vg.Rectangle {
	valueStyle, labelStyle := textStyle(tickSize), textStyle(labelSize)
	var widest vg.Length
	for _, t := range b.ticks() {
		widest = max(widest, valueStyle.Width(t.Label))
	}
	right := barTickLength + barTextGap + widest
	if b.label != "" {
		right += 2*barTextGap + labelStyle.Height(b.label)
	}
	r := c.Rectangle
	r.Max.X -= right
	return r
}

func (b colorBar) draw(c draw.Canvas) {
	da := b.dataArea(c)
	h := da.Max.Y - da.Min.Y
	const strips = 128
	for k := range strips {
		lo := da.Min.Y + h*vg.Length(k)/strips
		hi := da.Min.Y + h*vg.Length(k+1)/strips
		c.SetColor(b.scale.colors.at((float64(k) + 0.5) / strips))
		// Overlap the next strip a little so no seam shows between them.
		c.Fill(vg.Rectangle{Min: vg.Point{X: da.Min.X, Y: lo}, Max: vg.Point{X: da.Max.X, Y: min(hi+0.3, da.Max.Y)}}.Path())
	}
	line := draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}
	c.SetLineStyle(line)
	c.Stroke(da.Path())

	valueStyle := textStyle(tickSize)
	valueStyle.YAlign = draw.YCenter
	var widest vg.Length
	for _, t := range b.ticks() {
		y := da.Min.Y + h*vg.Length((t.Value-b.scale.lo)/(b.scale.hi-b.scale.lo))
		length := barTickLength
		if t.Label == "" {
			length /= 2
		}
		c.StrokeLine2(line, da.Max.X, y, da.Max.X+length, y)
		if t.Label != "" {
			c.FillText(valueStyle, vg.Point{X: da.Max.X + barTickLength + barTextGap, Y: y}, t.Label)
			widest = max(widest, valueStyle.Width(t.Label))
		}
	}
	if b.label != "" {
		labelStyle := textStyle(labelSize)
		labelStyle.Rotation = math.Pi / 2
		labelStyle.XAlign, labelStyle.YAlign = draw.XCenter, draw.YTop
		x := da.Max.X + barTickLength + 3*barTextGap + widest
		c.FillText(labelStyle, vg.Point{X: x, Y: (da.Min.Y + da.Max.Y) / 2}, b.label)
	}
}
