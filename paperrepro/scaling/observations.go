package scaling

import (
	"fmt"
	"math"
	"slices"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Observation is one measured cell: the compression ratio CR of a model of P
// parameters after S training steps.
type Observation struct {
	Model string // model name, for reports
	P     float64
	S     float64
	CR    float64
}

// Observations turns a results table into observations, one per row.
func Observations(t results.Table) []Observation {
	obs := make([]Observation, len(t.Rows))
	for i, r := range t.Rows {
		obs[i] = Observation{Model: r.Model, P: r.Params, S: float64(r.Step), CR: r.CR}
	}
	return obs
}

// WithoutSteps returns the observations whose step is none of steps: a
// table without its step-1000 column, say, where the models are still near
// random and carry most of the variance.
func WithoutSteps(obs []Observation, steps ...float64) []Observation {
	return slices.DeleteFunc(slices.Clone(obs), func(o Observation) bool { return slices.Contains(steps, o.S) })
}

// WithSizes returns obs with every P replaced by size(model): to fit on
// exact or non-embedding parameter counts instead of nominal sizes (for
// Pythia, size can wrap neox.PythiaConfig). It fails when size does for
// any model, or returns a size that is not positive.
func WithSizes(obs []Observation, size func(model string) (float64, error)) ([]Observation, error) {
	out := slices.Clone(obs)
	for i := range out {
		p, err := checkedSize(size, out[i].Model)
		if err != nil {
			return nil, err
		}
		out[i].P = p
	}
	return out, nil
}

// checkedSize is size(model), or an error naming the model when size fails
// or gives a size that is not positive.
func checkedSize(size func(model string) (float64, error), model string) (float64, error) {
	p, err := size(model)
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", model, err)
	}
	if !(p > 0) || math.IsInf(p, 0) {
		return 0, fmt.Errorf("size of %s: %g is not a positive parameter count", model, p)
	}
	return p, nil
}

// TableWithSizes returns a copy of t with every row's Params replaced by
// size(model), as WithSizes does for observations: the same cells on
// another count of parameters, for Analyze or PredictFit.
func TableWithSizes(t results.Table, size func(model string) (float64, error)) (results.Table, error) {
	out := t
	out.Rows = slices.Clone(t.Rows)
	for i := range out.Rows {
		p, err := checkedSize(size, out.Rows[i].Model)
		if err != nil {
			return results.Table{}, fmt.Errorf("%s table: %w", t.Modality, err)
		}
		out.Rows[i].Params = p
	}
	out.Sort()
	return out, nil
}

// Rescaled returns obs with every CR multiplied by k: the same table in
// other units (8 ln 2 converts bits per bit to nats per byte). A power law's
// exponents do not change with units; a, b and c scale by k.
func Rescaled(obs []Observation, k float64) []Observation {
	out := slices.Clone(obs)
	for i := range out {
		out[i].CR *= k
	}
	return out
}
