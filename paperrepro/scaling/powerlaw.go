package scaling

import (
	"fmt"
	"math"
)

// PowerLaw is the paper's form CR(P, S) = a + b P^-alpha + c S^-beta: an
// irreducible ratio a plus one power-law term in model size and one in
// training steps. Coefficients are {a, b, c, alpha, beta}.
//
// Fits keep a >= 0, b, c > 0 and 0 <= alpha, beta <= MaxExponent.
type PowerLaw struct{}

// MaxExponent bounds alpha and beta in PowerLaw fits: beyond it a power-law
// term is already negligible at every size but the smallest, so larger
// values only chase noise.
const MaxExponent = 4.0

// startExponents is the grid of alpha and beta values the multi-start search
// begins from; for each pair, a, b and c start at their linear least-squares
// values, so the grid needs no axes for them.
var startExponents = []float64{0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1, 1.5, 2.5}

// Name implements Form.
func (PowerLaw) Name() string { return "CR = a + b*P^-alpha + c*S^-beta" }

// Coefficients implements Form.
func (PowerLaw) Coefficients() []string { return []string{"a", "b", "c", "alpha", "beta"} }

// Eval implements Form.
func (PowerLaw) Eval(coef []float64, p, s float64) float64 {
	return coef[0] + coef[1]*math.Pow(p, -coef[3]) + coef[2]*math.Pow(s, -coef[4])
}

// Parametrize implements Form. The fit moves theta = (a, ln B, ln C, alpha,
// beta) with b P^-alpha = B (P/P0)^-alpha, where P0 and S0 are the geometric
// means of the data's P and S: the columns of the Jacobian for ln B and alpha
// are then nearly orthogonal instead of nearly parallel (ln P varies by
// 15% over the paper's grid), and b's many orders of magnitude become a
// log scale.
func (PowerLaw) Parametrize(obs []Observation) (Parametrization, error) {
	if len(obs) < 6 {
		return nil, fmt.Errorf("fitting %s: %d cells cannot determine 5 coefficients; need at least 6", PowerLaw{}.Name(), len(obs))
	}
	ps, ss := map[float64]bool{}, map[float64]bool{}
	q := &powerLawParams{x: make([]float64, len(obs)), y: make([]float64, len(obs)), cr: make([]float64, len(obs))}
	var logP0, logS0 float64
	for i, o := range obs {
		if !(o.P > 0) || !(o.S > 0) || math.IsInf(o.P, 0) || math.IsInf(o.S, 0) {
			return nil, fmt.Errorf("fitting %s: model %s at step %g: P and S must be positive and finite for a power law", PowerLaw{}.Name(), o.Model, o.S)
		}
		if math.IsNaN(o.CR) || math.IsInf(o.CR, 0) {
			return nil, fmt.Errorf("fitting %s: model %s at step %g: compression ratio %g is not finite", PowerLaw{}.Name(), o.Model, o.S, o.CR)
		}
		ps[o.P], ss[o.S] = true, true
		q.x[i], q.y[i], q.cr[i] = math.Log(o.P), math.Log(o.S), o.CR
		logP0 += q.x[i]
		logS0 += q.y[i]
	}
	if len(ps) < 2 || len(ss) < 2 {
		return nil, fmt.Errorf("fitting %s: the data has %d model sizes and %d steps; an exponent needs at least 2 of each", PowerLaw{}.Name(), len(ps), len(ss))
	}
	q.logP0, q.logS0 = logP0/float64(len(obs)), logS0/float64(len(obs))
	for i := range q.x {
		q.x[i] -= q.logP0
		q.y[i] -= q.logS0
	}
	return q, nil
}

// powerLawParams is PowerLaw over a fixed set of observations.
type powerLawParams struct {
	logP0, logS0 float64   // means of ln P and ln S
	x, y         []float64 // ln(P/P0) and ln(S/S0) per observation
	cr           []float64 // observed CR per observation
}

func (*powerLawParams) Dim() int { return 5 }

func (q *powerLawParams) Value(theta []float64, i int, grad []float64) float64 {
	x, y := q.x[i], q.y[i]
	tp := math.Exp(theta[1] - theta[3]*x)
	ts := math.Exp(theta[2] - theta[4]*y)
	if grad != nil {
		grad[0] = 1
		grad[1] = tp
		grad[2] = ts
		grad[3] = -x * tp
		grad[4] = -y * ts
	}
	return theta[0] + tp + ts
}

func (*powerLawParams) Project(theta []float64) {
	theta[0] = max(theta[0], 0)
	theta[3] = min(max(theta[3], 0), MaxExponent)
	theta[4] = min(max(theta[4], 0), MaxExponent)
	// ln B, ln C below -50 make a term vanish; bounding them keeps the
	// solver away from floating-point underflow.
	theta[1] = min(max(theta[1], -50), 50)
	theta[2] = min(max(theta[2], -50), 50)
}

func (q *powerLawParams) Coefficients(theta []float64) []float64 {
	return []float64{
		theta[0],
		math.Exp(theta[1] + theta[3]*q.logP0),
		math.Exp(theta[2] + theta[4]*q.logS0),
		theta[3],
		theta[4],
	}
}

// Starts returns, for every (alpha, beta) of the start grid, the point whose
// a, B and C are the weighted linear least-squares fit at those exponents
// (clamped into bounds).
func (q *powerLawParams) Starts(w []float64) [][]float64 {
	starts := make([][]float64, 0, len(startExponents)*len(startExponents))
	floor := 0.0
	for _, cr := range q.cr {
		floor = max(floor, math.Abs(cr))
	}
	floor = 1e-6 * max(floor, 1e-12)
	for _, alpha := range startExponents {
		for _, beta := range startExponents {
			abc, ok := q.linearFit(w, alpha, beta)
			if !ok {
				abc = [3]float64{0, floor, floor}
			}
			theta := []float64{abc[0], math.Log(max(abc[1], floor)), math.Log(max(abc[2], floor)), alpha, beta}
			q.Project(theta)
			starts = append(starts, theta)
		}
	}
	return starts
}

// linearFit solves the weighted least-squares problem for (a, B, C) at fixed
// exponents through its 3x3 normal equations.
func (q *powerLawParams) linearFit(w []float64, alpha, beta float64) ([3]float64, bool) {
	var ata [3][3]float64
	var aty [3]float64
	for i, cr := range q.cr {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if wi == 0 {
			continue
		}
		row := [3]float64{1, math.Exp(-alpha * q.x[i]), math.Exp(-beta * q.y[i])}
		for j := range 3 {
			aty[j] += wi * row[j] * cr
			for k := range 3 {
				ata[j][k] += wi * row[j] * row[k]
			}
		}
	}
	return solve3(ata, aty)
}

// solve3 solves a 3x3 system by Cramer's rule, reporting false when it is
// (nearly) singular.
func solve3(m [3][3]float64, v [3]float64) ([3]float64, bool) {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
			m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
			m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(m)
	scale := math.Abs(m[0][0] * m[1][1] * m[2][2])
	if scale == 0 || math.Abs(d) < 1e-12*scale {
		return [3]float64{}, false
	}
	var x [3]float64
	for c := range 3 {
		mc := m
		for r := range 3 {
			mc[r][c] = v[r]
		}
		x[c] = det(mc) / d
	}
	return x, true
}
