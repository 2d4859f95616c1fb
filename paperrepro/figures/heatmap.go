package figures

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Heatmaps draws the paper's Figure 1: for each table, its CR over model
// size (rows) and training step (columns), each cell coloured on viridis
// (darker is lower, that is better compression) and labelled with its
// value, with a colour bar beside it. Each panel has its own colour scale:
// the modalities' ranges barely overlap (text 0.12-0.22, image and speech
// 0.38-0.77 in the paper), so one shared scale would paint the whole text
// panel one colour and hide the size and step effects the figure is for;
// figure4_combined compares the modalities on one axis instead. Above each
// panel is the law fitted to that table by this project (laws[i], which may
// be the zero Law), labelled as our refit rather than the paper's Table 1,
// and under the modality the source of the cells (the table's Source: the
// paper's Table 2, or this project's run).
func Heatmaps(tables []results.Table, laws []Law) (Figure, error) {
	if err := checkInputs(tables, laws); err != nil {
		return Figure{}, fmt.Errorf("figure 1: %w", err)
	}
	var row []panel
	var gaps []vg.Length
	var weights []float64
	for i, t := range tables {
		z, models, steps := crGrid(t)
		lo, hi := valueRange(z)
		if lo == hi {
			lo, hi = lo-0.005, hi+0.005 // one distinct value: give the scale some width
		}
		sc := scale{colors: viridis, lo: lo, hi: hi}
		p := heatmapPlot(heatmapTitle(t, lawAt(laws, i)), models, steps, z, sc, func(v float64) string { return fmt.Sprintf("%.3f", v) })
		if i > 0 {
			p.Y.Label.Text = "" // the rows are the same model sizes in every panel
			gaps = append(gaps, vg.Points(26))
		}
		row = append(row, plotPanel{p}, colorBar{scale: sc, label: "CR"})
		gaps = append(gaps, vg.Points(6))
		weights = append(weights, 1, 0.06)
	}
	return Figure{
		Name:   "figure1_heatmaps",
		Width:  vg.Length(len(tables))*4.3*vg.Inch + 0.3*vg.Inch,
		Height: 4.5 * vg.Inch,
		title:  "Compression ratio by model size and training step (darker is lower, i.e. better; each panel has its own colour scale)",
		grid:   grid{cells: [][]panel{row}, colWeights: weights, colGaps: gaps},
	}, nil
}

// checkInputs checks tables for plotting and that laws, when given, has one
// law per table.
func checkInputs(tables []results.Table, laws []Law) error {
	if len(tables) == 0 {
		return fmt.Errorf("no tables")
	}
	if laws != nil && len(laws) != len(tables) {
		return fmt.Errorf("%d laws for %d tables, want one per table (or none)", len(laws), len(tables))
	}
	for _, t := range tables {
		if err := checkTable(t); err != nil {
			return err
		}
	}
	return nil
}

// lawAt is laws[i], or the zero Law when laws is nil.
func lawAt(laws []Law, i int) Law {
	if i < len(laws) {
		return laws[i]
	}
	return Law{}
}

// crGrid returns t's CRs as z[model][step], NaN where t has no cell, with
// the models (smallest first) and steps (earliest first) of its rows and
// columns.
func crGrid(t results.Table) (z [][]float64, models []results.ModelSize, steps []int) {
	models, steps = t.Models(), t.Steps()
	z = make([][]float64, len(models))
	for r, m := range models {
		z[r] = make([]float64, len(steps))
		for c, s := range steps {
			z[r][c] = math.NaN()
			if cr, ok := t.CR(m.Name, s); ok {
				z[r][c] = cr
			}
		}
	}
	return z, models, steps
}

// valueRange is the smallest and largest finite value of z.
func valueRange(z [][]float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, row := range z {
		for _, v := range row {
			if isFinite(v) {
				lo, hi = min(lo, v), max(hi, v)
			}
		}
	}
	return lo, hi
}

// heatmapTitle names the modality and the cells' source and gives our
// fitted law, or says why there is none.
func heatmapTitle(t results.Table, law Law) string {
	title := modalityTitle(t.Modality) + " (" + cellsLabel(t) + ")"
	switch {
	case law.Fit != nil:
		title += fmt.Sprintf("\nthis project's refit (R^{2} = %.3f):\n%s", law.Fit.R2, equation(law.Fit))
	case law.FitErr != nil:
		title += "\nno fitted law: " + shortReason(law.FitErr)
	}
	return title
}

// equation writes a PowerLaw fit as "CR = 0.0997 + 75.9 P^{−0.393} + ...",
// with superscripts for the superscripts text handler; other forms are named
// by their formula.
func equation(fit *scaling.Result) string {
	if _, ok := fit.Form.(scaling.PowerLaw); !ok {
		return fit.Form.Name()
	}
	c := fit.Coef
	return fmt.Sprintf("CR = %s + %s P^{%s} + %s S^{%s}",
		signed(c[0]), signed(c[1]), signed(-c[3]), signed(c[2]), signed(-c[4]))
}

// signed formats v with three significant digits and a typographic minus.
func signed(v float64) string { return strings.Replace(significant(v, 3), "-", "−", 1) }

// shortReason is the last part of a wrapped error, which says what is
// wrong without the context the figure already gives.
func shortReason(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg
}

// heatmapPlot draws z[model][step] as coloured, labelled cells with the
// models' sizes up the side and the steps along the bottom.
func heatmapPlot(title string, models []results.ModelSize, steps []int, z [][]float64, sc scale, label func(float64) string) *plot.Plot {
	p := NewPlot(title, "training step", "parameters")
	p.Title.TextStyle.Handler = mathText
	p.Add(cells{z: z, scale: sc, label: label})
	stepTicks := make(plot.ConstantTicks, len(steps))
	for c, s := range steps {
		stepTicks[c] = plot.Tick{Value: float64(c), Label: Count(float64(s))}
	}
	sizeTicks := make(plot.ConstantTicks, len(models))
	for r, m := range models {
		sizeTicks[r] = plot.Tick{Value: float64(r), Label: Count(m.Params)}
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = stepTicks, sizeTicks
	p.X.Min, p.X.Max = -0.5, float64(len(steps))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(models))-0.5
	p.X.Padding, p.Y.Padding = 0, 0
	p.X.Tick.Length, p.Y.Tick.Length = vg.Points(3), vg.Points(3)
	return p
}

// cells is a heatmap drawn cell by cell at integer positions (column c at
// x = c, row r at y = r, smallest model at the bottom), so every cell is
// the same size whatever the spacing of the values, each labelled with its
// value in black or white, whichever reads better on its colour.
type cells struct {
	z     [][]float64 // z[row][column]; NaN: no cell, drawn blank
	scale scale
	label func(float64) string
}

// noCell is the colour of a cell the table does not have.
var noCell = color.Gray{Y: 0xee}

// Plot implements plot.Plotter.
func (g cells) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := textStyle(cellSize)
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	for r, row := range g.z {
		for col, v := range row {
			rect := vg.Rectangle{
				Min: vg.Point{X: trX(float64(col) - 0.5), Y: trY(float64(r) - 0.5)},
				Max: vg.Point{X: trX(float64(col) + 0.5), Y: trY(float64(r) + 0.5)},
			}
			text, fill, ink := "–", color.Color(noCell), color.Color(color.Gray{Y: 0x80})
			if isFinite(v) {
				bg := g.scale.color(v)
				text, fill, ink = g.label(v), bg, textColorOn(bg)
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
			c.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(0.75)})
			c.Stroke(rect.Path())
			sty.Color = ink
			c.FillText(sty, vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: (rect.Min.Y + rect.Max.Y) / 2}, text)
		}
	}
}

// DataRange implements plot.DataRanger.
func (g cells) DataRange() (xmin, xmax, ymin, ymax float64) {
	return -0.5, float64(len(g.z[0])) - 0.5, -0.5, float64(len(g.z)) - 0.5
}
