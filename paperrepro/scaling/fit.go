package scaling

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Result is a fitted scaling law and how well it fits its data.
type Result struct {
	// Form is the fitted functional form.
	Form Form
	// Coef holds the fitted coefficients in the order of
	// Form.Coefficients().
	Coef []float64
	// Cells holds every observation with the fit's prediction there.
	Cells []Cell
	// R2 is the coefficient of determination, 1 - SS_res / SS_tot.
	R2 float64
	// RMSE is the root mean squared residual, in units of CR.
	RMSE float64
	// Starts is how many initial points the multi-start search descended
	// from: the distinct local minima of the form's start profile.
	Starts int
	// AtBound[j] reports whether coefficient j ended on a bound of the fit
	// (a = 0, an exponent at 0 or MaxExponent, a scale at e^±50): the data
	// would have pulled it further, so its value is the bound's, not the
	// data's. Nil for a Result of Evaluate.
	AtBound []bool

	par   Parametrization
	theta []float64
}

// Cell is one observation with the fitted value there.
type Cell struct {
	Observation
	// Predicted is the fit's CR at the observation's P and S.
	Predicted float64
	// Residual is CR - Predicted.
	Residual float64
}

// Predict is the fitted CR at model size p and training step s.
func (r *Result) Predict(p, s float64) float64 { return r.Form.Eval(r.Coef, p, s) }

// Coefficient returns the fitted value of the named coefficient, and false
// when the form has none of that name.
func (r *Result) Coefficient(name string) (float64, bool) {
	i := slices.Index(r.Form.Coefficients(), name)
	if i < 0 {
		return 0, false
	}
	return r.Coef[i], true
}

// Fit fits form to obs by least squares: a bound-constrained
// Levenberg-Marquardt descent from each local minimum of the form's start
// profile (the cost over a grid of exponents, with the linear coefficients
// solved exactly at each point), keeping the lowest cost.
func Fit(form Form, obs []Observation) (*Result, error) {
	par, err := form.Parametrize(obs)
	if err != nil {
		return nil, err
	}
	starts := par.Starts(nil)
	solver := newLMSolver(par, obs, nil)
	theta, cost := bestOf(solver, starts)
	if math.IsInf(cost, 0) || math.IsNaN(cost) {
		return nil, fmt.Errorf("fitting %s: no start converged to a finite cost", form.Name())
	}
	return newResult(form, par, theta, obs, len(starts)), nil
}

// FitTable fits form to a results table.
func FitTable(form Form, t results.Table) (*Result, error) {
	r, err := Fit(form, Observations(t))
	if err != nil {
		return nil, fmt.Errorf("%s table: %w", t.Modality, err)
	}
	return r, nil
}

// bestOf runs the solver from each start and returns the lowest-cost end
// point; ties keep the earlier start, so results do not depend on timing.
func bestOf(solver *lmSolver, starts [][]float64) ([]float64, float64) {
	var best []float64
	bestCost := math.Inf(1)
	for _, st := range starts {
		theta, cost := solver.minimize(st)
		if cost < bestCost {
			best, bestCost = theta, cost
		}
	}
	return best, bestCost
}

func newResult(form Form, par Parametrization, theta []float64, obs []Observation, starts int) *Result {
	r := &Result{Form: form, Coef: par.Coefficients(theta), Starts: starts, AtBound: atBound(par, theta), par: par, theta: theta}
	r.score(obs, func(i int) float64 { return par.Value(theta, i, nil) })
	return r
}

// atBound reports which parameters of theta sit on a bound of par.
func atBound(par Parametrization, theta []float64) []bool {
	lo, hi := par.Bounds()
	at := make([]bool, len(theta))
	for j, v := range theta {
		at[j] = v <= lo[j] || v >= hi[j]
	}
	return at
}

// score fills Cells, R2 and RMSE from the prediction at each observation.
func (r *Result) score(obs []Observation, predict func(i int) float64) {
	var mean float64
	for _, o := range obs {
		mean += o.CR
	}
	mean /= float64(len(obs))
	var ssRes, ssTot float64
	for i, o := range obs {
		pred := predict(i)
		r.Cells = append(r.Cells, Cell{Observation: o, Predicted: pred, Residual: o.CR - pred})
		ssRes += (o.CR - pred) * (o.CR - pred)
		ssTot += (o.CR - mean) * (o.CR - mean)
	}
	r.R2 = 1 - ssRes/ssTot
	r.RMSE = math.Sqrt(ssRes / float64(len(obs)))
}

// Evaluate scores fixed coefficients of form on obs without fitting: the
// R^2, RMSE and residuals of, say, the paper's printed Table 1 on its own
// tables. The Result cannot be bootstrapped.
func Evaluate(form Form, coef []float64, obs []Observation) (*Result, error) {
	if want := len(form.Coefficients()); len(coef) != want {
		return nil, fmt.Errorf("evaluating %s: %d coefficients given, the form has %d (%s)", form.Name(), len(coef), want, strings.Join(form.Coefficients(), ", "))
	}
	if len(obs) == 0 {
		return nil, fmt.Errorf("evaluating %s: no cells", form.Name())
	}
	r := &Result{Form: form, Coef: slices.Clone(coef)}
	r.score(obs, func(i int) float64 { return form.Eval(coef, obs[i].P, obs[i].S) })
	return r, nil
}
