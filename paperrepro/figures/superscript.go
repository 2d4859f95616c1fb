package figures

import (
	"math"
	"strings"

	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
)

// superscripts is a text handler that draws "^{...}" as a superscript, so
// that a fitted law reads CR = a + b·P^{−α} in the figures' own sans-serif
// font (gonum's LaTeX handler would switch to a serif one, and panics on
// text it cannot parse). Everything else, including an unmatched "^{", is
// drawn as plain text.
type superscripts struct{ text.Plain }

const (
	supScale = 0.72 // superscript size, relative to the text's
	supRaise = 0.36 // superscript baseline shift, in units of the text's size
)

// run is a piece of a line in one position: on the baseline or raised.
type run struct {
	s   string
	sup bool
}

// runs splits a line into plain and superscript pieces.
func runs(line string) []run {
	var out []run
	for line != "" {
		i := strings.Index(line, "^{")
		j := -1
		if i >= 0 {
			j = strings.IndexByte(line[i:], '}')
		}
		if i < 0 || j < 0 {
			out = append(out, run{s: line})
			break
		}
		if i > 0 {
			out = append(out, run{s: line[:i]})
		}
		out = append(out, run{s: line[i+2 : i+j], sup: true})
		line = line[i+j+1:]
	}
	return out
}

// runFont is the font and baseline shift of a run of text in fnt.
func runFont(r run, fnt font.Font) (font.Font, vg.Length) {
	if !r.sup {
		return fnt, 0
	}
	f := fnt
	f.Size = fnt.Size * supScale
	return f, fnt.Size * supRaise
}

// Box implements text.Handler for one line.
func (h superscripts) Box(txt string, fnt font.Font) (width, height, depth vg.Length) {
	_, height, depth = h.Plain.Box("", fnt)
	for _, r := range runs(txt) {
		f, raise := runFont(r, fnt)
		w, ht, _ := h.Plain.Box(r.s, f)
		width += w
		height = max(height, raise+ht)
	}
	return width, height, depth
}

// Draw implements text.Handler.
func (h superscripts) Draw(c vg.Canvas, txt string, sty text.Style, pt vg.Point) {
	txt = strings.TrimRight(txt, "\n")
	if txt == "" {
		return
	}
	c.SetColor(sty.Color)
	if sty.Rotation != 0 {
		c.Push()
		defer c.Pop()
		c.Rotate(sty.Rotation)
	}
	sin64, cos64 := math.Sincos(sty.Rotation)
	sin, cos := vg.Length(sin64), vg.Length(cos64)
	pt.X, pt.Y = pt.Y*sin+pt.X*cos, pt.Y*cos-pt.X*sin

	// Lines stack as Style.Height measures them: each line's own height
	// and depth (a superscript makes a line taller), one line gap apart.
	lines := h.Lines(txt)
	e := h.Extents(sty.Font)
	gap := e.Height - e.Ascent - e.Descent
	baseline := pt.Y + sty.Height(txt)*vg.Length(sty.YAlign) // bottom of the last line
	for i := len(lines) - 1; i >= 0; i-- {
		width, height, depth := h.Box(lines[i], sty.Font)
		baseline += depth
		at := vg.Point{X: pt.X + vg.Length(sty.XAlign)*width, Y: baseline}
		for _, r := range runs(lines[i]) {
			f, raise := runFont(r, sty.Font)
			face := h.Fonts.Lookup(f, f.Size)
			c.FillString(face, at.Add(vg.Point{Y: raise}), r.s)
			at.X += face.Width(r.s)
		}
		baseline += height + gap
	}
}
