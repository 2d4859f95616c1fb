package notebook

import (
	"bytes"
	"image/png"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// checkoutTokenizer loads Pythia's tokenizer from the checkout's testdata/.
func checkoutTokenizer(t *testing.T) *tokenize.Tokenizer {
	t.Helper()
	tok, err := tokenize.Load(filepath.Join(DefaultPlaces().Repo, "testdata", "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestContextModelCodesAndDecodes(t *testing.T) {
	data := []byte(strings.Repeat("the cat sat on the mat; ", 20))
	var ratios []float64
	for order := range 4 {
		r := CompressBytes(data, order)
		if got := DecompressBytes(r.Stream, len(data), order); !bytes.Equal(got, data) {
			t.Fatalf("order %d: decoded %q", order, got)
		}
		// The coder reaches the ideal within a few bits.
		if math.Abs(r.Bits()-r.IdealBits) > 16 || len(r.Surprise) != len(data) {
			t.Errorf("order %d: %v coded bits for %v ideal", order, r.Bits(), r.IdealBits)
		}
		ratios = append(ratios, r.Bits()/float64(8*len(data)))
	}
	for i := 1; i < len(ratios); i++ {
		if ratios[i] >= ratios[i-1] {
			t.Errorf("a longer context compresses repeated text no better: %v", ratios)
		}
	}
	// Having seen "th" followed by "e" only, order 2 puts most of its mass on "e".
	m := NewContextModel(2)
	for i, b := range data {
		m.Update(data[:i], b)
	}
	if p := math.Exp(float64(m.LogProbs([]byte("th"))['e'])); p < 0.9 {
		t.Errorf("p(e | th) = %v", p)
	}
	table, worst, exact, byOrder := ContextCodingTable(data, []int{0, 3})
	if len(table.Rows) != 2 || !exact || worst > 16 || byOrder[3] >= byOrder[0] {
		t.Errorf("ContextCodingTable: exact %v, worst %v, ratios %v", exact, worst, byOrder)
	}
}

func TestShadedTextIsAPictureOfTheLines(t *testing.T) {
	text := []byte("ab\ncdefg")
	bits := []float64{0, 10, 0, 1, 2, 3, 4, 20}
	three, err := png.Decode(bytes.NewReader(ShadedText(text, bits, 10, 3)))
	if err != nil {
		t.Fatal(err)
	}
	one, err := png.Decode(bytes.NewReader(ShadedText(text[:2], bits[:2], 10, 3)))
	if err != nil {
		t.Fatal(err)
	}
	// Three lines ("ab", "cde", "fg") of three columns, against one line.
	if a, b := three.Bounds(), one.Bounds(); a.Dx() != b.Dx() || a.Dy() < 2*b.Dy() {
		t.Errorf("three lines %v, one line %v", a, b)
	}
	if got := textLines(text, 3); len(got) != 3 || len(got[1]) != 3 || got[2][0] != 6 {
		t.Errorf("textLines = %v", got)
	}
}

func TestPicturesOfTheData(t *testing.T) {
	chunk := make([]byte, 2048)
	for i := range chunk {
		chunk[i] = byte(i)
	}
	img := Patches([][]byte{chunk, chunk, chunk}, 2, 2, func(int) int { return 1024 })
	// Two columns and two rows of 64×32 patches with a 4-pixel gap, doubled.
	if b := img.Bounds(); b.Dx() != 2*68*2 || b.Dy() != 2*36*2 {
		t.Errorf("Patches bounds %v", b)
	}
	if c := img.RGBAAt(2, 0); c.R != 1 || c.G != 1 { // pixel 1 of row 0, plain gray
		t.Errorf("a scored pixel: %v", c)
	}
	if c := img.RGBAAt(0, 16*2); c.R == c.B { // row 16 starts byte 1024: tinted
		t.Errorf("an unscored pixel is not tinted: %v", c)
	}
	if got := Samples([]byte{0x01, 0x00, 0xff, 0xff, 0x00, 0x80}); len(got) != 3 || got[0] != 1 || got[1] != -1 || got[2] != -32768 {
		t.Errorf("Samples = %v", got)
	}
	if got := Visible(0) + Visible(' ') + Visible('a') + Visible(127); got != "␀␣a␡" {
		t.Errorf("Visible = %q", got)
	}
	rows := Mod128Rows("x", []byte{0x41, 0xc1, 0x0a})
	if rows[0][2].Text != "`41 c1 0a`" || rows[1][1].Text != "`A A ␊`" {
		t.Errorf("Mod128Rows = %+v", rows)
	}
	if got := Wrap("one two three four\nfive", 9); got != "one two\nthree\nfour\nfive" {
		t.Errorf("Wrap = %q", got)
	}
}

func TestTokensOfChunks(t *testing.T) {
	tok := checkoutTokenizer(t)
	text := bytes.Repeat([]byte("Hello world. "), 160)[:2048] // a few bytes per token
	noise := make([]byte, 2048)
	for i := range noise {
		noise[i] = byte(i * 37 % 251)
	}
	src := bytesSource{text, noise}
	counts, over := CountTokens(tok, src)
	if len(counts.Counts) != 2 || counts.Counts[0] > 1024 || counts.Counts[1] <= 1024 || over != 1 {
		t.Errorf("CountTokens = %v, %d over the cut", counts.Counts, over)
	}
	if got := CountsLine(counts, over); !strings.HasSuffix(got, "1 of 2 chunks go past the cut") {
		t.Errorf("CountsLine = %q", got)
	}
	if ScoredBytes(tok, text) != 2048 || ScoredBytes(tok, noise) >= 2048 {
		t.Errorf("ScoredBytes: all of the text, part of the noise: %d, %d", ScoredBytes(tok, text), ScoredBytes(tok, noise))
	}
	cut := Truncate(tok, src)
	if cut.Over != 1 || cut.Chunks != 2 || cut.Unscored <= 0 || cut.BytesPerToken != BytesPerToken(tok, src) {
		t.Errorf("Truncate = %+v", cut)
	}
	html := TokenPiecesHTML(tok, "text", text, 4)
	if !strings.HasPrefix(html, "<p><b>text</b>: ") || strings.Count(html, "<mark>") != 2 || !strings.Contains(html, "Hello") {
		t.Errorf("TokenPiecesHTML = %s", html)
	}
	if got := HighBytes(bytesSource{{1, 128, 255, 127}}); got != 0.5 {
		t.Errorf("HighBytes = %v", got)
	}
}
