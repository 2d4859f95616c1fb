package scaling

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// LogLogFit fits the pure power law y = k x^-alpha, with no irreducible
// term, as the straight line ln y = ln k - alpha ln x by ordinary least
// squares, and returns alpha and k. That is how Kaplan et al. (2020) state
// their laws, L(N) = (N_c / N)^alpha_N: the exponent it gives is not the
// alpha of the paper's form, which is the exponent of what is left after
// subtracting a floor. It fails unless x and y are positive, of the same
// length, and x takes at least 2 distinct values.
func LogLogFit(x, y []float64) (alpha, k float64, err error) {
	if len(x) != len(y) {
		return 0, 0, fmt.Errorf("log-log fit: %d x values and %d y values", len(x), len(y))
	}
	lx, ly := make([]float64, len(x)), make([]float64, len(y))
	distinct := map[float64]bool{}
	for i := range x {
		if !(x[i] > 0) || !(y[i] > 0) || math.IsInf(x[i], 0) || math.IsInf(y[i], 0) {
			return 0, 0, fmt.Errorf("log-log fit: point %d (%g, %g) is not positive and finite", i, x[i], y[i])
		}
		lx[i], ly[i] = math.Log(x[i]), math.Log(y[i])
		distinct[x[i]] = true
	}
	if len(distinct) < 2 {
		return 0, 0, fmt.Errorf("log-log fit: x takes %d distinct value(s), need 2", len(distinct))
	}
	intercept, slope := stat.LinearRegression(lx, ly, nil, false)
	return -slope, math.Exp(intercept), nil
}
