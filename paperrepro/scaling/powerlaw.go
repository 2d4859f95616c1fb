package scaling

import "math"

// PowerLaw is the paper's form CR(P, S) = a + b P^-alpha + c S^-beta: an
// irreducible ratio a plus one power-law term in model size and one in
// training steps. Coefficients are {a, b, c, alpha, beta}.
//
// Fits keep a >= 0, b, c > 0 and 0 <= alpha, beta <= MaxExponent.
type PowerLaw struct{}

// MaxExponent bounds every exponent of a fit: beyond it a power-law term
// is already negligible at every size but the smallest, so larger values
// only chase noise.
const MaxExponent = 4.0

// Name implements Form.
func (PowerLaw) Name() string { return "CR = a + b*P^-alpha + c*S^-beta" }

// Coefficients implements Form.
func (PowerLaw) Coefficients() []string { return []string{"a", "b", "c", "alpha", "beta"} }

// Eval implements Form.
func (PowerLaw) Eval(coef []float64, p, s float64) float64 {
	return coef[0] + coef[1]*math.Pow(p, -coef[3]) + coef[2]*math.Pow(s, -coef[4])
}

// Terms splits CR(p, s) of the coefficients coef into its three terms: the
// irreducible ratio a, the size term b p^-alpha and the step term
// c s^-beta.
func (PowerLaw) Terms(coef []float64, p, s float64) (floor, size, steps float64) {
	return coef[0], coef[1] * math.Pow(p, -coef[3]), coef[2] * math.Pow(s, -coef[4])
}

// Parametrize implements Form. The fit moves (a, ln B, ln C, alpha, beta)
// with b P^-alpha = B (P/P0)^-alpha and c S^-beta = C (S/S0)^-beta, where
// P0 and S0 are the geometric means of the data's P and S (see separable).
func (PowerLaw) Parametrize(obs []Observation) (Parametrization, error) {
	return separable{
		form:      PowerLaw{},
		kinds:     []coefKind{floorCoef, scaleCoef, scaleCoef},
		exponents: 2,
		usesP:     true,
		usesS:     true,
		basis: func(x, y float64, e, phi, dphi []float64) {
			tp, ts := math.Exp(-e[0]*x), math.Exp(-e[1]*y)
			phi[0], phi[1], phi[2] = 1, tp, ts
			if dphi != nil {
				// rows: a, B, C; columns: alpha, beta
				dphi[0], dphi[1] = 0, 0
				dphi[2], dphi[3] = -x*tp, 0
				dphi[4], dphi[5] = 0, -y*ts
			}
		},
		coefficients: func(lin, e []float64, logP0, logS0 float64) []float64 {
			return []float64{lin[0], lin[1] * math.Exp(e[0]*logP0), lin[2] * math.Exp(e[1]*logS0), e[0], e[1]}
		},
	}.parametrize(obs)
}
