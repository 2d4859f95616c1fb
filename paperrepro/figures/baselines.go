package figures

import (
	"cmp"
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
// holds them (oursLabel names them, e.g. "ours, lossless"; empty names them
// by their table's Source), each in the modality's colour, with a key that
// names their sources and shows each panel's colour, and each classical codec on the same chunks,
// every chunk compressed alone with the header counted once (the panel
// titles say so), as a horizontal line labelled with its CR. The figure's
// title says what the models' CR counts: the paper's protocol scores only
// the first 1024 tokens of a chunk, of bytes reduced to 7 bits. Variants
// kept for the comparison with Deletang et al. (png-32wide) are left out.
func Baselines(paper, ours []results.Table, oursLabel string, b baselines.Table) (Figure, error) {
	var row []panel
	var colors, oursColors []color.Color
	var drawnPaper, drawnOurs []results.Table
	last := 0
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
		p, drewOurs, err := baselinesPanel(t, mine, codecs, colorOf(t.Modality, i))
		if err != nil {
			return Figure{}, err
		}
		row = append(row, plotPanel{p})
		colors = append(colors, colorOf(t.Modality, i))
		drawnPaper = append(drawnPaper, t)
		if steps := t.Steps(); len(steps) > 0 {
			last = max(last, steps[len(steps)-1])
		}
		if drewOurs {
			oursColors = append(oursColors, colorOf(t.Modality, i))
			drawnOurs = append(drawnOurs, *mine)
		}
	}
	if len(row) == 0 {
		return Figure{}, fmt.Errorf("baselines figure: no modality has both a paper table and baseline results on the paper's rule")
	}
	return Figure{
		Name: BaselinesFigureName, Width: vg.Length(len(row)) * 5 * vg.Inch, Height: 4.8 * vg.Inch,
		title: "Models against classical codecs on the same 2048-byte chunks\n" +
			"The models' CR is the paper's: −log2 p of only the first 1024 tokens of a chunk, its bytes cut to 7 bits (b mod 128), over all 2048 × 8 bits; the codecs code every bit",
		key: baselinesKey(colors, oursColors, cmp.Or(results.JoinSources(drawnPaper), "cells (source not given)"),
			cmp.Or(oursLabel, results.JoinSources(drawnOurs), "cells (source not given)"), last),
		grid: grid{cells: [][]panel{row}},
	}, nil
}

// Marks of the baselines figure's model series: the paper's solid with
// dots, ours dashed with rings.
var (
	paperSeries = draw.LineStyle{Width: vg.Points(1.5)}
	oursSeries  = draw.LineStyle{Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
)

// baselinesKey explains the model series at step last: the paper's (from
// paperSource), its sample in the colour of every panel (colors), and ours
// (oursLabel) in the colours of the panels that have ours, if any.
func baselinesKey(colors, oursColors []color.Color, paperSource, oursLabel string, last int) []keyEntry {
	key := []keyEntry{{label: fmt.Sprintf("%s, step %s", paperSource, Count(float64(last))), thumbs: []plot.Thumbnailer{colorsThumb(colors, paperSeries, draw.CircleGlyph{})}}}
	if len(oursColors) > 0 {
		key = append(key, keyEntry{label: fmt.Sprintf("%s, step %s", oursLabel, Count(float64(last))), thumbs: []plot.Thumbnailer{colorsThumb(oursColors, oursSeries, draw.RingGlyph{})}})
	}
	return key
}

// colorsThumb is a key sample of a series drawn in several colours, one per
// panel: the sample's width split among them, each a short line with its
// marker.
func colorsThumb(colors []color.Color, style draw.LineStyle, shape draw.GlyphDrawer) plot.Thumbnailer {
	return thumb(func(dc *draw.Canvas) {
		w := (dc.Max.X - dc.Min.X) / vg.Length(len(colors))
		y := dc.Center().Y
		for i, c := range colors {
			x0 := dc.Min.X + vg.Length(i)*w
			sty := style
			sty.Color = c
			dc.StrokeLine2(sty, x0, y, x0+w, y)
			dc.DrawGlyph(draw.GlyphStyle{Color: c, Radius: vg.Points(2.6), Shape: shape}, vg.Point{X: x0 + w/2, Y: y})
		}
	})
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

// baselinesPanel draws one modality's panel, its model series in colour c,
// and reports whether it drew any cell of ours.
func baselinesPanel(t results.Table, ours *results.Table, codecs []baselines.Result, c color.Color) (*plot.Plot, bool, error) {
	steps := t.Steps()
	if len(steps) == 0 {
		return nil, false, fmt.Errorf("baselines figure: the %s table has no cells", t.Modality)
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
	title := fmt.Sprintf("%s (%s): codecs per chunk, header counted once", modalityTitle(t.Modality), codecs[0].Rule)
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
	for _, s := range []struct {
		pts   plotter.XYs
		style draw.LineStyle
		shape draw.GlyphDrawer
	}{
		{paperPts, paperSeries, draw.CircleGlyph{}},
		{ourPts, oursSeries, draw.RingGlyph{}},
	} {
		if len(s.pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(s.pts)
		if err != nil {
			return nil, false, fmt.Errorf("baselines figure, %s: %w", t.Modality, err)
		}
		line.LineStyle = s.style
		line.Color = c
		points.Color, points.Shape, points.Radius = c, s.shape, vg.Points(3.2)
		p.Add(line, points)
	}

	labelX := hi * math.Exp(codecLabelStart*span)
	if _, err := codecLines(p, codecs, p.X.Min, labelX, drawn); err != nil {
		return nil, false, fmt.Errorf("baselines figure, %s: %w", t.Modality, err)
	}
	return p, len(ourPts) > 0, nil
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
