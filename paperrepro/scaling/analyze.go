package scaling

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Analysis is everything the reproduction reports about one table's fit.
type Analysis struct {
	Modality  string
	Fit       *Result
	Bootstrap *BootstrapResult
	// Holdouts has one leave-one-size-out check per model size, smallest
	// first; it is empty when the table has fewer than MinHoldoutSizes
	// model sizes.
	Holdouts []Holdout
}

// Analyze fits form to table t, bootstraps confidence intervals with opts
// and, when t has at least MinHoldoutSizes model sizes, runs the
// leave-one-size-out check.
func Analyze(form Form, t results.Table, opts BootstrapOptions) (*Analysis, error) {
	fit, err := FitTable(form, t)
	if err != nil {
		return nil, err
	}
	boot, err := Bootstrap(fit, opts)
	if err != nil {
		return nil, fmt.Errorf("%s table: %w", t.Modality, err)
	}
	a := &Analysis{Modality: t.Modality, Fit: fit, Bootstrap: boot}
	if obs := Observations(t); len(modelSizes(obs)) >= MinHoldoutSizes {
		if a.Holdouts, err = LeaveOneSizeOut(form, obs); err != nil {
			return nil, fmt.Errorf("%s table: %w", t.Modality, err)
		}
	}
	return a, nil
}

// HoldoutRatios returns, per held-out model size (in the order of
// Holdouts), the held-out RMSE over the in-sample RMSE of the fit to all
// cells: how much worse the law predicts a size it has not seen than the
// cells it was fitted to.
func (a *Analysis) HoldoutRatios() []float64 {
	ratios := make([]float64, len(a.Holdouts))
	for i, h := range a.Holdouts {
		ratios[i] = h.RMSE / a.Fit.RMSE
	}
	return ratios
}
