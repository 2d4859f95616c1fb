package figures

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Combined draws the three-modality comparison (Figure 4 of the author's
// blog post) as two panels: CR against model size at each table's last
// training step, and CR against training step for each table's largest
// model, one line per modality with its fitted law dashed. fits[i] belongs
// to tables[i] and may be nil.
func Combined(tables []results.Table, fits []*scaling.Result) (bySize, byStep *plot.Plot, err error) {
	if len(tables) == 0 {
		return nil, nil, fmt.Errorf("comparison figure: no tables")
	}
	var sizeLines, stepLines []series
	var allSizes, allSteps []float64
	for i, t := range tables {
		models, steps := t.Models(), t.Steps()
		if len(models) == 0 || len(steps) == 0 {
			return nil, nil, fmt.Errorf("comparison figure: the %s table has no cells", t.Modality)
		}
		last, largest := steps[len(steps)-1], models[len(models)-1]
		c := colorOf(t.Modality, i)
		bySizeLine := series{label: fmt.Sprintf("%s (step %s)", modalityTitle(t.Modality), Count(float64(last))), color: c, shape: shapeFor(i)}
		for _, m := range models {
			if cr, ok := t.CR(m.Name, last); ok {
				bySizeLine.points = append(bySizeLine.points, plotter.XY{X: m.Params, Y: cr})
			}
			allSizes = append(allSizes, m.Params)
		}
		byStepLine := series{label: fmt.Sprintf("%s (%s)", modalityTitle(t.Modality), largest.Name), color: c, shape: shapeFor(i)}
		for _, s := range steps {
			if cr, ok := t.CR(largest.Name, s); ok {
				byStepLine.points = append(byStepLine.points, plotter.XY{X: float64(s), Y: cr})
			}
			allSteps = append(allSteps, float64(s))
		}
		if i < len(fits) && fits[i] != nil {
			fit, step, size := fits[i], float64(last), largest.Params
			bySizeLine.fitted = func(p float64) float64 { return fit.Predict(p, step) }
			byStepLine.fitted = func(s float64) float64 { return fit.Predict(size, s) }
		}
		sizeLines = append(sizeLines, bySizeLine)
		stepLines = append(stepLines, byStepLine)
	}
	if bySize, err = linePlot("CR vs model size, last checkpoint", "parameters", allSizes, sizeLines); err != nil {
		return nil, nil, err
	}
	if byStep, err = linePlot("CR vs training step, largest model", "training step", allSteps, stepLines); err != nil {
		return nil, nil, err
	}
	return bySize, byStep, nil
}

// colorOf is the modality's fixed colour, or the i-th line colour for a
// modality outside the paper's three.
func colorOf(modality string, i int) color.Color {
	if c, ok := modalityColors[modality]; ok {
		return c
	}
	return lineColors[(i+3)%len(lineColors)]
}
