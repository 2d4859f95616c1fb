package notebook

import (
	"bytes"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"slices"
	"strings"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// The figures' colours: grey for context, vermillion for what a plot is
// about.
var (
	Grey       = color.RGBA{90, 90, 90, 255}
	Vermillion = color.RGBA{0xd5, 0x5e, 0x00, 255}
)

// The image chunks' shape at the defaults: 32 rows of 64 one-byte pixels.
const (
	patchWidth  = datasets.DefaultPatchWidth
	patchHeight = datasets.DefaultChunkSize / datasets.DefaultPatchWidth
)

// EncodePNG encodes an image as PNG.
func EncodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	Check(png.Encode(&buf, img))
	return buf.Bytes()
}

// Patches draws image chunks as the pictures they are, cols to a row,
// magnified zoom times, on white with a gap between them. tint, when not
// nil, says for chunk k how many of its first bytes to draw plainly: the
// rest is blended with vermillion, keeping its detail.
func Patches(chunks [][]byte, cols, zoom int, tint func(k int) int) *image.RGBA {
	const gap = 4
	rows := (len(chunks) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cols*(patchWidth+gap)*zoom, rows*(patchHeight+gap)*zoom))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	mix := func(g, v uint8) uint8 { return uint8((55*int(g) + 45*int(v)) / 100) }
	for k, chunk := range chunks {
		plain := len(chunk)
		if tint != nil {
			plain = tint(k)
		}
		x0, y0 := (k%cols)*(patchWidth+gap)*zoom, (k/cols)*(patchHeight+gap)*zoom
		for y := range patchHeight * zoom {
			for x := range patchWidth * zoom {
				i := (y/zoom)*patchWidth + x/zoom
				g := chunk[i]
				c := color.RGBA{g, g, g, 255}
				if i >= plain {
					c = color.RGBA{mix(g, Vermillion.R), mix(g, Vermillion.G), mix(g, Vermillion.B), 255}
				}
				img.Set(x0+x, y0+y, c)
			}
		}
	}
	return img
}

// ReadChunks reads a source's first n chunks (all when it holds fewer).
func ReadChunks(src datasets.Source, n int) [][]byte {
	var out [][]byte
	for i := range min(n, src.NumChunks()) {
		out = append(out, Must(src.Chunk(i)))
	}
	return out
}

// The speech chunks' format: 16-bit little-endian samples at LibriSpeech's
// 16 kHz.
const (
	BytesPerSample = 2
	SampleRate     = 16000
)

// Samples decodes little-endian int16 PCM.
func Samples(b []byte) []float64 {
	out := make([]float64, len(b)/2)
	for i := range out {
		out[i] = float64(int16(uint16(b[2*i]) | uint16(b[2*i+1])<<8))
	}
	return out
}

// Waveform is a line of samples s, the first being sample number first of
// its stream, against time in units of perUnit samples (SampleRate:
// seconds), in colour c.
func Waveform(s []float64, first int, perUnit float64, c color.Color, width vg.Length) *plotter.Line {
	xy := make(plotter.XYs, len(s))
	for i, v := range s {
		xy[i] = plotter.XY{X: float64(first+i) / perUnit, Y: v}
	}
	line := Must(plotter.NewLine(xy))
	line.Color, line.Width = c, width
	return line
}

// SpeechPlot draws samples against time in grey, those in [from, to) in
// vermillion (the part the plot is about), in a notebook-wide figure.
// perUnit is samples per unit of time (SampleRate: seconds).
func SpeechPlot(title, timeLabel string, s []float64, from, to int, perUnit float64) (figures.Figure, error) {
	plt := figures.NewPlot(title, timeLabel, "sample value (int16)")
	plt.Add(Waveform(s, 0, perUnit, Grey, vg.Points(0.6)), Waveform(s[from:to], from, perUnit, Vermillion, vg.Points(0.8)))
	return figures.NewFigure("speech", 10*vg.Inch, 3*vg.Inch, plt)
}

// Visible draws a chr(b % 128) character so that it shows: a control
// character as its Unicode control picture (␀ … ␟, ␡), a space as ␣.
func Visible(c byte) string {
	switch {
	case c < 32:
		return string(rune(0x2400 + int(c)))
	case c == 127:
		return "␡"
	case c == ' ':
		return "␣"
	}
	return string(rune(c))
}

// Mod128Rows are two table rows for a chunk's first bytes: the bytes in
// hex, and the characters chr(b % 128) makes of them.
func Mod128Rows(label string, chunk []byte) [][]Cell {
	var hex, chars []string
	text := protocol.Mod128(chunk)
	for i := range len(text) {
		hex = append(hex, fmt.Sprintf("%02x", chunk[i]))
		chars = append(chars, Visible(text[i]))
	}
	code := func(parts []string) string { return "`" + strings.Join(parts, " ") + "`" }
	return [][]Cell{
		{{Text: label, RowSpan: 2}, {Text: "bytes"}, {Text: code(hex)}},
		{{Text: "text"}, {Text: code(chars)}},
	}
}

// TokenPiecesHTML shows how a chunk tokenizes: a line saying how many
// tokens it became, then its first n tokens' text, every other token
// marked so that their boundaries show.
func TokenPiecesHTML(tok *tokenize.Tokenizer, label string, chunk []byte, n int) string {
	ids := Must(protocol.Seed{Tokenizer: tok, MaxTokens: -1}.Tokens(chunk))
	var b strings.Builder
	fmt.Fprintf(&b, "<p><b>%s</b>: %d tokens for %d bytes (%.2f bytes per token)<br><code>", html.EscapeString(label), len(ids), len(chunk), float64(len(chunk))/float64(len(ids)))
	for i, id := range ids[:min(len(ids), n)] {
		var piece strings.Builder
		for _, c := range Must(tok.DecodeBytes([]int{id})) {
			piece.WriteString(Visible(c))
		}
		text := html.EscapeString(piece.String())
		if i%2 == 1 {
			text = "<mark>" + text + "</mark>"
		}
		b.WriteString(text)
	}
	b.WriteString("…</code></p>")
	return b.String()
}

// CountTokens counts the tokens of each of a source's chunks before the
// paper's cut (protocol.Seed without MaxTokens), and how many go past it.
func CountTokens(tok *tokenize.Tokenizer, src datasets.Source) (counts figures.TokenCounts, over int) {
	all := protocol.Seed{Tokenizer: tok, MaxTokens: -1}
	counts.Modality = src.Modality()
	for i := range src.NumChunks() {
		n := len(Must(all.Tokens(Must(src.Chunk(i)))))
		counts.Counts = append(counts.Counts, n)
		if n > protocol.PaperMaxTokens {
			over++
		}
	}
	return counts, over
}

// CountsLine summarises token counts: "median 523 tokens (400 – 1117); 1
// of 256 chunks go past the cut".
func CountsLine(c figures.TokenCounts, over int) string {
	s := slices.Sorted(slices.Values(c.Counts))
	return fmt.Sprintf("median %d tokens (%d – %d); %d of %d chunks go past the cut", s[len(s)/2], s[0], s[len(s)-1], over, len(s))
}

// ScoredBytes is how many of a chunk's bytes the paper's protocol scores:
// the bytes its first PaperMaxTokens tokens stand for.
func ScoredBytes(tok *tokenize.Tokenizer, chunk []byte) int {
	ids := Must(protocol.Seed{Tokenizer: tok}.Tokens(chunk))
	return len(Must(tok.DecodeBytes(ids)))
}

// Wrap breaks text's lines longer than width characters at their last space
// before width (or at width, in a word longer than that), so that a <pre>
// shows it without a horizontal scroll bar (a sanitised output can carry
// no style to wrap it).
func Wrap(text string, width int) string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		r := []rune(line)
		for len(r) > width {
			cut := width
			if i := strings.LastIndex(string(r[:width]), " "); i > 0 {
				cut = len([]rune(string(r[:width])[:i])) + 1
			}
			out = append(out, strings.TrimRight(string(r[:cut]), " "))
			r = r[cut:]
		}
		out = append(out, string(r))
	}
	return strings.Join(out, "\n")
}
