package figures

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/paperrepro/paperrepro/paperrepro/baselines"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// BaselinesFigureName is the file name (without extension) of the figure
// Baselines draws.
const BaselinesFigureName = "baselines"

// Baselines draws one panel per modality that has both a paper table and
// baseline results on the paper's data rule: the paper's CR per model at
// its last training step, ours for the same models and step where ours
// holds them (oursLabel names them, e.g. "ours, lossless"), and each
// classical codec on the same chunks, every chunk compressed alone with the
// header counted once, as a horizontal line labelled with its CR. Variants
// kept for the comparison with Deletang et al. (png-32wide) are left out.
func Baselines(paper, ours []results.Table, oursLabel string, b baselines.Table) (Figure, error) {
	var row []panel
	var key []keyEntry
	for i, t := range paper {
		_, codecs := b.SelectPaper(t.Modality, baselines.PerChunkHeaderOnce)
		codecs = removeVariants(codecs)
		if len(codecs) == 0 {
			continue
		}
		var mine *results.Table
		for j := range ours {
			if ours[j].Modality == t.Modality {
				mine = &ours[j]
			}
		}
		p, entries, err := baselinesPanel(t, mine, oursLabel, codecs, colorOf(t.Modality, i))
		if err != nil {
			return Figure{}, err
		}
		row = append(row, plotPanel{p})
		if key == nil {
			key = entries
		}
	}
	if len(row) == 0 {
		return Figure{}, fmt.Errorf("baselines figure: no modality has both a paper table and baseline results on the paper's rule")
	}
	return Figure{
		Name: BaselinesFigureName, Width: vg.Length(len(row)) * 5 * vg.Inch, Height: 4.6 * vg.Inch,
		key: key, grid: grid{cells: [][]panel{row}},
	}, nil
}

// removeVariants drops codec variants (a name with a dash, such as
// png-32wide).
func removeVariants(rs []baselines.Result) []baselines.Result {
	var out []baselines.Result
	for _, r := range rs {
		if !strings.Contains(r.Codec, "-") {
			out = append(out, r)
		}
	}
	return out
}

// Layout of a baselines panel, as fractions of the models' log range: the
// codec labels sit in a gutter right of the largest model.
const (
	codecLabelStart = 0.08
	codecGutter     = 0.75
)

// baselinesPanel draws one modality's panel and returns the key entries
// for its model series (in grey: each panel has its modality's colour).
func baselinesPanel(t results.Table, ours *results.Table, oursLabel string, codecs []baselines.Result, c color.Color) (*plot.Plot, []keyEntry, error) {
	steps := t.Steps()
	if len(steps) == 0 {
		return nil, nil, fmt.Errorf("baselines figure: the %s table has no cells", t.Modality)
	}
	last := steps[len(steps)-1]
	var sizes []float64
	var paperPts, ourPts plotter.XYs
	for _, m := range t.Models() {
		sizes = append(sizes, m.Params)
		if cr, ok := t.CR(m.Name, last); ok {
			paperPts = append(paperPts, plotter.XY{X: m.Params, Y: cr})
		}
		if ours != nil {
			if cr, ok := ours.CR(m.Name, last); ok {
				ourPts = append(ourPts, plotter.XY{X: m.Params, Y: cr})
			}
		}
	}
	title := fmt.Sprintf("%s (%s): models vs codecs per chunk", modalityTitle(t.Modality), codecs[0].Rule)
	p := NewPlot(title, "parameters", "compression ratio (lower is better)")
	p.X.Scale = plot.LogScale{}
	lo, hi := sizes[0], sizes[len(sizes)-1]
	span := math.Log(hi / lo)
	if span == 0 {
		span = 1
	}
	p.X.Min = lo * math.Exp(-0.04*span)
	p.X.Max = hi * math.Exp(codecGutter*span)
	p.X.Tick.Marker = dataTicks(sizes, minTickGap)
	p.Y.Tick.Marker = niceTicks(7)

	drawn := append(plotter.XYs(nil), paperPts...)
	drawn = append(drawn, ourPts...)
	var key []keyEntry
	for _, s := range []struct {
		label  string
		pts    plotter.XYs
		dashed bool
		shape  draw.GlyphDrawer
	}{
		{fmt.Sprintf("paper, step %s", Count(float64(last))), paperPts, false, draw.CircleGlyph{}},
		{fmt.Sprintf("%s, step %s", oursLabel, Count(float64(last))), ourPts, true, draw.RingGlyph{}},
	} {
		if len(s.pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return nil, nil, fmt.Errorf("baselines figure, %s: %w", t.Modality, err)
		}
		line.Color, line.Width = c, vg.Points(1.5)
		if s.dashed {
			line.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		points.Color, points.Shape, points.Radius = c, s.shape, vg.Points(3.2)
		p.Add(line, points)
		keyLine := line.LineStyle
		keyLine.Color = color.Gray{Y: 0x40}
		key = append(key, keyEntry{label: s.label, thumbs: []plot.Thumbnailer{lineStyleThumb(keyLine), pointThumb(keyLine.Color, s.shape)}})
	}

	labelX := hi * math.Exp(codecLabelStart*span)
	if _, err := codecLines(p, codecs, p.X.Min, labelX, drawn); err != nil {
		return nil, nil, fmt.Errorf("baselines figure, %s: %w", t.Modality, err)
	}
	return p, key, nil
}

// codecLines adds each codec's horizontal line from x0 to x1 and its label
// right of x1, the labels spread so that none overlaps another; it returns
// the labels' positions.
func codecLines(p *plot.Plot, codecs []baselines.Result, x0, x1 float64, data plotter.XYs) (plotter.XYLabels, error) {
	yLo, yHi := math.Inf(1), math.Inf(-1)
	for _, xy := range data {
		yLo, yHi = min(yLo, xy.Y), max(yHi, xy.Y)
	}
	for _, cd := range codecs {
		yLo, yHi = min(yLo, cd.CR()), max(yHi, cd.CR())
	}
	gap := 0.06 * (yHi - yLo)
	order := make([]int, len(codecs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return codecs[order[a]].CR() < codecs[order[b]].CR() })
	labelY := make([]float64, len(codecs))
	for k, i := range order {
		labelY[i] = codecs[i].CR()
		if k > 0 {
			labelY[i] = max(labelY[i], labelY[order[k-1]]+gap)
		}
	}
	var labels plotter.XYLabels
	for i, cd := range codecs {
		line, err := plotter.NewLine(plotter.XYs{{X: x0, Y: cd.CR()}, {X: x1, Y: cd.CR()}})
		if err != nil {
			return plotter.XYLabels{}, err
		}
		line.Color, line.Width = color.Gray{Y: 0x70}, vg.Points(1.1)
		line.Dashes = codecDashes(i)
		if !isGeneralPurpose(cd.Codec) {
			line.Color, line.Width = color.Black, vg.Points(1.6)
		}
		p.Add(line)
		labels.XYs = append(labels.XYs, plotter.XY{X: x1, Y: labelY[i]})
		level, _, _ := strings.Cut(cd.Setting, ",") // "-8" of "-8, 16-bit signed mono 16000 Hz"
		labels.Labels = append(labels.Labels, fmt.Sprintf("%s %s  %.3f", cd.Codec, level, cd.CR()))
	}
	text, err := plotter.NewLabels(labels)
	if err != nil {
		return plotter.XYLabels{}, err
	}
	for i := range text.TextStyle {
		style := &text.TextStyle[i]
		style.XAlign, style.YAlign = draw.XLeft, draw.YCenter
		style.Font.Size = legendSize
		style.Font.Variant = fontVariant
		if isGeneralPurpose(codecs[i].Codec) {
			style.Color = color.Gray{Y: 0x50}
		}
	}
	text.Offset = vg.Point{X: vg.Points(3)}
	p.Add(text)
	return labels, nil
}

// isGeneralPurpose tells the codecs every modality gets from the
// modality's own (PNG, FLAC), which are drawn stronger.
func isGeneralPurpose(codec string) bool {
	switch codec {
	case "gzip", "xz", "zstd", "bzip2":
		return true
	}
	return false
}

// codecDashes gives codec line i a dash pattern of its own.
func codecDashes(i int) []vg.Length {
	patterns := [][]vg.Length{
		nil,
		{vg.Points(6), vg.Points(3)},
		{vg.Points(2), vg.Points(2)},
		{vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)},
		{vg.Points(4), vg.Points(4)},
	}
	return patterns[i%len(patterns)]
}
