package notebook

import (
	"bytes"
	"image/color"
	"math"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/vgimg"
)

// ShadedText draws text as a PNG, each character on a background that
// deepens from white to dark red with its cost in bits (full at maxBits
// and above), in Liberation Mono, lines broken at newlines and after cols
// characters. It is an image because an untrusted notebook strips the
// inline styles per-character shading in HTML needs. A byte outside
// printable ASCII shows as "·".
func ShadedText(text []byte, bits []float64, maxBits float64, cols int) []byte {
	face := font.DefaultCache.Lookup(font.Font{Typeface: "Liberation", Variant: "Mono", Size: vg.Points(11)}, vg.Points(11))
	cw, lh := face.Width("M"), 1.45*face.Font.Size
	const margin = 4
	lines := textLines(text, cols)
	w := vg.Length(cols)*cw + 2*margin
	h := vg.Length(len(lines))*lh + 2*margin
	c := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(2*96), vgimg.UseBackgroundColor(color.White))}
	for row, line := range lines {
		y := h - margin - vg.Length(row+1)*lh
		for col, i := range line {
			x := margin + vg.Length(col)*cw
			t := math.Min(bits[i]/maxBits, 1)
			c.SetColor(color.RGBA{shadeOf(255, 200, t), shadeOf(255, 30, t), shadeOf(255, 30, t), 255})
			c.Fill(rect(x, y, cw, lh))
			ink := color.Color(color.Black)
			if t > 0.6 {
				ink = color.White
			}
			c.SetColor(ink)
			c.FillString(face, vg.Point{X: x, Y: y + 0.3*lh}, printable(text[i]))
		}
	}
	var buf bytes.Buffer
	Must(c.WriteTo(&buf))
	return buf.Bytes()
}

// textLines splits text into lines of byte indices, at newlines (which are
// not drawn) and after cols bytes.
func textLines(text []byte, cols int) [][]int {
	lines := [][]int{nil}
	for i, b := range text {
		last := len(lines) - 1
		switch {
		case b == '\n':
			lines = append(lines, nil)
		case len(lines[last]) == cols:
			lines = append(lines, []int{i})
		default:
			lines[last] = append(lines[last], i)
		}
	}
	return lines
}

// shadeOf blends from white (at t = 0) to full (at t = 1).
func shadeOf(white, full uint8, t float64) uint8 {
	return uint8(math.Round(float64(white) + t*(float64(full)-float64(white))))
}

func rect(x, y, w, h vg.Length) vg.Path {
	var p vg.Path
	p.Move(vg.Point{X: x, Y: y})
	p.Line(vg.Point{X: x + w, Y: y})
	p.Line(vg.Point{X: x + w, Y: y + h})
	p.Line(vg.Point{X: x, Y: y + h})
	p.Close()
	return p
}

// printable is b as a character to draw: itself in printable ASCII, else
// "·" (a tab, a byte of a multi-byte UTF-8 character).
func printable(b byte) string {
	if b >= 32 && b < 127 {
		return string(rune(b))
	}
	return "·"
}
