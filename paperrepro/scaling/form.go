package scaling

// Form is a functional form CR(P, S; coefficients) that Fit can fit.
// Implementations choose the parametrisation the solver works in, so that a
// form whose natural coefficients span many orders of magnitude (b ~ 1e3
// next to alpha ~ 0.4) can still be fitted in a well-conditioned one.
type Form interface {
	// Name is the formula, e.g. "CR = a + b*P^-alpha + c*S^-beta".
	Name() string
	// Coefficients names the coefficients, in the order Eval takes them.
	Coefficients() []string
	// Eval is CR at (p, s) for the given coefficients.
	Eval(coef []float64, p, s float64) float64
	// Parametrize returns the fitting parametrisation over obs (for example
	// scaled to the data's typical P and S, with per-observation values
	// precomputed). It fails when obs cannot determine the coefficients.
	Parametrize(obs []Observation) (Parametrization, error)
}

// A Reparametrization is a Form whose curves are exactly those of another
// form written with other coefficients (TokensLaw is PowerLaw in tokens).
// CompareForms counts such a pair once when it weighs the forms.
type Reparametrization interface {
	Form
	// Reparametrizes returns the form with the same curves.
	Reparametrizes() Form
}

// Parametrization is a Form in the parameters theta that the solver moves,
// bound to the observations it was made for.
type Parametrization interface {
	// Dim is the number of parameters.
	Dim() int
	// Value returns the form's CR at observation i, and writes
	// d CR / d theta into grad when grad is not nil.
	Value(theta []float64, i int, grad []float64) float64
	// Bounds returns each parameter's lower and upper bound (-Inf, +Inf
	// where there is none), such as a >= 0. Parameter j is the fitting form
	// of coefficient j of the Form, so a parameter on its bound is reported
	// as that coefficient on its bound.
	Bounds() (lo, hi []float64)
	// Starts returns the initial points of the multi-start search when
	// observation i has weight w[i] (w nil: all ones).
	Starts(w []float64) [][]float64
	// Coefficients converts theta to the Form's coefficients.
	Coefficients(theta []float64) []float64
}
