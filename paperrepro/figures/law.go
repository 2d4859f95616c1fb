package figures

import (
	"fmt"
	"math"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Law is one table's fitted scaling law as the figures draw it: the fitted
// curves, and the bootstrap band around them.
type Law struct {
	// Fit is the least-squares fit; nil draws the table's data alone.
	Fit *scaling.Result
	// Bootstrap gives the band around the fitted curves; nil draws the
	// curves without one.
	Bootstrap *scaling.BootstrapResult
	// FitErr says why Fit is nil (the table has too few cells, say); the
	// figures print it where the law would be.
	FitErr error
}

// DefaultBootstrap are the bootstrap settings of `paperrepro fit`, so that
// the bands in the figures are the intervals it prints.
var DefaultBootstrap = scaling.BootstrapOptions{Resamples: 1000, Seed: 1, Level: 0.95}

// FitLaws fits scaling.PowerLaw to each table and bootstraps it with opts.
// A table that cannot be fitted (too few cells) gets a Law with only FitErr
// set, and is drawn without curves; a table the figures could not draw at
// all (see Figures) is an error.
func FitLaws(tables []results.Table, opts scaling.BootstrapOptions) ([]Law, error) {
	laws, err := RefitLaws(tables)
	if err != nil {
		return nil, err
	}
	for i, t := range tables {
		if laws[i].Fit == nil {
			continue
		}
		if laws[i].Bootstrap, err = scaling.Bootstrap(laws[i].Fit, opts); err != nil {
			return nil, fmt.Errorf("%s table: %w", modalityTitle(t.Modality), err)
		}
	}
	return laws, nil
}

// RefitLaws is FitLaws without the bootstrap: the laws of a figure that
// draws no band (Heatmaps), in a fraction of the time.
func RefitLaws(tables []results.Table) ([]Law, error) {
	laws := make([]Law, len(tables))
	for i, t := range tables {
		if err := checkTable(t); err != nil {
			return nil, err
		}
		fit, err := scaling.FitTable(scaling.PowerLaw{}, t)
		if err != nil {
			laws[i] = Law{FitErr: err}
			continue
		}
		laws[i] = Law{Fit: fit}
	}
	return laws, nil
}

// band is the bootstrap interval of the law's CR at (p, s), and false when
// the law has no bootstrap or no resample gives a finite value there.
func (l Law) band(p, s float64) (lo, hi float64, ok bool) {
	if l.Fit == nil || l.Bootstrap == nil {
		return 0, 0, false
	}
	lo, hi = l.Bootstrap.PredictionInterval(l.Fit.Form, p, s)
	return lo, hi, isFinite(lo) && isFinite(hi)
}

// bandLabel describes the band for a figure's key.
func (l Law) bandLabel() string {
	o := l.Bootstrap.Options
	return fmt.Sprintf("%g%% bootstrap band (%d resamples of the cells)", 100*o.Level, len(l.Bootstrap.Samples))
}

// checkTable reports what would keep a table from being plotted: no cells,
// a size or step that is not positive (both axes are logarithmic), a CR that
// is not a positive number, a model with two sizes, or a cell given twice.
// A grid with missing cells is fine: the figures leave them blank.
func checkTable(t results.Table) error {
	name := modalityTitle(t.Modality) + " table"
	if len(t.Rows) == 0 {
		return fmt.Errorf("%s: no cells to draw", name)
	}
	type cell struct {
		model string
		step  int
	}
	sizes := map[string]float64{}
	seen := map[cell]bool{}
	for _, r := range t.Rows {
		switch {
		case r.Model == "":
			return fmt.Errorf("%s: a cell at step %d has no model name", name, r.Step)
		case !(r.Params > 0) || math.IsInf(r.Params, 0):
			return fmt.Errorf("%s: model %s has %g parameters; the size axis is logarithmic and needs a positive size", name, r.Model, r.Params)
		case r.Step <= 0:
			return fmt.Errorf("%s: model %s has step %d; the step axis is logarithmic and needs steps > 0 (a run of a local checkpoint must be given its training step)", name, r.Model, r.Step)
		case !(r.CR > 0) || math.IsInf(r.CR, 0):
			return fmt.Errorf("%s: model %s step %d has compression ratio %g, want a positive number", name, r.Model, r.Step, r.CR)
		}
		if p, ok := sizes[r.Model]; ok && p != r.Params {
			return fmt.Errorf("%s: model %s has two sizes, %g and %g", name, r.Model, p, r.Params)
		}
		sizes[r.Model] = r.Params
		if seen[cell{r.Model, r.Step}] {
			return fmt.Errorf("%s: model %s step %d appears twice", name, r.Model, r.Step)
		}
		seen[cell{r.Model, r.Step}] = true
	}
	return nil
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// cellsLabel says where a table's cells come from, for keys and titles:
// its Source ("paper, Table 2", "this project, computed 2026-01-02,
// xla:cuda"), or that the table does not say. A figure never calls the
// cells "measured": the paper's tables are transcribed, not measured here.
func cellsLabel(t results.Table) string {
	if t.Source == "" {
		return "cells (source not given)"
	}
	return t.Source
}

// modalityTitle names a table's modality in titles and messages.
func modalityTitle(m string) string {
	if m == "" {
		return "unnamed"
	}
	return m
}
