package figures

import (
	"fmt"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Figures builds every figure for tables (one per modality) and their laws
// (one per table, or nil to draw the data alone): Figure 1's heatmaps, the
// scaling curves of each table, the residuals of the fitted laws (when any
// table has one) and the modality comparison. It returns an error naming
// the table and cell when a table cannot be drawn: no cells, a size or step
// that is not positive, a CR that is not a positive number, a model with two
// sizes or a cell given twice.
func Figures(tables []results.Table, laws []Law) ([]Figure, error) {
	if err := checkInputs(tables, laws); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	heatmaps, err := Heatmaps(tables, laws)
	if err != nil {
		return nil, err
	}
	out := []Figure{heatmaps}
	for i, t := range tables {
		f, err := ScalingCurves(t, lawAt(laws, i))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	for _, l := range laws {
		if l.Fit != nil {
			res, err := Residuals(tables, laws)
			if err != nil {
				return nil, err
			}
			out = append(out, res)
			break
		}
	}
	comparison, err := Comparison(tables, laws)
	if err != nil {
		return nil, err
	}
	return append(out, comparison), nil
}

// WriteAll fits the law to each table and bootstraps it with
// DefaultBootstrap (see FitLaws), builds every figure and writes them into
// dir (made if missing) as PNG and SVG. It returns the paths written.
func WriteAll(dir string, tables []results.Table) ([]string, error) {
	laws, err := FitLaws(tables, DefaultBootstrap)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	figs, err := Figures(tables, laws)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("writing figures: %w", err)
	}
	var paths []string
	for _, f := range figs {
		ps, err := f.Write(dir)
		if err != nil {
			return nil, err
		}
		paths = append(paths, ps...)
	}
	return paths, nil
}
