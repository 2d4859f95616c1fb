package figures

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// crGrid is a table as a plotter.GridXYZ: column c is the c-th step, row r
// the r-th model size (smallest at the bottom), at integer positions so each
// cell is the same size whatever the spacing of the values.
type crGrid struct {
	z [][]float64 // z[model][step]; NaN where the table has no cell
}

func (g crGrid) Dims() (c, r int)   { return len(g.z[0]), len(g.z) }
func (g crGrid) Z(c, r int) float64 { return g.z[r][c] }
func (g crGrid) X(c int) float64    { return float64(c) }
func (g crGrid) Y(r int) float64    { return float64(r) }

// Heatmap draws one panel of Figure 1: the table's CR over model size (rows)
// and training step (columns), each cell coloured on the viridis map and
// labelled with its value (darker is better compression). With a fit, the
// title gives its equation.
func Heatmap(t results.Table, fit *scaling.Result) (*plot.Plot, error) {
	models, steps := t.Models(), t.Steps()
	if len(models) == 0 || len(steps) == 0 {
		return nil, fmt.Errorf("heatmap of the %s table: no cells", t.Modality)
	}
	g := crGrid{z: make([][]float64, len(models))}
	lo, hi := math.Inf(1), math.Inf(-1)
	var labels plotter.XYLabels
	for r, m := range models {
		g.z[r] = make([]float64, len(steps))
		for c, s := range steps {
			cr, ok := t.CR(m.Name, s)
			if !ok {
				g.z[r][c] = math.NaN()
				continue
			}
			g.z[r][c] = cr
			lo, hi = min(lo, cr), max(hi, cr)
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(r)})
			labels.Labels = append(labels.Labels, fmt.Sprintf("%.3f", cr))
		}
	}
	p := newPlot(heatmapTitle(t, fit, lo, hi), "training step", "parameters")
	if lo == hi {
		// One distinct value: any colour will do, but the scale needs width.
		lo, hi = lo-0.5, hi+0.5
	}
	hm := plotter.NewHeatMap(g, viridis(256))
	hm.Min, hm.Max = lo, hi
	p.Add(hm)

	text, err := plotter.NewLabels(labels)
	if err != nil {
		return nil, fmt.Errorf("heatmap of the %s table: %w", t.Modality, err)
	}
	for i, xy := range labels.XYs {
		v := g.z[int(xy.Y)][int(xy.X)]
		style := &text.TextStyle[i]
		style.Color = textColorOn(viridisAt((v - lo) / (hi - lo)))
		style.XAlign, style.YAlign = draw.XCenter, draw.YCenter
		style.Font.Size = cellSize
		style.Font.Variant = fontVariant
	}
	p.Add(text)

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
	return p, nil
}

// heatmapTitle names the modality and the panel's own colour scale and,
// with a fit, gives its equation, as the paper's Figure 1 does above each
// panel.
func heatmapTitle(t results.Table, fit *scaling.Result, lo, hi float64) string {
	title := fmt.Sprintf("%s: CR from %.3f (dark) to %.3f (light)", modalityTitle(t.Modality), lo, hi)
	if eq := equation(fit); eq != "" {
		title += "\n" + eq
	}
	return title
}

// equation writes a PowerLaw fit as "CR = 0.100 + 75.9 P^-0.393 + ...";
// other forms are named by their formula.
func equation(fit *scaling.Result) string {
	if fit == nil {
		return ""
	}
	if _, ok := fit.Form.(scaling.PowerLaw); !ok {
		return fit.Form.Name()
	}
	c := fit.Coef
	return fmt.Sprintf("CR = %s + %s P^-%.3f + %s S^-%.3f  (R² %.3f)",
		significant(c[0], 3), significant(c[1], 3), c[3], significant(c[2], 3), c[4], fit.R2)
}

func modalityTitle(m string) string {
	if m == "" {
		return "unnamed table"
	}
	return m
}
