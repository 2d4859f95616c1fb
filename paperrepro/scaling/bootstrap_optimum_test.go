package scaling

import (
	"math"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// TestBootstrapResamplesReachTheirOptimum checks every bootstrap resample's
// fit on the paper's tables, not only the intervals they make. Speech's
// beta interval used to print as [0.5, 1.5], two values of the old start
// grid, which raised the question whether resample fits stopped where they
// started or on a bound. They did not stop on their starts, but the old
// fitter did stop short: a step that crossed a bound was clipped, rejected
// and shrunk until the solver gave up beside the bound, and the two
// screened starts could miss the basin a resample's optimum lay in.
//
// A resample fit must therefore (1) be stationary: for every parameter not
// held by a bound, the gradient is orthogonal to the residuals (MINPACK's
// gtol measure, |J_j' W r| / (||J_j||_W ||r||_W) <= 1e-3), and (2) be at
// least as good as the best point of a fine grid of exponents with a, b,
// c solved exactly there (variable projection), which does not use the
// solver at all.
func TestBootstrapResamplesReachTheirOptimum(t *testing.T) {
	paper, err := results.LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	const resamples = 120
	for _, table := range paper.Tables {
		t.Run(table.Modality, func(t *testing.T) {
			fit, err := FitTable(PowerLaw{}, table)
			if err != nil {
				t.Fatal(err)
			}
			boot, err := Bootstrap(fit, BootstrapOptions{Resamples: resamples, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			q := fit.par.(*separableParams)
			grid, gridPhi := fineProfileBasis(q, 48)
			obs := Observations(table)
			w := make([]float64, len(obs))
			for i, coef := range boot.Samples {
				resampleWeights(1, i, w)
				cost := weightedCost(PowerLaw{}, coef, obs, w)
				theta := powerLawTheta(q, coef)
				if g := orthogonality(q, obs, w, theta); g > 1e-3 {
					t.Errorf("resample %d: fit %.4g is not stationary: gradient-residual cosine %.2g", i, coef, g)
				}
				if best, e := profileMinimum(q, w, grid, gridPhi); best < cost*(1-1e-7) {
					t.Errorf("resample %d: fit %.4g costs %.8g; the grid point alpha, beta = %.3g does better, %.8g", i, coef, cost, e, best)
				}
			}
			t.Logf("%d resamples; coefficients on a bound: %v of %v", resamples, boot.AtBound, fit.Form.Coefficients())
		})
	}
}

// weightedCost is sum_i w_i (CR_i - form(coef))^2, from the form alone.
func weightedCost(form Form, coef []float64, obs []Observation, w []float64) float64 {
	var c float64
	for i, o := range obs {
		r := o.CR - form.Eval(coef, o.P, o.S)
		c += w[i] * r * r
	}
	return c
}

// powerLawTheta inverts PowerLaw's Coefficients: the solver's parameters
// of the coefficients coef.
func powerLawTheta(q *separableParams, coef []float64) []float64 {
	return []float64{coef[0], math.Log(coef[1]) - coef[3]*q.logP0, math.Log(coef[2]) - coef[4]*q.logS0, coef[3], coef[4]}
}

// orthogonality is the largest |J_j' W r| / (||J_j||_W ||r||_W) over the
// parameters j that no bound holds and that move the fit at all (a term
// scaled by e^-50 leaves its exponent without effect).
func orthogonality(par Parametrization, obs []Observation, w, theta []float64) float64 {
	s := newLMSolver(par, obs, w)
	cost := s.evaluate(theta, s.res, s.jac)
	s.normalEquations()
	s.holdBlocked(theta)
	worst := 0.0
	for j := range theta {
		h := s.jtj.At(j, j)
		if s.held[j] || h <= 1e-20*cost {
			continue
		}
		worst = max(worst, math.Abs(s.jtr.AtVec(j))/math.Sqrt(h*cost))
	}
	return worst
}

// fineProfileBasis returns n x n exponent pairs in (0, MaxExponent],
// denser near 0 where the exponents of the paper's tables lie, and q's basis
// values at each.
func fineProfileBasis(q *separableParams, n int) (grid, gridPhi [][]float64) {
	nl, cells := len(q.spec.kinds), len(q.cr)
	for i := 1; i <= n; i++ {
		for j := 1; j <= n; j++ {
			u, v := float64(i)/float64(n), float64(j)/float64(n)
			e := []float64{MaxExponent * u * u, MaxExponent * v * v}
			phi := make([]float64, cells*nl)
			for k := range cells {
				q.spec.basis(q.x[k], q.y[k], e, phi[k*nl:(k+1)*nl], nil)
			}
			grid, gridPhi = append(grid, e), append(gridPhi, phi)
		}
	}
	return grid, gridPhi
}

// profileMinimum returns the lowest cost over the grid, with the linear
// coefficients solved exactly at each point, and the point.
func profileMinimum(q *separableParams, w []float64, grid, gridPhi [][]float64) (float64, []float64) {
	best, at := math.Inf(1), []float64(nil)
	for g, phi := range gridPhi {
		if _, c := q.projectLinear(phi, w); c < best {
			best, at = c, grid[g]
		}
	}
	return best, at
}
