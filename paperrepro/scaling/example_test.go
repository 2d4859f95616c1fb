package scaling_test

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Fit the paper's form to its text table (appendix Table 2) and extrapolate
// to a 5B-parameter model after 200k steps, as the paper's Section 4.6 does.
func ExampleFitTable() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	fit, err := scaling.FitTable(scaling.PowerLaw{}, text)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fit.Form.Name())
	for i, name := range fit.Form.Coefficients() {
		fmt.Printf("%-5s = %.3g\n", name, fit.Coef[i])
	}
	fmt.Printf("R^2 = %.3f, RMSE = %.4f\n", fit.R2, fit.RMSE)
	fmt.Printf("CR(5e9, 2e5) = %.4f\n", fit.Predict(5e9, 2e5))
	// Output:
	// CR = a + b*P^-alpha + c*S^-beta
	// a     = 0.0997
	// b     = 75.9
	// c     = 15.1
	// alpha = 0.393
	// beta  = 0.759
	// R^2 = 0.965, RMSE = 0.0064
	// CR(5e9, 2e5) = 0.1127
}

// Bootstrap confidence intervals are reproducible: the same seed gives the
// same intervals.
func ExampleBootstrap() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	fit, err := scaling.FitTable(scaling.PowerLaw{}, text)
	if err != nil {
		fmt.Println(err)
		return
	}
	boot, err := scaling.Bootstrap(fit, scaling.BootstrapOptions{Resamples: 200, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	beta, _ := boot.Interval("beta")
	fmt.Printf("beta = %.2f, 95%% CI [%.2f, %.2f]\n", beta.Estimate, beta.Lo, beta.Hi)
	// Output:
	// beta = 0.76, 95% CI [0.54, 0.99]
}

// Leave each model size out in turn and see how well the law fitted to the
// others predicts it.
func ExampleLeaveOneSizeOut() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	holdouts, err := scaling.LeaveOneSizeOut(scaling.PowerLaw{}, scaling.Observations(text))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, h := range holdouts {
		fmt.Printf("%-12s RMSE %.4f\n", h.Model, h.RMSE)
	}
	// Output:
	// pythia-70m   RMSE 0.0147
	// pythia-160m  RMSE 0.0049
	// pythia-410m  RMSE 0.0077
	// pythia-1b    RMSE 0.0042
	// pythia-1.4b  RMSE 0.0065
}

// Predict evaluates a fitted law anywhere, here the paper's Section 4.6
// extrapolation to a 5B model after 200k steps, with a bootstrap interval
// for it.
func ExampleResult_Predict() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	fit, err := scaling.FitTable(scaling.PowerLaw{}, text)
	if err != nil {
		fmt.Println(err)
		return
	}
	boot, err := scaling.Bootstrap(fit, scaling.BootstrapOptions{Resamples: 200, Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	p, s := paper.Prediction.Params, paper.Prediction.Step
	lo, hi := boot.PredictionInterval(fit.Form, p, s)
	fmt.Printf("CR(%g, %g) = %.3f, 95%% interval [%.3f, %.3f]; the paper says %.3f\n", p, s, fit.Predict(p, s), lo, hi, paper.Prediction.CR)
	// Output:
	// CR(5e+09, 200000) = 0.113, 95% interval [0.102, 0.121]; the paper says 0.115
}

// Weigh the paper's form against the alternatives on its text table, and
// see how much the Section 4.6 extrapolation CR(5e9, 2e5) depends on the
// form.
func ExampleCompareForms() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	c, err := scaling.CompareForms(scaling.Forms(), scaling.Observations(text))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range c.Forms {
		fmt.Printf("%-46s k=%d  dAICc %5.1f  R^2 %.4f  held-out RMSE %.4f  CR(5e9, 2e5) %.4f\n",
			f.Form.Name(), f.Params, f.DeltaAICc, f.Fit.R2, f.HoldoutRMSE, f.Fit.Predict(5e9, 2e5))
	}
	lo, hi := c.Spread(5e9, 2e5)
	fmt.Printf("spread over forms [%.4f, %.4f]\n", lo, hi)
	// Output:
	// CR = a + b*P^-alpha + c*S^-beta                k=5  dAICc   0.1  R^2 0.9655  held-out RMSE 0.0085  CR(5e9, 2e5) 0.1127
	// CR = a + c*S^-beta                             k=3  dAICc  42.8  R^2 0.7512  held-out RMSE 0.0215  CR(5e9, 2e5) 0.1369
	// CR = a + b*ln(P) + c*S^-beta                   k=4  dAICc   0.0  R^2 0.9605  held-out RMSE 0.0094  CR(5e9, 2e5) 0.1000
	// CR = a + b*P^-alpha + c*D^-beta, D = 2097152*S k=5  dAICc   0.1  R^2 0.9655  held-out RMSE 0.0085  CR(5e9, 2e5) 0.1127
	// CR = a + b*P^-alpha*S^-beta                    k=4  dAICc  35.7  R^2 0.8353  held-out RMSE 0.0195  CR(5e9, 2e5) 0.1013
	// spread over forms [0.1000, 0.1369]
}
