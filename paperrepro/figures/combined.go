package figures

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Comparison draws the modalities side by side (Figure 4 of the author's
// blog post): CR against model size at each table's last training step,
// and CR against training step for each table's largest model, one colour
// per modality, with each table's fitted law and bootstrap band (laws[i],
// which may be the zero Law).
func Comparison(tables []results.Table, laws []Law) (Figure, error) {
	if err := checkInputs(tables, laws); err != nil {
		return Figure{}, fmt.Errorf("comparison figure: %w", err)
	}
	var sizeLines, stepLines []series
	var allSizes, allSteps []float64
	var key []keyEntry
	hasFit, hasBand := false, false
	lastSteps, largestModels := map[string]bool{}, map[string]bool{}
	for i, t := range tables {
		models, steps := t.Models(), t.Steps()
		last, largest := steps[len(steps)-1], models[len(models)-1]
		law := lawAt(laws, i)
		c, shape := colorOf(t.Modality, i), shapeFor(i)
		bySize := series{color: c, shape: shape, law: law, at: func(p float64) (float64, float64) { return p, float64(last) }}
		for _, m := range models {
			if cr, ok := t.CR(m.Name, last); ok {
				bySize.points = append(bySize.points, plotter.XY{X: m.Params, Y: cr})
			}
			allSizes = append(allSizes, m.Params)
		}
		byStep := series{color: c, shape: shape, law: law, at: func(s float64) (float64, float64) { return largest.Params, s }}
		for _, s := range steps {
			if cr, ok := t.CR(largest.Name, s); ok {
				byStep.points = append(byStep.points, plotter.XY{X: float64(s), Y: cr})
			}
			allSteps = append(allSteps, float64(s))
		}
		sizeLines, stepLines = append(sizeLines, bySize), append(stepLines, byStep)
		thumbs := []plot.Thumbnailer{pointThumb(c, shape)}
		if law.Fit != nil {
			thumbs = append([]plot.Thumbnailer{lineThumb(c)}, thumbs...)
			hasFit = true
		}
		hasBand = hasBand || law.Bootstrap != nil
		key = append(key, keyEntry{label: modalityTitle(t.Modality) + " (" + cellsLabel(t) + ")", thumbs: thumbs})
		lastSteps[Count(float64(last))] = true
		largestModels[largest.Name] = true
	}
	grey := color.RGBA{0x55, 0x55, 0x55, 0xff}
	if hasFit {
		key = append(key, keyEntry{label: "fitted law (this project's refit)", thumbs: []plot.Thumbnailer{lineThumb(grey)}})
	}
	if hasBand {
		for _, l := range laws {
			if l.Bootstrap != nil {
				key = append(key, keyEntry{label: l.bandLabel(), thumbs: []plot.Thumbnailer{bandThumb(grey)}})
				break
			}
		}
	}
	bySize, err := curvePlot("CR vs model size at the last checkpoint"+common(lastSteps, " (step %s)"), "parameters", allSizes, sizeLines)
	if err != nil {
		return Figure{}, fmt.Errorf("comparison figure: %w", err)
	}
	byStep, err := curvePlot("CR vs training step of the largest model"+common(largestModels, " (%s)"), "training step", allSteps, stepLines)
	if err != nil {
		return Figure{}, fmt.Errorf("comparison figure: %w", err)
	}
	for _, p := range []*plot.Plot{bySize, byStep} {
		p.Title.TextStyle.Font.Size = titleSize
		p.Y.Label.Text = "compression ratio (lower is better)"
		p.Y.Tick.Marker = niceTicks(7)
	}
	return Figure{
		Name:   "figure4_combined",
		Width:  11 * vg.Inch,
		Height: 5 * vg.Inch,
		title:  "The modalities compared (Figure 4 of the author's blog post)",
		key:    key,
		grid:   grid{cells: [][]panel{{plotPanel{bySize}, plotPanel{byStep}}}},
	}, nil
}

// common formats the one value of set with format, or is empty when the
// tables differ.
func common(set map[string]bool, format string) string {
	if len(set) != 1 {
		return ""
	}
	for v := range set {
		return fmt.Sprintf(format, v)
	}
	return ""
}
