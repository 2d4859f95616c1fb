package figures

import (
	"bytes"
	"image/color"
	"image/png"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/recorder"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// codecResult is a per-chunk, header-once baseline result of CR cr.
func codecResult(modality, rule, codec string, cr float64) baselines.Result {
	return baselines.Result{Modality: modality, Rule: rule, Codec: codec, Setting: "-9, detail", Accounting: baselines.PerChunkHeaderOnce,
		Chunks: 100, ChunkSize: 2048, CompressedBytes: int64(cr * 204800), HeaderBytes: 20}
}

func TestBaselinesFigure(t *testing.T) {
	paper, err := results.LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	b := baselines.Table{Rows: []baselines.Result{
		codecResult("image", "random-crop", "gzip", 0.76),
		codecResult("image", "random-crop", "png", 0.63),
		codecResult("image", "random-crop", "png-32wide", 0.69), // a variant: not drawn
		codecResult("image", "tiles", "png", 0.62),              // not the paper's rule: not drawn
		codecResult("speech", "pcm16", "flac", 0.51),
	}}
	ours := []results.Table{{Modality: "speech", Rows: []results.Row{{Model: "pythia-70m", Params: 70e6, Step: 143000, CR: 0.6}}}}
	fig, err := Baselines(paper.Tables, ours, "ours, lossless", b)
	if err != nil {
		t.Fatal(err)
	}
	panels := fig.plots()
	if fig.Name != BaselinesFigureName || len(panels) != 2 {
		t.Fatalf("figure %s with %d panels, want %s with 2 (image, speech)", fig.Name, len(panels), BaselinesFigureName)
	}
	if !strings.HasPrefix(panels[0].Title.Text, "image (random-crop)") {
		t.Errorf("first panel %q, want image's", panels[0].Title.Text)
	}
	data, err := fig.PNG(72)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := fig.PixelSize(72); img.Bounds().Dx() != w || img.Bounds().Dy() != h {
		t.Errorf("PNG %v, want %dx%d", img.Bounds(), w, h)
	}
	if _, err := Baselines(paper.Tables, nil, "", baselines.Table{}); err == nil {
		t.Error("no baselines: want an error")
	}

	// The figure says what the codecs' and the models' CR count, and where
	// the models' cells come from.
	text := strings.Join(strs(drawText(t, fig)), "\n")
	for _, want := range []string{
		"image (random-crop): codecs per chunk, header counted once",
		"only the first 1024 tokens of a chunk, its bytes cut to 7 bits (b mod 128)",
		"paper, Tables 3-4, step 143k", // the two panels' tables
		"ours, lossless, step 143k",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the figure does not say %q:\n%s", want, text)
		}
	}
	// Each key sample is drawn in the colours of the panels it stands for:
	// the paper's in image's and speech's, ours in speech's only.
	for i, want := range [][]color.Color{{colorOf("image", 1), colorOf("speech", 2)}, {colorOf("speech", 2)}} {
		rec := &recorder.Canvas{}
		dc := draw.NewCanvas(rec, 24, 10)
		for _, th := range fig.key[i].thumbs {
			th.Thumbnail(&dc)
		}
		var got []color.Color
		for _, a := range rec.Actions {
			if c, ok := a.(*recorder.SetColor); ok && !slices.Contains(got, c.Color) {
				got = append(got, c.Color)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("key entry %q drawn in %v, want the panels' colours %v", fig.key[i].label, got, want)
		}
	}
}

// TestCodecLabelsDoNotOverlap checks that labels of codecs with nearly the
// same CR are spread apart, in the order of their lines.
func TestCodecLabelsDoNotOverlap(t *testing.T) {
	p := NewPlot("", "", "")
	codecs := []baselines.Result{
		codecResult("text", "consecutive", "xz", 0.499),
		codecResult("text", "consecutive", "gzip", 0.478),
		codecResult("text", "consecutive", "zstd", 0.481),
	}
	labels, err := codecLines(p, codecs, 1, 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	gap := 0.06 * (0.499 - 0.478)
	y := func(i int) float64 { return labels.XYs[i].Y }
	if !(y(1) < y(2) && y(2) < y(0)) || y(2)-y(1) < gap*0.999 || y(0)-y(2) < gap*0.999 {
		t.Errorf("label heights gzip %g, zstd %g, xz %g: want increasing at least %g apart", y(1), y(2), y(0), gap)
	}
	if labels.Labels[0] != "xz -9  0.499" {
		t.Errorf("label %q, want the codec, its level and its CR", labels.Labels[0])
	}
}
