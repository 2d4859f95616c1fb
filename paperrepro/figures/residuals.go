package figures

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Residuals draws where each fitted law misses its table: per table with a
// fit, the residual (the cell's CR minus the law's) of every cell over model
// size and training step, blue where the law predicts too much and red
// where it predicts too little. All panels share one colour scale,
// symmetric about zero, because residuals are in the same units whatever
// the modality; the panels' titles give each fit's RMSE and R^2. It
// returns an error when no table has a fit.
func Residuals(tables []results.Table, laws []Law) (Figure, error) {
	if err := checkInputs(tables, laws); err != nil {
		return Figure{}, fmt.Errorf("residual figure: %w", err)
	}
	type fitted struct {
		t   results.Table
		law Law
		z   [][]float64 // residuals[model][step]
	}
	var panels []fitted
	var largest float64
	for i, t := range tables {
		law := lawAt(laws, i)
		if law.Fit == nil {
			continue
		}
		z, models, steps := crGrid(t)
		for r, m := range models {
			for c, s := range steps {
				if isFinite(z[r][c]) {
					z[r][c] -= law.Fit.Predict(m.Params, float64(s))
					largest = max(largest, math.Abs(z[r][c]))
				}
			}
		}
		panels = append(panels, fitted{t, law, z})
	}
	if len(panels) == 0 {
		return Figure{}, fmt.Errorf("residual figure: no table has a fitted law")
	}
	if !(largest > 0) || math.IsInf(largest, 0) {
		largest = 0.001 // an exact fit: any symmetric scale shows it as white
	}
	sc := scale{colors: blueWhiteRed, lo: -largest, hi: largest}
	var row []panel
	var gaps []vg.Length
	for k, f := range panels {
		title := fmt.Sprintf("%s (%s)\nRMSE %.4f, R^{2} = %.3f", modalityTitle(f.t.Modality), cellsLabel(f.t), f.law.Fit.RMSE, f.law.Fit.R2)
		p := heatmapPlot(title, f.t.Models(), f.t.Steps(), f.z, sc, residualLabel)
		if k > 0 {
			p.Y.Label.Text = ""
			gaps = append(gaps, vg.Points(22))
		}
		row = append(row, plotPanel{p})
	}
	row = append(row, colorBar{scale: sc, label: "cell − fitted CR"})
	gaps = append(gaps, vg.Points(10))
	weights := make([]float64, len(row))
	for i := range weights {
		weights[i] = 1
	}
	weights[len(weights)-1] = 0.06
	return Figure{
		Name:   "residuals",
		Width:  vg.Length(len(panels))*4*vg.Inch + 0.7*vg.Inch,
		Height: 4 * vg.Inch,
		title:  "Residuals of this project's refit: each cell's CR − the fitted CR (one colour scale for all panels)",
		grid:   grid{cells: [][]panel{row}, colWeights: weights, colGaps: gaps},
	}, nil
}

// residualLabel writes a residual with its sign and a typographic minus.
func residualLabel(v float64) string {
	s := fmt.Sprintf("%+.3f", v)
	if s == "+0.000" || s == "-0.000" {
		return "0.000"
	}
	return strings.Replace(s, "-", "−", 1)
}
