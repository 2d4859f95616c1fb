package scaling

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// coefKind says how a linear coefficient of a separable form is bounded and
// which parameter the solver moves for it.
type coefKind int

const (
	// freeCoef is any real number, moved as it is (the slope b of b ln P).
	freeCoef coefKind = iota
	// floorCoef is at least 0, moved as it is (the irreducible ratio a).
	floorCoef
	// scaleCoef is positive and moved as its logarithm, so that a
	// coefficient spanning orders of magnitude (b is 76 for text and ~1e4
	// for speech) is a well-conditioned parameter. Below e^-50 its term has
	// vanished; the bound keeps the solver away from underflow.
	scaleCoef
)

// maxLinear is the most linear coefficients a separable form may have.
const maxLinear = 4

// logScaleMin and logScaleMax bound the logarithm of a scaleCoef.
const logScaleMin, logScaleMax = -50.0, 50.0

// separable describes a form that is linear in some of its coefficients
// once its exponents are fixed:
//
//	CR = sum_k lin_k * phi_k(x, y; e),   x = ln(P/P0),  y = ln(S/S0),
//
// where P0 and S0 are the geometric means of the data's P and S. Centring
// makes the scale and the exponent of a power-law term nearly orthogonal
// directions for the solver (ln P varies by only 15% over the paper's grid),
// and it lets the start search solve for the linear coefficients exactly at
// every point of an exponent grid (variable projection).
//
// The solver's parameters theta are the linear coefficients (a scaleCoef as
// its logarithm), then the exponents, each in [0, MaxExponent]. Every form
// here orders its Coefficients the same way, so parameter j is coefficient j.
type separable struct {
	form      Form
	kinds     []coefKind // one per linear coefficient
	exponents int
	// usesP and usesS say whether the form depends on P and S, which then
	// need at least 2 distinct values in the data.
	usesP, usesS bool
	// basis writes phi_k(x, y; e) into phi and, when dphi is not nil,
	// d phi_k / d e_m into dphi[k*exponents+m].
	basis func(x, y float64, e, phi, dphi []float64)
	// coefficients converts fitted linear coefficients and exponents to the
	// form's coefficients, given the centring ln P0 and ln S0.
	coefficients func(lin, e []float64, logP0, logS0 float64) []float64
}

// startExponents is the grid of exponent values the start search profiles:
// at each point of the grid (one axis per exponent) it solves for the
// linear coefficients exactly, and the solver descends from the grid's best
// local minima. The grid spans the whole allowed range, so that a resample
// whose optimum sits near a bound (alpha = MaxExponent: a size term that
// only the smallest model feels) has a start there.
var startExponents = []float64{0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.65, 0.8, 1, 1.25, 1.5, 2, 2.5, 3, MaxExponent}

// maxStarts caps the local minima of the profile that Fit descends from.
const maxStarts = 6

// parametrize binds the form to obs after checking that obs can determine
// its coefficients.
func (f separable) parametrize(obs []Observation) (*separableParams, error) {
	dim := len(f.kinds) + f.exponents
	name := f.form.Name()
	if len(obs) < dim+1 {
		return nil, fmt.Errorf("fitting %s: %d cells cannot determine %d coefficients; need at least %d", name, len(obs), dim, dim+1)
	}
	ps, ss := map[float64]bool{}, map[float64]bool{}
	q := &separableParams{spec: f, x: make([]float64, len(obs)), y: make([]float64, len(obs)), cr: make([]float64, len(obs))}
	for i, o := range obs {
		if !(o.P > 0) || !(o.S > 0) || math.IsInf(o.P, 0) || math.IsInf(o.S, 0) {
			return nil, fmt.Errorf("fitting %s: model %s at step %g: P and S must be positive and finite", name, o.Model, o.S)
		}
		if math.IsNaN(o.CR) || math.IsInf(o.CR, 0) {
			return nil, fmt.Errorf("fitting %s: model %s at step %g: compression ratio %g is not finite", name, o.Model, o.S, o.CR)
		}
		ps[o.P], ss[o.S] = true, true
		q.x[i], q.y[i], q.cr[i] = math.Log(o.P), math.Log(o.S), o.CR
		q.logP0 += q.x[i] / float64(len(obs))
		q.logS0 += q.y[i] / float64(len(obs))
	}
	if (f.usesP && len(ps) < 2) || (f.usesS && len(ss) < 2) {
		return nil, fmt.Errorf("fitting %s: the data has %d model sizes and %d steps; the form needs at least 2 of each it depends on", name, len(ps), len(ss))
	}
	for i := range q.x {
		q.x[i] -= q.logP0
		q.y[i] -= q.logS0
	}
	q.profileBasis()
	var bounded []int
	for k, kind := range f.kinds {
		if kind != freeCoef {
			bounded = append(bounded, k)
		}
	}
	for mask := range 1 << len(bounded) {
		var active []int
		for k := range f.kinds {
			if i := slices.Index(bounded, k); i < 0 || mask&(1<<i) == 0 {
				active = append(active, k)
			}
		}
		q.subsets = append(q.subsets, active)
	}
	return q, nil
}

// separableParams is a separable form bound to a set of observations.
type separableParams struct {
	spec         separable
	logP0, logS0 float64   // means of ln P and ln S
	x, y         []float64 // ln(P/P0) and ln(S/S0) per observation
	cr           []float64 // observed CR per observation

	// grid holds the exponent vectors of the start search, and gridPhi[g]
	// the basis values at grid[g] for every observation (row-major, one
	// row of len(kinds) per observation). They do not depend on the
	// weights, so every bootstrap resample reuses them.
	grid    [][]float64
	gridPhi [][]float64
	// gridIdx[g] holds grid[g]'s index along each axis of startExponents.
	gridIdx [][]int
	// subsets lists the linear coefficients solved for in each case of
	// projectLinear: all of them, less every subset of the sign-bounded
	// ones (held at 0).
	subsets [][]int
}

func (q *separableParams) Dim() int { return len(q.spec.kinds) + q.spec.exponents }

func (q *separableParams) Value(theta []float64, i int, grad []float64) float64 {
	nl := len(q.spec.kinds)
	var phiBuf [maxLinear]float64
	var dphiBuf [maxLinear * 2]float64
	phi := phiBuf[:nl]
	var dphi []float64
	if grad != nil {
		dphi = dphiBuf[:nl*q.spec.exponents]
	}
	e := theta[nl:]
	q.spec.basis(q.x[i], q.y[i], e, phi, dphi)
	var v float64
	for k, kind := range q.spec.kinds {
		lin := theta[k]
		if kind == scaleCoef {
			lin = math.Exp(theta[k])
		}
		v += lin * phi[k]
		if grad != nil {
			grad[k] = phi[k]
			if kind == scaleCoef {
				grad[k] = lin * phi[k]
			}
		}
	}
	if grad != nil {
		for m := range q.spec.exponents {
			var g float64
			for k, kind := range q.spec.kinds {
				lin := theta[k]
				if kind == scaleCoef {
					lin = math.Exp(theta[k])
				}
				g += lin * dphi[k*q.spec.exponents+m]
			}
			grad[nl+m] = g
		}
	}
	return v
}

func (q *separableParams) Bounds() (lo, hi []float64) {
	for _, kind := range q.spec.kinds {
		switch kind {
		case freeCoef:
			lo, hi = append(lo, math.Inf(-1)), append(hi, math.Inf(1))
		case floorCoef:
			lo, hi = append(lo, 0), append(hi, math.Inf(1))
		case scaleCoef:
			lo, hi = append(lo, logScaleMin), append(hi, logScaleMax)
		}
	}
	for range q.spec.exponents {
		lo, hi = append(lo, 0), append(hi, MaxExponent)
	}
	return lo, hi
}

func (q *separableParams) Coefficients(theta []float64) []float64 {
	nl := len(q.spec.kinds)
	lin := make([]float64, nl)
	for k, kind := range q.spec.kinds {
		lin[k] = theta[k]
		if kind == scaleCoef {
			lin[k] = math.Exp(theta[k])
		}
	}
	return q.spec.coefficients(lin, theta[nl:], q.logP0, q.logS0)
}

// profileBasis fills grid and gridPhi.
func (q *separableParams) profileBasis() {
	nl, n := len(q.spec.kinds), len(q.cr)
	var walk func(idx []int)
	walk = func(idx []int) {
		if len(idx) == q.spec.exponents {
			e := make([]float64, len(idx))
			for m, i := range idx {
				e[m] = startExponents[i]
			}
			phi := make([]float64, n*nl)
			for i := range n {
				q.spec.basis(q.x[i], q.y[i], e, phi[i*nl:(i+1)*nl], nil)
			}
			q.grid = append(q.grid, e)
			q.gridIdx = append(q.gridIdx, slices.Clone(idx))
			q.gridPhi = append(q.gridPhi, phi)
			return
		}
		for i := range startExponents {
			walk(append(idx, i))
		}
	}
	walk(nil)
}

// Starts profiles the cost over the exponent grid, solving at each point
// for the linear coefficients that minimise the weighted squared error
// within their bounds, and returns up to maxStarts of the profile's local
// minima, best first, as starting points. Distinct local minima are
// distinct basins of the cost, which a start grid screened by cost alone
// can miss: a resample whose best law has alpha at its bound lies in
// another basin than the full fit.
func (q *separableParams) Starts(w []float64) [][]float64 {
	nl := len(q.spec.kinds)
	costs := make([]float64, len(q.grid))
	lins := make([][maxLinear]float64, len(q.grid))
	for g, phi := range q.gridPhi {
		lins[g], costs[g] = q.projectLinear(phi, w)
	}
	order := make([]int, len(q.grid))
	for g := range order {
		order[g] = g
	}
	slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(costs[i], costs[j]) })
	var chosen []int
	for _, g := range order {
		if len(chosen) == maxStarts || math.IsInf(costs[g], 1) {
			break
		}
		// A plateau (a term whose coefficient is 0 leaves its exponent
		// free) is one basin, however many grid points it covers.
		samePlateau := func(c int) bool {
			return q.adjacent(c, g) || math.Abs(costs[c]-costs[g]) <= 1e-9*costs[c]
		}
		if !q.localMinimum(g, costs) || slices.ContainsFunc(chosen, samePlateau) {
			continue
		}
		chosen = append(chosen, g)
	}
	if len(chosen) == 0 { // every grid point singular: start from the grid's middle
		chosen = append(chosen, len(q.grid)/2)
	}
	lo, hi := q.Bounds()
	starts := make([][]float64, 0, len(chosen))
	floor := 1e-6 * max(slices.Max(absAll(q.cr)), 1e-12)
	for _, g := range chosen {
		theta := make([]float64, q.Dim())
		for k, kind := range q.spec.kinds {
			theta[k] = lins[g][k]
			if kind == scaleCoef {
				theta[k] = math.Log(max(lins[g][k], floor))
			}
		}
		copy(theta[nl:], q.grid[g])
		clamp(theta, lo, hi)
		starts = append(starts, theta)
	}
	return starts
}

// projectLinear solves the weighted least-squares problem for the linear
// coefficients with the basis values phi (one row per observation) under
// their sign bounds, and returns them with the cost. The bounds are met by
// trying every subset of sign-bounded coefficients held at 0 (q.subsets,
// at most 2^maxLinear small systems) and keeping the best feasible
// solution; the cost is +Inf when no subset is solvable.
func (q *separableParams) projectLinear(phi, w []float64) ([maxLinear]float64, float64) {
	nl := len(q.spec.kinds)
	var ata [maxLinear][maxLinear]float64
	var aty [maxLinear]float64
	var yty float64
	for i, cr := range q.cr {
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if wi == 0 {
			continue
		}
		row := phi[i*nl : (i+1)*nl]
		for j := range nl {
			aty[j] += wi * row[j] * cr
			for k := j; k < nl; k++ {
				ata[j][k] += wi * row[j] * row[k]
			}
		}
		yty += wi * cr * cr
	}
	for j := range nl {
		for k := range j {
			ata[j][k] = ata[k][j]
		}
	}
	best, bestCost := [maxLinear]float64{}, math.Inf(1)
	for _, active := range q.subsets {
		sol, ok := solveSub(&ata, &aty, active)
		if !ok {
			continue
		}
		feasible := true
		for k, kind := range q.spec.kinds {
			feasible = feasible && (kind == freeCoef || sol[k] >= 0)
		}
		if !feasible {
			continue
		}
		// cost = y'Wy - 2 c'A'Wy + c'A'WA c
		cost := yty
		for j := range nl {
			cost -= 2 * sol[j] * aty[j]
			for k := range nl {
				cost += sol[j] * ata[j][k] * sol[k]
			}
		}
		if cost < bestCost {
			best, bestCost = sol, max(cost, 0)
		}
	}
	return best, bestCost
}

// solveSub solves the normal equations restricted to the active
// coefficients (the others are 0) by Gaussian elimination with partial
// pivoting, and reports false when they are (nearly) singular. The systems
// are at most maxLinear x maxLinear and solved hundreds of thousands of
// times per bootstrap, so they are solved in place without allocation.
func solveSub(ata *[maxLinear][maxLinear]float64, aty *[maxLinear]float64, active []int) ([maxLinear]float64, bool) {
	var sol [maxLinear]float64
	m := len(active)
	if m == 0 {
		return sol, true
	}
	var a [maxLinear][maxLinear + 1]float64
	scale := 0.0
	for r, j := range active {
		for c, k := range active {
			a[r][c] = ata[j][k]
		}
		a[r][m] = aty[j]
		scale = max(scale, math.Abs(a[r][r]))
	}
	for c := range m {
		p := c
		for r := c + 1; r < m; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) <= 1e-12*scale {
			return sol, false
		}
		a[c], a[p] = a[p], a[c]
		for r := c + 1; r < m; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k <= m; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	for r := m - 1; r >= 0; r-- {
		v := a[r][m]
		for k := r + 1; k < m; k++ {
			v -= a[r][k] * sol[active[k]]
		}
		sol[active[r]] = v / a[r][r]
	}
	return sol, true
}

// localMinimum reports whether grid point g costs no more than its
// neighbours, the points one step away along one exponent axis.
func (q *separableParams) localMinimum(g int, costs []float64) bool {
	// The grid is the tensor product of startExponents in row-major order,
	// so a step along axis m moves the flat index by stride.
	stride := 1
	for m := q.spec.exponents - 1; m >= 0; m-- {
		i := q.gridIdx[g][m]
		if i > 0 && costs[g-stride] < costs[g] {
			return false
		}
		if i < len(startExponents)-1 && costs[g+stride] < costs[g] {
			return false
		}
		stride *= len(startExponents)
	}
	return true
}

// adjacent reports whether grid points g and h are neighbours.
func (q *separableParams) adjacent(g, h int) bool {
	d := 0
	for m := range q.gridIdx[g] {
		d += abs(q.gridIdx[g][m] - q.gridIdx[h][m])
	}
	return d == 1
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

func absAll(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Abs(x)
	}
	return out
}
