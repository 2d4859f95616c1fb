package scaling

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/stat"
)

// BootstrapOptions configures Bootstrap. The zero value means 1000
// resamples, seed 0 and 95% intervals.
type BootstrapOptions struct {
	// Resamples is the number of bootstrap resamples (default 1000).
	Resamples int
	// Seed makes the resamples reproducible: the same seed gives the same
	// intervals, whatever the number of CPUs.
	Seed uint64
	// Level is the confidence level of the intervals (default 0.95).
	Level float64
}

func (o BootstrapOptions) withDefaults() BootstrapOptions {
	if o.Resamples == 0 {
		o.Resamples = 1000
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	return o
}

// Interval is a bootstrap confidence interval of one coefficient.
type Interval struct {
	Name     string
	Estimate float64 // the fit on all cells
	Lo, Hi   float64
}

// BootstrapResult holds the confidence intervals of every coefficient and
// the refitted coefficients behind them.
type BootstrapResult struct {
	Options BootstrapOptions
	// Intervals has one percentile interval per coefficient, in the order
	// of Form.Coefficients().
	Intervals []Interval
	// Samples[i] holds the coefficients fitted to resample i.
	Samples [][]float64
	// AtBound[j] counts the resamples whose fit has coefficient j on a
	// bound (see Result.AtBound). A percentile interval that reaches a
	// bound says the data leave that coefficient loose, not that the bound
	// is its limit.
	AtBound []int
}

// Interval returns the interval of the named coefficient, and false when
// there is none.
func (b *BootstrapResult) Interval(name string) (Interval, bool) {
	for _, iv := range b.Intervals {
		if iv.Name == name {
			return iv, true
		}
	}
	return Interval{}, false
}

// Bootstrap estimates percentile confidence intervals for every coefficient
// of fit by resampling its cells with replacement and refitting each
// resample. Resample i draws from its own random stream (seeded by Seed and
// i), so the result is the same however the work is spread over CPUs.
func Bootstrap(fit *Result, opts BootstrapOptions) (*BootstrapResult, error) {
	opts = opts.withDefaults()
	if opts.Resamples < 2 || !(opts.Level > 0 && opts.Level < 1) {
		return nil, fmt.Errorf("bootstrap of %s: need at least 2 resamples and a level in (0, 1), got %d and %g", fit.Form.Name(), opts.Resamples, opts.Level)
	}
	if fit.par == nil {
		return nil, fmt.Errorf("bootstrap of %s: the result was not fitted (Evaluate's results cannot be resampled)", fit.Form.Name())
	}
	obs := make([]Observation, len(fit.Cells))
	for i, c := range fit.Cells {
		obs[i] = c.Observation
	}
	samples := make([][]float64, opts.Resamples)
	bound := make([][]bool, opts.Resamples)
	workers := min(runtime.GOMAXPROCS(0), opts.Resamples)
	var wg sync.WaitGroup
	for worker := range workers {
		wg.Go(func() {
			w := make([]float64, len(obs))
			solver := newLMSolver(fit.par, obs, w)
			for i := worker; i < opts.Resamples; i += workers {
				resampleWeights(opts.Seed, i, w)
				starts := append([][]float64{fit.theta}, fit.par.Starts(w)...)
				theta, _ := bestOf(solver, starts)
				samples[i] = fit.par.Coefficients(theta)
				bound[i] = atBound(fit.par, theta)
			}
		})
	}
	wg.Wait()

	names := fit.Form.Coefficients()
	res := &BootstrapResult{Options: opts, Samples: samples, AtBound: make([]int, len(names))}
	for _, b := range bound {
		for j, at := range b {
			if at {
				res.AtBound[j]++
			}
		}
	}
	tail := (1 - opts.Level) / 2
	col := make([]float64, 0, len(samples))
	for j, name := range names {
		col = col[:0]
		for _, s := range samples {
			if !math.IsNaN(s[j]) {
				col = append(col, s[j])
			}
		}
		if len(col) == 0 {
			return nil, fmt.Errorf("bootstrap of %s: coefficient %s is NaN in every resample", fit.Form.Name(), name)
		}
		res.Intervals = append(res.Intervals, Interval{
			Name:     name,
			Estimate: fit.Coef[j],
			Lo:       Quantile(col, tail),
			Hi:       Quantile(col, 1-tail),
		})
	}
	return res, nil
}

// resampleWeights draws bootstrap resample i of seed: w[j] is how many
// times cell j is drawn when len(w) cells are drawn with replacement.
func resampleWeights(seed uint64, i int, w []float64) {
	rng := rand.New(rand.NewPCG(seed, uint64(i)))
	clear(w)
	for range w {
		w[rng.IntN(len(w))]++
	}
}

// Predictions returns form's CR at model size p and step s under each
// resample's coefficients (NaN where they give none): the bootstrap
// distribution of an extrapolation such as the paper's CR(5e9, 2e5).
func (b *BootstrapResult) Predictions(form Form, p, s float64) []float64 {
	preds := make([]float64, len(b.Samples))
	for i, coef := range b.Samples {
		preds[i] = form.Eval(coef, p, s)
	}
	return preds
}

// PredictionInterval returns the percentile interval, at the bootstrap's
// level, of Predictions(form, p, s), NaN and infinite values left out.
func (b *BootstrapResult) PredictionInterval(form Form, p, s float64) (lo, hi float64) {
	preds := slices.DeleteFunc(b.Predictions(form, p, s), func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) })
	if len(preds) == 0 {
		return math.NaN(), math.NaN()
	}
	tail := (1 - b.Options.Level) / 2
	return Quantile(preds, tail), Quantile(preds, 1-tail)
}

// Quantile is the q-quantile of values (in any order; NaN values are not
// allowed) by linear interpolation of the empirical distribution function
// (gonum's stat.LinInterp): the one quantile definition of every interval
// the project reports, so a notebook and `paperrepro fit` agree. It is NaN
// for no values or q outside [0, 1].
func Quantile(values []float64, q float64) float64 {
	if len(values) == 0 || !(q >= 0 && q <= 1) {
		return math.NaN()
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	return stat.Quantile(q, stat.LinInterp, sorted, nil)
}
