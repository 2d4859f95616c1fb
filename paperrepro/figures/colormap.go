package figures

import (
	"image/color"
	"math"
)

// colorMap is a continuous colour scale, linearly interpolated between
// evenly spaced anchors: at(0) is the first anchor, at(1) the last.
type colorMap []color.RGBA

// viridis is matplotlib's viridis map at nine evenly spaced points:
// perceptually uniform, readable in grey scale and by colour-blind readers,
// dark for low values, so better compression (lower CR) is darker as in the
// paper's Figure 1.
var viridis = colorMap{
	{0x44, 0x01, 0x54, 0xff}, {0x47, 0x2d, 0x7b, 0xff}, {0x3b, 0x52, 0x8b, 0xff},
	{0x2c, 0x72, 0x8e, 0xff}, {0x21, 0x91, 0x8c, 0xff}, {0x28, 0xae, 0x80, 0xff},
	{0x5e, 0xc9, 0x62, 0xff}, {0xad, 0xdc, 0x30, 0xff}, {0xfd, 0xe7, 0x25, 0xff},
}

// blueWhiteRed is ColorBrewer's RdBu diverging map reversed (blue for
// negative, white at the middle, red for positive), safe for colour-blind
// readers: residuals below the fit are blue, above it red.
var blueWhiteRed = colorMap{
	{0x05, 0x30, 0x61, 0xff}, {0x21, 0x66, 0xac, 0xff}, {0x43, 0x93, 0xc3, 0xff},
	{0x92, 0xc5, 0xde, 0xff}, {0xd1, 0xe5, 0xf0, 0xff}, {0xf7, 0xf7, 0xf7, 0xff},
	{0xfd, 0xdb, 0xc7, 0xff}, {0xf4, 0xa5, 0x82, 0xff}, {0xd6, 0x60, 0x4d, 0xff},
	{0xb2, 0x18, 0x2b, 0xff}, {0x67, 0x00, 0x1f, 0xff},
}

// at is the map's colour at t, clamped to [0, 1]; NaN gives the first
// anchor.
func (m colorMap) at(t float64) color.RGBA {
	if math.IsNaN(t) {
		t = 0
	}
	t = min(max(t, 0), 1)
	pos := t * float64(len(m)-1)
	i := min(int(pos), len(m)-2)
	f := pos - float64(i)
	a, b := m[i], m[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// scale maps values in [lo, hi] onto a colour map.
type scale struct {
	colors colorMap
	lo, hi float64
}

// color is v's colour on the scale.
func (s scale) color(v float64) color.RGBA { return s.colors.at((v - s.lo) / (s.hi - s.lo)) }

// textColorOn returns black or white, whichever reads better on bg.
func textColorOn(bg color.RGBA) color.Color {
	luminance := 0.2126*float64(bg.R) + 0.7152*float64(bg.G) + 0.0722*float64(bg.B)
	if luminance > 140 {
		return color.Black
	}
	return color.White
}
