package scaling

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// lmSolver minimises the weighted squared error sum_i w_i (f(theta; o_i) -
// CR_i)^2 with the Levenberg-Marquardt method (Marquardt's diagonal
// scaling) within the parametrisation's bounds. A parameter on a bound
// whose gradient points out of the box is held there for the step (an
// active set) while the others take the Gauss-Newton step of the reduced
// system; a plain clipped step would instead mix in the blocked direction,
// be rejected, shrink under growing damping and stop short of the
// constrained optimum. It keeps its buffers between calls, so one solver serves many starts; it
// is not safe for concurrent use.
type lmSolver struct {
	par    Parametrization
	cr     []float64 // observed CR per observation
	w      []float64 // weight per observation; nil: all ones
	lo, hi []float64 // bounds of each parameter

	// Residuals f - CR and Jacobian rows (n x dim, row-major) at the
	// current point and at the trial point; one evaluation serves both
	// the cost test and, when the trial is accepted, the next step.
	res, jac           []float64
	trialRes, trialJac []float64

	jtj    *mat.SymDense // J^T W J
	jtr    *mat.VecDense // J^T W r
	rhs    *mat.VecDense // jtr with the held parameters' entries zeroed
	held   []bool        // parameters held on their bound for this iteration
	pinned []bool        // held, or moved onto a bound by the current step
	chol   mat.Cholesky
	trial  []float64
}

// Stopping rules of lmSolver.minimize.
const (
	lmMaxIter     = 2000
	lmMaxRejects  = 40    // consecutive rejected steps before giving up
	lmRelTol      = 1e-10 // relative cost decrease counted as converged
	lmStepTol     = 1e-9  // relative step counted as converged
	lmInitDamping = 1e-3
)

func newLMSolver(par Parametrization, obs []Observation, w []float64) *lmSolver {
	d, n := par.Dim(), len(obs)
	cr := make([]float64, n)
	for i, o := range obs {
		cr[i] = o.CR
	}
	lo, hi := par.Bounds()
	return &lmSolver{
		par:      par,
		lo:       lo,
		hi:       hi,
		cr:       cr,
		w:        w,
		res:      make([]float64, n),
		jac:      make([]float64, n*d),
		trialRes: make([]float64, n),
		trialJac: make([]float64, n*d),
		jtj:      mat.NewSymDense(d, nil),
		jtr:      mat.NewVecDense(d, nil),
		rhs:      mat.NewVecDense(d, nil),
		held:     make([]bool, d),
		pinned:   make([]bool, d),
		trial:    make([]float64, d),
	}
}

func (s *lmSolver) weight(i int) float64 {
	if s.w == nil {
		return 1
	}
	return s.w[i]
}

// evaluate fills res and jac at theta for the observations with weight,
// and returns the cost there.
func (s *lmSolver) evaluate(theta, res, jac []float64) float64 {
	d := s.par.Dim()
	var c float64
	for i, cr := range s.cr {
		w := s.weight(i)
		if w == 0 {
			continue
		}
		r := s.par.Value(theta, i, jac[i*d:(i+1)*d]) - cr
		res[i] = r
		c += w * r * r
	}
	return c
}

// normalEquations builds J^T W J and J^T W r from res and jac.
func (s *lmSolver) normalEquations() {
	d := s.par.Dim()
	s.jtj.Zero()
	s.jtr.Zero()
	for i := range s.cr {
		w := s.weight(i)
		if w == 0 {
			continue
		}
		row := s.jac[i*d : (i+1)*d]
		for j := range d {
			gj := w * row[j]
			s.jtr.SetVec(j, s.jtr.AtVec(j)+gj*s.res[i])
			for k := j; k < d; k++ {
				s.jtj.SetSym(j, k, s.jtj.At(j, k)+gj*row[k])
			}
		}
	}
}

// minimize runs Levenberg-Marquardt from start and returns the best point
// and its cost.
func (s *lmSolver) minimize(start []float64) ([]float64, float64) {
	theta := slices.Clone(start)
	s.clamp(theta)
	cost := s.evaluate(theta, s.res, s.jac)
	if math.IsNaN(cost) {
		return theta, math.Inf(1)
	}
	s.normalEquations()
	lambda := lmInitDamping
	for range lmMaxIter {
		s.holdBlocked(theta)
		accepted := false
		for range lmMaxRejects {
			if !s.dampedStep(theta, lambda) {
				lambda *= 10
				continue
			}
			if negligibleStep(theta, s.trial) {
				// The free parameters' step has shrunk to nothing: theta is a
				// (bound-constrained) minimum.
				return theta, cost
			}
			trialCost := s.evaluate(s.trial, s.trialRes, s.trialJac)
			if trialCost < cost {
				copy(theta, s.trial)
				s.res, s.trialRes = s.trialRes, s.res
				s.jac, s.trialJac = s.trialJac, s.jac
				decrease := (cost - trialCost) / max(cost, math.SmallestNonzeroFloat64)
				cost = trialCost
				s.normalEquations()
				lambda = max(lambda/3, 1e-12)
				accepted = true
				if decrease < lmRelTol && lambda < lmInitDamping {
					// An almost undamped step gains nothing more.
					return theta, cost
				}
				break
			}
			lambda *= 4
		}
		if !accepted {
			break
		}
	}
	return theta, cost
}

// dampedStep puts into trial the Levenberg-Marquardt step from theta at
// damping lambda (Marquardt's scaling: each direction damped by its own
// curvature, with a floor for directions the data leaves flat). Held
// parameters stay; a free parameter whose step would cross its bound is
// pinned there and the others re-solved with that move given, rather than
// clipped after the fact: a clipped step is not the minimum of the model
// over the box, is often rejected, and makes the solver crawl to a bound
// under ever larger damping. It reports false when the damped system is
// singular.
func (s *lmSolver) dampedStep(theta []float64, lambda float64) bool {
	d := s.par.Dim()
	copy(s.pinned, s.held)
	for j := range d {
		s.trial[j] = theta[j]
	}
	for range d {
		var free []int
		for j := range d {
			if !s.pinned[j] {
				free = append(free, j)
			}
		}
		if len(free) == 0 {
			return true
		}
		damped := mat.NewSymDense(len(free), nil)
		rhs := mat.NewVecDense(len(free), nil)
		for a, j := range free {
			for b := a; b < len(free); b++ {
				damped.SetSym(a, b, s.jtj.At(j, free[b]))
			}
			damped.SetSym(a, a, s.jtj.At(j, j)*(1+lambda)+lambda*1e-12)
			// The pinned parameters' moves theta - trial are given.
			r := s.rhs.AtVec(j)
			for k := range d {
				if s.pinned[k] && k != j {
					r -= s.jtj.At(j, k) * (theta[k] - s.trial[k])
				}
			}
			rhs.SetVec(a, r)
		}
		if !s.chol.Factorize(damped) {
			return false
		}
		step := mat.NewVecDense(len(free), nil)
		if err := s.chol.SolveVecTo(step, rhs); err != nil {
			return false
		}
		crossed := false
		for a, j := range free {
			s.trial[j] = theta[j] - step.AtVec(a)
			if s.trial[j] < s.lo[j] || s.trial[j] > s.hi[j] {
				s.trial[j] = min(max(s.trial[j], s.lo[j]), s.hi[j])
				s.pinned[j] = true
				crossed = true
			}
		}
		if !crossed {
			return true
		}
	}
	return true
}

// holdBlocked marks the parameters that sit on a bound with the cost's
// gradient pushing them out of the box, and sets rhs to the gradient J^T W r
// of the others.
func (s *lmSolver) holdBlocked(theta []float64) {
	for j := range theta {
		g := s.jtr.AtVec(j) // the step moves theta by -g, scaled
		s.held[j] = (theta[j] <= s.lo[j] && g > 0) || (theta[j] >= s.hi[j] && g < 0)
		if s.held[j] {
			g = 0
		}
		s.rhs.SetVec(j, g)
	}
}

// clamp moves theta in place into the parametrisation's bounds.
func (s *lmSolver) clamp(theta []float64) { clamp(theta, s.lo, s.hi) }

// clamp moves theta in place into the box [lo, hi].
func clamp(theta, lo, hi []float64) {
	for j := range theta {
		theta[j] = min(max(theta[j], lo[j]), hi[j])
	}
}

// negligibleStep reports whether next differs from theta by less than
// lmStepTol in every coordinate, relative to the coordinate's size.
func negligibleStep(theta, next []float64) bool {
	for j := range theta {
		if math.Abs(next[j]-theta[j]) > lmStepTol*(1+math.Abs(theta[j])) {
			return false
		}
	}
	return true
}
