package scaling

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// PowerLawCoef returns a Table 1 row's coefficients in the order of
// PowerLaw's, {a, b, c, alpha, beta}, for Eval, Evaluate or Terms.
func PowerLawCoef(c results.Coefficients) []float64 {
	return []float64{c.A, c.B, c.C, c.Alpha, c.Beta}
}

// Table1Row returns a PowerLaw fit's coefficients as a row of Table 1 for
// modality (Dataset left empty). It fails for a fit of another form.
func Table1Row(modality string, fit *Result) (results.Coefficients, error) {
	if _, ok := fit.Form.(PowerLaw); !ok {
		return results.Coefficients{}, fmt.Errorf("%s: Table 1 holds fits of %s, not %s", modality, PowerLaw{}.Name(), fit.Form.Name())
	}
	c := fit.Coef
	return results.Coefficients{Modality: modality, A: c[0], B: c[1], C: c[2], Alpha: c[3], Beta: c[4]}, nil
}
