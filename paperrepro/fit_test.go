package paperrepro

import (
	"math"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// TestPrediction checks the paper's Section 4.6 example, CR(5e9, 2e5) ~ 0.115
// for text.
//
// Table 1's own text coefficients give 0.1134, within 0.002 of 0.115. Our
// least-squares fit of Table 2 gives 0.1127, which is 0.0023 from 0.115, so
// the "within 0.002 of 0.115" does not hold for the exact optimum
// (it holds for the optimum's rounded values a=0.100 b=76 c=15 alpha=0.39
// beta=0.76, which give 0.1139): the extrapolation to 5e9 moves by that much
// for a change of alpha in its third digit. What we check for our fit is
// therefore what the data can support: it agrees within 0.002 with the
// prediction of the paper's own coefficients, and the paper's 0.115 lies
// inside our fit's 95% bootstrap interval for CR(5e9, 2e5).
func TestPrediction(t *testing.T) {
	paper := loadPaper(t)
	pred := paper.Prediction
	coef, ok := paper.Coefficients(pred.Modality)
	if !ok {
		t.Fatalf("Table 1 has no %s row", pred.Modality)
	}
	fromTable1 := scaling.PowerLaw{}.Eval(scaling.PowerLawCoef(coef), pred.Params, pred.Step)
	t.Logf("Table 1 coefficients: CR(%g, %g) = %.4f; paper says %.3f", pred.Params, pred.Step, fromTable1, pred.CR)
	if d := math.Abs(fromTable1 - pred.CR); d > 0.002 {
		t.Errorf("Table 1's coefficients give %.4f, %.4f from the paper's %.3f", fromTable1, d, pred.CR)
	}

	fit := fitPaperTable(t, paper, pred.Modality)
	ours := fit.Predict(pred.Params, pred.Step)
	t.Logf("our fit: CR(%g, %g) = %.4f (%.4f from the paper's %.3f)", pred.Params, pred.Step, ours, ours-pred.CR, pred.CR)
	if d := math.Abs(ours - fromTable1); d > 0.002 {
		t.Errorf("our fit predicts %.4f, %.4f from the %.4f of the paper's coefficients", ours, d, fromTable1)
	}
	boot, err := scaling.Bootstrap(fit, scaling.BootstrapOptions{Resamples: 400, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := boot.PredictionInterval(scaling.PowerLaw{}, pred.Params, pred.Step)
	t.Logf("our 95%% bootstrap interval for CR(%g, %g): [%.4f, %.4f]", pred.Params, pred.Step, lo, hi)
	if pred.CR < lo || pred.CR > hi {
		t.Errorf("the paper's %.3f is outside our 95%% interval [%.4f, %.4f]", pred.CR, lo, hi)
	}
}

// TestFitQuality checks the R^2 our fit reaches on each of the paper's
// tables, two ways.
//
// As a regression check it pins the values our own fit produced when it
// was written (text 0.965, image 0.912, speech 0.933, to 0.005): a change of
// fitter that moves them fails here first. Those pins are not evidence by
// themselves; the evidence is the second check, against R^2 computed
// outside this project with a separate least-squares fit of the same form
// to the same tables (text 0.9655, image 0.9123, speech 0.9332, given to 4
// decimals), which ours must match to that precision.
//
// The paper claims "R^2 > 0.95 across all modalities". With its own data
// (Tables 2-4) that holds for text only, and no other coefficients do
// better, since the fit is the least-squares optimum. The non-monotone
// cells (e.g. pythia-70m getting worse after step 32000 on image and
// speech) are what the form cannot follow.
func TestFitQuality(t *testing.T) {
	paper := loadPaper(t)
	ours := map[string]float64{"text": 0.965, "image": 0.912, "speech": 0.933}
	independent := map[string]float64{"text": 0.9655, "image": 0.9123, "speech": 0.9332}
	for _, table := range paper.Tables {
		t.Run(table.Modality, func(t *testing.T) {
			fit := fitPaperTable(t, paper, table.Modality)
			t.Logf("%s: R^2 = %.5f, RMSE = %.4f", table.Modality, fit.R2, fit.RMSE)
			if want := ours[table.Modality]; math.Abs(fit.R2-want) > 0.005 {
				t.Errorf("R^2 = %.4f, our pinned %.3f +- 0.005", fit.R2, want)
			}
			if want := independent[table.Modality]; math.Abs(fit.R2-want) > 0.00005 {
				t.Errorf("R^2 = %.5f, the independent fit's %.4f (to its 4 decimals)", fit.R2, want)
			}
			if len(fit.Cells) != len(table.Rows) {
				t.Errorf("%d residuals for %d cells", len(fit.Cells), len(table.Rows))
			}
		})
	}
}
