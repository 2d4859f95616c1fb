package scaling

import (
	"fmt"
	"math"
	"strconv"
)

// This file holds the alternatives to the paper's form that CompareForms
// weighs against it; PowerLaw is in powerlaw.go.

// StepLaw is the paper's form without its size term, CR(P, S) = a +
// c S^-beta: the null hypothesis that model size does not matter.
// Coefficients are {a, c, beta}; fits keep a >= 0, c > 0 and 0 <= beta <=
// MaxExponent.
type StepLaw struct{}

// Name implements Form.
func (StepLaw) Name() string { return "CR = a + c*S^-beta" }

// Coefficients implements Form.
func (StepLaw) Coefficients() []string { return []string{"a", "c", "beta"} }

// Eval implements Form.
func (StepLaw) Eval(coef []float64, _, s float64) float64 {
	return coef[0] + coef[1]*math.Pow(s, -coef[2])
}

// Parametrize implements Form; the fit moves (a, ln C, beta) with c S^-beta
// = C (S/S0)^-beta.
func (StepLaw) Parametrize(obs []Observation) (Parametrization, error) {
	return separable{
		form:      StepLaw{},
		kinds:     []coefKind{floorCoef, scaleCoef},
		exponents: 1,
		usesS:     true,
		basis: func(_, y float64, e, phi, dphi []float64) {
			ts := math.Exp(-e[0] * y)
			phi[0], phi[1] = 1, ts
			if dphi != nil {
				dphi[0], dphi[1] = 0, -y*ts
			}
		},
		coefficients: func(lin, e []float64, _, logS0 float64) []float64 {
			return []float64{lin[0], lin[1] * math.Exp(e[0]*logS0), e[0]}
		},
	}.parametrize(obs)
}

// LogSizeLaw replaces the paper's size power law by a logarithm, CR(P, S)
// = a + b ln P + c S^-beta: the straight line in ln P that a power law with
// a small exponent resembles over a narrow range of sizes (b P^-alpha =
// b - b alpha ln P + O(alpha^2)). It has no floor: CR falls without bound
// as P grows, so it cannot be right far out, but over the paper's 20x range
// of sizes it competes. Coefficients are {a, b, c, beta}; b may take either
// sign, c > 0, 0 <= beta <= MaxExponent.
type LogSizeLaw struct{}

// Name implements Form.
func (LogSizeLaw) Name() string { return "CR = a + b*ln(P) + c*S^-beta" }

// Coefficients implements Form.
func (LogSizeLaw) Coefficients() []string { return []string{"a", "b", "c", "beta"} }

// Eval implements Form.
func (LogSizeLaw) Eval(coef []float64, p, s float64) float64 {
	return coef[0] + coef[1]*math.Log(p) + coef[2]*math.Pow(s, -coef[3])
}

// Parametrize implements Form; the fit moves (A, b, ln C, beta) with a + b
// ln P = A + b ln(P/P0), so that A is the ratio at the data's typical size.
func (LogSizeLaw) Parametrize(obs []Observation) (Parametrization, error) {
	return separable{
		form:      LogSizeLaw{},
		kinds:     []coefKind{freeCoef, freeCoef, scaleCoef},
		exponents: 1,
		usesP:     true,
		usesS:     true,
		basis: func(x, y float64, e, phi, dphi []float64) {
			ts := math.Exp(-e[0] * y)
			phi[0], phi[1], phi[2] = 1, x, ts
			if dphi != nil {
				dphi[0], dphi[1], dphi[2] = 0, 0, -y*ts
			}
		},
		coefficients: func(lin, e []float64, logP0, logS0 float64) []float64 {
			return []float64{lin[0] - lin[1]*logP0, lin[1], lin[2] * math.Exp(e[0]*logS0), e[0]}
		},
	}.parametrize(obs)
}

// PythiaTokensPerStep is the number of tokens in one Pythia training step:
// batches of 1024 sequences of 2048 tokens (Biderman et al., 2023), so
// that step 143000 has seen 300B tokens.
const PythiaTokensPerStep = 1024 * 2048

// TokensLaw is the paper's form in tokens seen, D = TokensPerStep * S,
// instead of steps: CR = a + b P^-alpha + c D^-beta, as Hoffmann et al.
// (2022, Chinchilla) write their loss in parameters and tokens. With a
// constant batch D is proportional to S, so this is the same family of
// curves as PowerLaw with c rescaled by TokensPerStep^-beta: its fit,
// R^2 and predictions are PowerLaw's, which the comparison shows rather
// than assumes, and it shares PowerLaw's Akaike weight there. Coefficients are {a, b, c, alpha, beta}.
type TokensLaw struct {
	// TokensPerStep converts steps to tokens; it must be positive.
	TokensPerStep float64
}

// Reparametrizes implements Reparametrization: TokensLaw's curves are
// PowerLaw's.
func (TokensLaw) Reparametrizes() Form { return PowerLaw{} }

// Name implements Form.
func (f TokensLaw) Name() string {
	return "CR = a + b*P^-alpha + c*D^-beta, D = " + strconv.FormatFloat(f.TokensPerStep, 'f', -1, 64) + "*S"
}

// Coefficients implements Form.
func (TokensLaw) Coefficients() []string { return PowerLaw{}.Coefficients() }

// Eval implements Form.
func (f TokensLaw) Eval(coef []float64, p, s float64) float64 {
	return PowerLaw{}.Eval(coef, p, f.TokensPerStep*s)
}

// Parametrize implements Form: PowerLaw's parametrisation of the
// observations with S in tokens.
func (f TokensLaw) Parametrize(obs []Observation) (Parametrization, error) {
	if !(f.TokensPerStep > 0) || math.IsInf(f.TokensPerStep, 0) {
		return nil, fmt.Errorf("fitting %s: tokens per step must be positive and finite, got %g", f.Name(), f.TokensPerStep)
	}
	tokens := make([]Observation, len(obs))
	for i, o := range obs {
		tokens[i] = o
		tokens[i].S *= f.TokensPerStep
	}
	return PowerLaw{}.Parametrize(tokens)
}

// ProductLaw couples size and training in one term, CR(P, S) = a +
// b P^-alpha S^-beta: the multiplicative form of Ghorbani et al. (2021,
// "Scaling Laws for Neural Machine Translation", Eq. 2), who found the loss
// of encoder-decoder models to be a product of power laws in the two
// sizes plus an irreducible term. Here the second variable is the training
// step, and the coupling says that what a model gains from more training
// is proportional to its size term (small models gain more in absolute
// terms), where the paper's additive form gives every model the same gain.
// Coefficients are {a, b, alpha, beta}; fits keep a >= 0, b > 0 and
// 0 <= alpha, beta <= MaxExponent.
type ProductLaw struct{}

// Name implements Form.
func (ProductLaw) Name() string { return "CR = a + b*P^-alpha*S^-beta" }

// Coefficients implements Form.
func (ProductLaw) Coefficients() []string { return []string{"a", "b", "alpha", "beta"} }

// Eval implements Form.
func (ProductLaw) Eval(coef []float64, p, s float64) float64 {
	return coef[0] + coef[1]*math.Pow(p, -coef[2])*math.Pow(s, -coef[3])
}

// Parametrize implements Form; the fit moves (a, ln B, alpha, beta) with
// b P^-alpha S^-beta = B (P/P0)^-alpha (S/S0)^-beta.
func (ProductLaw) Parametrize(obs []Observation) (Parametrization, error) {
	return separable{
		form:      ProductLaw{},
		kinds:     []coefKind{floorCoef, scaleCoef},
		exponents: 2,
		usesP:     true,
		usesS:     true,
		basis: func(x, y float64, e, phi, dphi []float64) {
			t := math.Exp(-e[0]*x - e[1]*y)
			phi[0], phi[1] = 1, t
			if dphi != nil {
				// rows: a, B; columns: alpha, beta
				dphi[0], dphi[1] = 0, 0
				dphi[2], dphi[3] = -x*t, -y*t
			}
		},
		coefficients: func(lin, e []float64, logP0, logS0 float64) []float64 {
			return []float64{lin[0], lin[1] * math.Exp(e[0]*logP0+e[1]*logS0), e[0], e[1]}
		},
	}.parametrize(obs)
}

// Forms returns the functional forms CompareForms weighs by default: the
// paper's, without its size term, with a logarithm in P, in tokens rather
// than steps (with Pythia's batch), and the multiplicative form.
func Forms() []Form {
	return []Form{PowerLaw{}, StepLaw{}, LogSizeLaw{}, TokensLaw{TokensPerStep: PythiaTokensPerStep}, ProductLaw{}}
}
