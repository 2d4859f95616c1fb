package notebook

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// LargestSample opens every chunk of a modality's data under opts (its
// Count is ignored) in each place that holds the data, and returns the
// source with the most chunks and where it was found. The cells that ask
// how a codec's ratio depends on the sample read the most chunks there are;
// every other cell reads the first place's (see the package doc). When no
// place holds the data it shows what is missing (see Available) and returns
// ok false.
func LargestSample(modality string, opts datasets.Options) (src datasets.Source, found Found, ok bool) {
	places, err := DefaultPlaces().AllData(modality)
	if !Available(err) {
		return nil, Found{}, false
	}
	opts.Count = allChunks
	for _, f := range places {
		opts.Path = f.Path
		s, err := openUpTo(modality, opts)
		if !Available(err) {
			return nil, Found{}, false
		}
		if src == nil || s.NumChunks() > src.NumChunks() {
			src, found = s, f
		}
	}
	return src, found, true
}

// allChunks is a count of chunks beyond any data set's, which openUpTo
// turns into all the chunks it holds (datasets.TooFewChunksError says how
// many).
const allChunks = 1 << 20

// SampleCurve is a codec's sample-size curve (baselines.SampleSizeCurve)
// on the chunks of one of Delétang et al.'s rules, beside their published
// figure for that codec.
type SampleCurve struct {
	Published baselines.Published
	// Rule, Codec and Setting say which chunks and which codec of ours.
	Rule, Codec, Setting string
	// Found is where the chunks were read, Files how many files they come
	// from.
	Found Found
	Files int
	// Implementation names the codec's library or tool and its version.
	Implementation string
	Points         []baselines.SamplePoint
}

// Range returns the lowest and highest ratio (header counted once) along
// the curve.
func (c SampleCurve) Range() (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range c.Points {
		lo, hi = min(lo, p.HeaderOnce), max(hi, p.HeaderOnce)
	}
	return lo, hi
}

// Last is the curve's point on all its chunks.
func (c SampleCurve) Last() baselines.SamplePoint { return c.Points[len(c.Points)-1] }

// DeletangCurves measures, for each of Delétang et al.'s published figures
// (baselines.DeletangPublished), the sample-size curve of every codec of
// ours that matches it (the codec, or a variant such as png-32wide, as
// baselines.ComparePublished pairs them) on the largest sample here under
// their rule (LargestSample), at baselines.SampleCounts. A modality whose
// data is not here is left out (its cell has said what fetches it).
func DeletangCurves() []SampleCurve {
	var out []SampleCurve
	for _, pub := range baselines.DeletangPublished {
		rule := baselines.DeletangRules[pub.Modality]
		src, found, ok := LargestSample(pub.Modality, datasets.Options{Rule: rule})
		if !ok {
			continue
		}
		for _, codec := range Must(baselines.CodecsFor(src.Provenance())) {
			if codec.Name() != pub.Codec && !strings.HasPrefix(codec.Name(), pub.Codec+"-") {
				continue
			}
			points, err := baselines.SampleSizeCurve(context.Background(), src, codec, baselines.SampleCounts(src.NumChunks()))
			if !Available(err) {
				continue
			}
			out = append(out, SampleCurve{Published: pub, Rule: rule, Codec: codec.Name(), Setting: codec.Setting(),
				Found: found, Files: len(src.Provenance().Files), Implementation: Must(codec.Implementation(context.Background())), Points: points})
		}
	}
	return out
}

// SampleSizeTable sets out the curves: per codec the data it compressed
// and, per number of chunks, its ratio with the header counted once
// (Delétang et al.'s accounting) and with every chunk's header, beside
// their published figure, cited.
func SampleSizeTable(curves []SampleCurve) Table {
	t := NewTable([]string{"chunks of", "codec", "chunks", "CR, header once", "CR, every header", "published"})
	for _, c := range curves {
		n := len(c.Points)
		for i, p := range c.Points {
			var row []Cell
			if i == 0 {
				row = []Cell{
					{Text: fmt.Sprintf("%s, rule `%s`: %d files from %s", c.Published.Modality, c.Rule, c.Files, c.Found), RowSpan: n},
					{Text: fmt.Sprintf("%s (%s)", c.Codec, c.Setting), RowSpan: n},
				}
			}
			row = append(row, Row(fmt.Sprint(p.Chunks), fmt.Sprintf("%.4f", p.HeaderOnce), fmt.Sprintf("%.4f", p.WithHeaders))...)
			if i == 0 {
				row = append(row, Cell{Text: c.Published.Cited().Markdown(), RowSpan: n})
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t
}

// GrayComparison is PNG 32 pixels wide (Delétang et al.'s shape) on the
// same tiles made gray by the paper's rule (PIL's luma) and by Delétang et
// al.'s (the mean of R, G and B), every chunk alone with the header once.
type GrayComparison struct {
	Chunks     int
	Found      Found
	Luma, Mean float64
}

// CompareGray measures the GrayComparison on the largest sample of tiles
// here (LargestSample); ok is false when no image data is here.
func CompareGray() (g GrayComparison, ok bool) {
	cr := map[string]float64{}
	for _, gray := range []string{datasets.GrayLuma, datasets.GrayMean} {
		src, found, ok := LargestSample(datasets.Image, datasets.Options{Rule: baselines.DeletangRules[datasets.Image], Gray: gray})
		if !ok {
			return GrayComparison{}, false
		}
		points := Must(baselines.SampleSizeCurve(context.Background(), src, baselines.PNG32Wide(), []int{src.NumChunks()}))
		cr[gray], g.Chunks, g.Found = points[0].HeaderOnce, src.NumChunks(), found
	}
	g.Luma, g.Mean = cr[datasets.GrayLuma], cr[datasets.GrayMean]
	return g, true
}

// DeletangSetupTable sets how Delétang et al. made their published figures
// (baselines.DeletangSetup, cited from their code) beside what the curves
// here ran: their samples, each codec's implementation and setting, and the
// gray rules.
func DeletangSetupTable(curves []SampleCurve) Table {
	setup := baselines.DeletangSetup
	theirs := map[string]cite.Fact{"png": setup.PNG, "flac": setup.FLAC}
	var samples []string
	ours := map[string][]string{}
	for _, c := range curves {
		if c.Codec == c.Published.Codec {
			samples = append(samples, fmt.Sprintf("%d %s chunks (rule `%s`) from %d files", c.Last().Chunks, c.Published.Modality, c.Rule, c.Files))
		}
		ours[c.Published.Codec] = append(ours[c.Published.Codec], fmt.Sprintf("%s: %s, %s", c.Codec, c.Implementation, c.Setting))
	}
	t := NewTable([]string{"", "Delétang et al. (cited from their code)", "this project (what the cells here ran)"},
		[]string{"sample", setup.Chunks.Markdown(), strings.Join(samples, "; ")})
	for _, p := range baselines.DeletangPublished {
		if fact, ok := theirs[p.Codec]; ok && len(ours[p.Codec]) > 0 {
			t.Add(p.Codec, fact.Markdown(), strings.Join(ours[p.Codec], "; "))
		}
	}
	t.Add("gray", setup.Gray.Markdown(), "PIL's `convert(\"L\")`, the paper's (luma); the mean of R, G and B where the gray rules are compared")
	return t
}
