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

// Summary says how the curve's ratio (header once) moves with the sample:
// "png-32wide on image chunks (rule `tiles`): 0.6488 at 256 chunks, 0.6593
// on all 8138, between 0.6488 and 0.6884 on the way".
func (c SampleCurve) Summary() string {
	lo, hi := c.Range()
	first, last := c.Points[0], c.Last()
	if len(c.Points) == 1 {
		return fmt.Sprintf("%s on %s chunks (rule `%s`): %.4f on all %d, too few for a curve", c.Codec, c.Published.Modality, c.Rule, last.HeaderOnce, last.Chunks)
	}
	return fmt.Sprintf("%s on %s chunks (rule `%s`): %.4f at %d chunks, %.4f on all %d, between %.4f and %.4f on the way",
		c.Codec, c.Published.Modality, c.Rule, first.HeaderOnce, first.Chunks, last.HeaderOnce, last.Chunks, lo, hi)
}

// SampleReading says, as Markdown, how far each curve's ratio moves with
// the number of chunks alone (Summary), and, with curves of PNG at two row
// widths, what the width changes on the same tiles.
func SampleReading(curves Curves) string {
	var lines []string
	for _, c := range curves {
		lines = append(lines, "- "+c.Summary())
	}
	md := "**The sample.** How far our ratios (header once) move with the number of chunks alone:\n\n" + strings.Join(lines, "\n")
	narrow, okNarrow := curves.Find(baselines.PNG32Wide().Name())
	wide, okWide := curves.Find("png")
	if okNarrow && okWide {
		md += fmt.Sprintf("\n\n**The width of PNG's rows.** On the same %d tiles, `%s` (%s, their shape) gives %.4f and `%s` (%s, a patch's own rows) %.4f: the row width alone moves the ratio by %+.4f.",
			narrow.Last().Chunks, narrow.Codec, narrow.Setting, narrow.Last().HeaderOnce, wide.Codec, wide.Setting, wide.Last().HeaderOnce, narrow.Last().HeaderOnce-wide.Last().HeaderOnce)
	}
	return md
}

// Curves are sample-size curves, DeletangCurves' or any.
type Curves []SampleCurve

// Find returns the curve of a codec ("png-32wide"), and whether there is
// one.
func (cs Curves) Find(codec string) (SampleCurve, bool) {
	for _, c := range cs {
		if c.Codec == codec {
			return c, true
		}
	}
	return SampleCurve{}, false
}

// SessionCurves returns DeletangCurves, measured once per GoNB session
// (see sessionValue); ok is false when no curve could be measured (the
// cell has said what is missing).
func SessionCurves() (Curves, bool) {
	return sessionValue("deletang-curves", func() (Curves, bool) {
		curves := DeletangCurves()
		return curves, len(curves) > 0
	})
}

// DeletangCurves measures, for each of Delétang et al.'s published figures
// (baselines.DeletangPublished), the sample-size curve of every codec of
// ours that matches it (the codec, or a variant such as png-32wide, as
// baselines.ComparePublished pairs them) on the largest sample here under
// their rule (LargestSample), at baselines.SampleCounts. A modality whose
// data is not here is left out (its cell has said what fetches it).
func DeletangCurves() Curves {
	var out Curves
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
func SampleSizeTable(curves Curves) Table {
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

// CompareGray measures the GrayComparison on the tiles of the curves' PNG
// 32 pixels wide (DeletangCurves, gray by luma): the same tiles made gray
// by the mean instead. ok is false without such a curve (no image data
// here).
func CompareGray(curves Curves) (g GrayComparison, ok bool) {
	luma, ok := curves.Find(baselines.PNG32Wide().Name())
	if !ok {
		return GrayComparison{}, false
	}
	src, found, ok := LargestSample(datasets.Image, datasets.Options{Rule: luma.Rule, Gray: datasets.GrayMean})
	if !ok {
		return GrayComparison{}, false
	}
	if found != luma.Found || src.NumChunks() != luma.Last().Chunks {
		Check(fmt.Errorf("the tiles gray by the mean (%d from %s) are not those gray by luma (%d from %s)", src.NumChunks(), found, luma.Last().Chunks, luma.Found))
	}
	mean := Must(baselines.SampleSizeCurve(context.Background(), src, baselines.PNG32Wide(), []int{src.NumChunks()}))
	return GrayComparison{Chunks: src.NumChunks(), Found: found, Luma: luma.Last().HeaderOnce, Mean: mean[0].HeaderOnce}, true
}

// Reading sets the gray rules' difference against how far the sample alone
// moves the same codec on the same tiles (the curve's range): whether the
// gray rule can explain a gap the sample cannot.
func (g GrayComparison) Reading(curve SampleCurve) string {
	lo, hi := curve.Range()
	diff := math.Abs(g.Mean - g.Luma)
	verdict := "larger than what the sample alone moves it: the gray rule is a cause of the gap in its own right"
	if diff < hi-lo {
		verdict = fmt.Sprintf("%.0f times smaller than what the sample alone moves it (%.4f to %.4f): the gray rule is no cause of the gap that can be measured here", (hi-lo)/diff, lo, hi)
	}
	return fmt.Sprintf("On the same %d tiles, PNG 32 pixels wide gives %.4f made gray by the mean of R, G and B (theirs) and %.4f by PIL's luma (the paper's): a difference of %.4f, %s.",
		g.Chunks, g.Mean, g.Luma, diff, verdict)
}

// DeletangSetupTable sets how Delétang et al. made their published figures
// (baselines.DeletangSetup, cited from their code) beside what the curves
// here ran: their samples, each codec's implementation and setting, and the
// gray rules.
func DeletangSetupTable(curves Curves) Table {
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
