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
	// Extrapolation is how far P lies outside the sizes the fit saw, as a
	// factor (1.4 for 1.4B fitted on 70M..1B; 1 for a size inside the
	// range): see Extrapolation.
	Extrapolation float64
}

// modelSizes returns the distinct model sizes P of obs, in increasing order.
func modelSizes(obs []Observation) []float64 {
	var sizes []float64
	for _, o := range obs {
		if !slices.Contains(sizes, o.P) {
			sizes = append(sizes, o.P)
		}
	}
	slices.Sort(sizes)
	return sizes
}

// MinHoldoutSizes is the fewest model sizes LeaveOneSizeOut works with: each
// fit must still see two sizes to determine the size exponent.
const MinHoldoutSizes = 3

// LeaveOneSizeOut fits form once per model size with that size's cells left
// out and reports the error of each fit on the cells it did not see: how
// well the law extrapolates (or, for middle sizes, interpolates) in P.
func LeaveOneSizeOut(form Form, obs []Observation) ([]Holdout, error) {
	sizes := modelSizes(obs)
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
		h.Extrapolation, _ = Extrapolation(train, p, test[0].S)
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

// Extrapolation returns how far model size p and step s lie outside the
// sizes and steps of obs, each as a factor >= 1: p / (largest P) above the
// range, (smallest P) / p below it, 1 inside it; likewise for s. The
// paper's CR(5e9, 2e5) from its 70M..1.4B, 1k..143k grid is 3.6x in P and
// 1.4x in S. Both are NaN when obs is empty.
func Extrapolation(obs []Observation, p, s float64) (inP, inS float64) {
	if len(obs) == 0 {
		return math.NaN(), math.NaN()
	}
	factor := func(v float64, of func(Observation) float64) float64 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, o := range obs {
			lo, hi = min(lo, of(o)), max(hi, of(o))
		}
		switch {
		case v > hi:
			return v / hi
		case v < lo:
			return lo / v
		}
		return 1
	}
	return factor(p, func(o Observation) float64 { return o.P }), factor(s, func(o Observation) float64 { return o.S })
}
