package scaling

import (
	"fmt"
	"math"
	"slices"
)

// Holdout is the extrapolation check for one model size: the law fitted to
// every other size, compared with the held-out size's cells.
type Holdout struct {
	// Model names the held-out model; P is its size.
	Model string
	P     float64
	// Coef are the coefficients fitted without this size.
	Coef []float64
	// Cells are the held-out cells with the predictions of that fit.
	Cells []Cell
	// RMSE, MaxAbsError and MeanRelError summarise Cells' residuals
	// (MeanRelError is the mean of |residual| / CR).
	RMSE, MaxAbsError, MeanRelError float64
}

// MinHoldoutSizes is the fewest model sizes LeaveOneSizeOut works with: each
// fit must still see two sizes to determine the size exponent.
const MinHoldoutSizes = 3

// LeaveOneSizeOut fits form once per model size with that size's cells left
// out and reports the error of each fit on the cells it did not see: how
// well the law extrapolates (or, for middle sizes, interpolates) in P.
func LeaveOneSizeOut(form Form, obs []Observation) ([]Holdout, error) {
	var sizes []float64
	for _, o := range obs {
		if !slices.Contains(sizes, o.P) {
			sizes = append(sizes, o.P)
		}
	}
	slices.Sort(sizes)
	if len(sizes) < MinHoldoutSizes {
		return nil, fmt.Errorf("leave-one-size-out with %s: %d model sizes; need at least %d so that each fit sees 2", form.Name(), len(sizes), MinHoldoutSizes)
	}
	var out []Holdout
	for _, p := range sizes {
		var train, test []Observation
		for _, o := range obs {
			if o.P == p {
				test = append(test, o)
			} else {
				train = append(train, o)
			}
		}
		fit, err := Fit(form, train)
		if err != nil {
			return nil, fmt.Errorf("leave-one-size-out, holding out P=%g: %w", p, err)
		}
		h := Holdout{Model: test[0].Model, P: p, Coef: fit.Coef}
		var ss float64
		for _, o := range test {
			pred := fit.Predict(o.P, o.S)
			c := Cell{Observation: o, Predicted: pred, Residual: o.CR - pred}
			h.Cells = append(h.Cells, c)
			ss += c.Residual * c.Residual
			h.MaxAbsError = max(h.MaxAbsError, math.Abs(c.Residual))
			h.MeanRelError += math.Abs(c.Residual) / o.CR
		}
		h.RMSE = math.Sqrt(ss / float64(len(test)))
		h.MeanRelError /= float64(len(test))
		out = append(out, h)
	}
	return out, nil
}
