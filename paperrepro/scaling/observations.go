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
		p, err := size(out[i].Model)
		if err != nil {
			return nil, fmt.Errorf("size of %s: %w", out[i].Model, err)
		}
		if !(p > 0) || math.IsInf(p, 0) {
			return nil, fmt.Errorf("size of %s: %g is not a positive parameter count", out[i].Model, p)
		}
		out[i].P = p
	}
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
