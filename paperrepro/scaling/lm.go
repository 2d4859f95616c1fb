package scaling

import (
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// lmSolver minimises the weighted squared error sum_i w_i (f(theta; o_i) -
// CR_i)^2 with the Levenberg-Marquardt method (Marquardt's diagonal
// scaling), projecting every trial point onto the parametrisation's bounds.
// It keeps its buffers between calls, so one solver serves many starts; it
// is not safe for concurrent use.
type lmSolver struct {
	par Parametrization
	cr  []float64 // observed CR per observation
	w   []float64 // weight per observation; nil: all ones

	// Residuals f - CR and Jacobian rows (n x dim, row-major) at the
	// current point and at the trial point; one evaluation serves both
	// the cost test and, when the trial is accepted, the next step.
	res, jac           []float64
	trialRes, trialJac []float64

	jtj    *mat.SymDense // J^T W J
	jtr    *mat.VecDense // J^T W r
	damped *mat.SymDense
	step   *mat.VecDense
	chol   mat.Cholesky
	trial  []float64
}

// Stopping rules of lmSolver.minimize.
const (
	lmMaxIter     = 200
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
	return &lmSolver{
		par:      par,
		cr:       cr,
		w:        w,
		res:      make([]float64, n),
		jac:      make([]float64, n*d),
		trialRes: make([]float64, n),
		trialJac: make([]float64, n*d),
		jtj:      mat.NewSymDense(d, nil),
		jtr:      mat.NewVecDense(d, nil),
		damped:   mat.NewSymDense(d, nil),
		step:     mat.NewVecDense(d, nil),
		trial:    make([]float64, d),
	}
}

func (s *lmSolver) weight(i int) float64 {
	if s.w == nil {
		return 1
	}
	return s.w[i]
}

// cost is the weighted sum of squared residuals at theta.
func (s *lmSolver) cost(theta []float64) float64 {
	var c float64
	for i, cr := range s.cr {
		if w := s.weight(i); w != 0 {
			r := s.par.Value(theta, i, nil) - cr
			c += w * r * r
		}
	}
	return c
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
	d := s.par.Dim()
	theta := slices.Clone(start)
	s.par.Project(theta)
	cost := s.evaluate(theta, s.res, s.jac)
	if math.IsNaN(cost) {
		return theta, math.Inf(1)
	}
	s.normalEquations()
	lambda := lmInitDamping
	for range lmMaxIter {
		accepted := false
		for range lmMaxRejects {
			for j := range d {
				for k := j; k < d; k++ {
					s.damped.SetSym(j, k, s.jtj.At(j, k))
				}
				// Marquardt's scaling: damp each direction by its own
				// curvature, with a floor for directions the data leaves flat.
				s.damped.SetSym(j, j, s.jtj.At(j, j)*(1+lambda)+lambda*1e-12)
			}
			if !s.chol.Factorize(s.damped) {
				lambda *= 10
				continue
			}
			if err := s.chol.SolveVecTo(s.step, s.jtr); err != nil {
				lambda *= 10
				continue
			}
			for j := range d {
				s.trial[j] = theta[j] - s.step.AtVec(j)
			}
			s.par.Project(s.trial)
			if negligibleStep(theta, s.trial) {
				// Damping or a bound has shrunk the step to nothing: theta is
				// a (bound-constrained) minimum.
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
				if decrease < lmRelTol {
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
