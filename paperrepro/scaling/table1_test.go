package scaling

import (
	"math"
	"slices"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestTable1Coefficients(t *testing.T) {
	row := results.Coefficients{Modality: "text", A: 0.1, B: 60, C: 10, Alpha: 0.38, Beta: 0.75}
	coef := PowerLawCoef(row)
	if !slices.Equal(coef, []float64{0.1, 60, 10, 0.38, 0.75}) {
		t.Errorf("PowerLawCoef = %v", coef)
	}
	a, size, steps := PowerLaw{}.Terms(coef, 5e9, 2e5)
	if math.Abs(a+size+steps-PowerLaw{}.Eval(coef, 5e9, 2e5)) > 1e-15 || a != 0.1 || math.Abs(size-60*math.Pow(5e9, -0.38)) > 1e-15 {
		t.Errorf("Terms = %v, %v, %v", a, size, steps)
	}
	fit, err := Fit(PowerLaw{}, synthetic(coef, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	back, err := Table1Row("text", fit)
	if err != nil {
		t.Fatal(err)
	}
	if back.Modality != "text" || !slices.Equal(PowerLawCoef(back), fit.Coef) {
		t.Errorf("Table1Row = %+v, fit %v", back, fit.Coef)
	}
	other, err := Fit(StepLaw{}, synthetic(coef, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Table1Row("text", other); err == nil {
		t.Error("a StepLaw fit made a Table 1 row")
	}
}
