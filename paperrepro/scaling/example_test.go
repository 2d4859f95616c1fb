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

// Score the paper's printed Table 1 coefficients on its own tables, next to
// the least-squares optimum of the same form.
func ExampleEvaluate() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range paper.Tables {
		row, _ := paper.Coefficients(t.Modality)
		printed, err := scaling.Evaluate(scaling.PowerLaw{}, scaling.PowerLawCoef(row), scaling.Observations(t))
		if err != nil {
			fmt.Println(err)
			return
		}
		fit, err := scaling.FitTable(scaling.PowerLaw{}, t)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-6s Table 1: R^2 %.3f RMSE %.4f; least squares: R^2 %.3f RMSE %.4f\n", t.Modality, printed.R2, printed.RMSE, fit.R2, fit.RMSE)
	}
	// Output:
	// text   Table 1: R^2 0.877 RMSE 0.0121; least squares: R^2 0.965 RMSE 0.0064
	// image  Table 1: R^2 0.787 RMSE 0.0308; least squares: R^2 0.912 RMSE 0.0198
	// speech Table 1: R^2 0.922 RMSE 0.0335; least squares: R^2 0.933 RMSE 0.0310
}

// How much each model's ratio fell from step 32k to 143k: the mean over
// models hides that some image and speech models got worse.
func ExampleStepGains() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range paper.Tables {
		gains, err := scaling.StepGains(scaling.Observations(t), 32000, 143000)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-6s", t.Modality)
		for _, g := range gains {
			fmt.Printf(" %s %+.3f", g.Model, g.Gain)
		}
		fmt.Println()
	}
	// Output:
	// text   pythia-70m -0.005 pythia-160m -0.001 pythia-410m +0.008 pythia-1b +0.008 pythia-1.4b +0.009
	// image  pythia-70m -0.021 pythia-160m -0.021 pythia-410m +0.014 pythia-1b +0.016 pythia-1.4b +0.034
	// speech pythia-70m -0.027 pythia-160m -0.026 pythia-410m +0.013 pythia-1b +0.060 pythia-1.4b +0.058
}

// How much worse the law predicts a model size it has not seen than the
// cells it was fitted to, against what the whole range of sizes buys.
func ExampleAnalysis_HoldoutRatios() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range paper.Tables {
		// The ratios need no bootstrap; 2 resamples is the least Analyze takes.
		a, err := scaling.Analyze(scaling.PowerLaw{}, t, scaling.BootstrapOptions{Resamples: 2})
		if err != nil {
			fmt.Println(err)
			return
		}
		effect, err := scaling.SizeEffect(scaling.Observations(t), 143000)
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%-6s in-sample RMSE %.4f; held-out RMSE / in-sample:", t.Modality, a.Fit.RMSE)
		for _, r := range a.HoldoutRatios() {
			fmt.Printf(" %.2f", r)
		}
		fmt.Printf("; held-out RMSE %.3f-%.3f; CR(70M) - CR(1.4B) at step 143k %.3f\n",
			minRMSE(a.Holdouts), maxRMSE(a.Holdouts), effect)
	}
	// Output:
	// text   in-sample RMSE 0.0064; held-out RMSE / in-sample: 2.29 0.76 1.19 0.65 1.02; held-out RMSE 0.004-0.015; CR(70M) - CR(1.4B) at step 143k 0.060
	// image  in-sample RMSE 0.0198; held-out RMSE / in-sample: 1.65 0.94 1.57 0.82 1.23; held-out RMSE 0.016-0.033; CR(70M) - CR(1.4B) at step 143k 0.077
	// speech in-sample RMSE 0.0310; held-out RMSE / in-sample: 1.27 1.14 1.56 1.12 1.33; held-out RMSE 0.035-0.048; CR(70M) - CR(1.4B) at step 143k 0.081
}

func minRMSE(hs []scaling.Holdout) float64 {
	m := hs[0].RMSE
	for _, h := range hs {
		m = min(m, h.RMSE)
	}
	return m
}

func maxRMSE(hs []scaling.Holdout) float64 {
	m := hs[0].RMSE
	for _, h := range hs {
		m = max(m, h.RMSE)
	}
	return m
}

// How far the paper's Section 4.6 prediction, and the leave-one-size-out
// check of its largest model, extrapolate beyond the data.
func ExampleExtrapolation() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	obs := scaling.Observations(text)
	pred := paper.Prediction
	inP, inS := scaling.Extrapolation(obs, pred.Params, pred.Step)
	fmt.Printf("CR(%g, %g): %.2fx beyond the largest model, %.2fx beyond the last step\n", pred.Params, pred.Step, inP, inS)
	holdouts, err := scaling.LeaveOneSizeOut(scaling.PowerLaw{}, obs)
	if err != nil {
		fmt.Println(err)
		return
	}
	last := holdouts[len(holdouts)-1]
	fmt.Printf("holding out %s extrapolates %.2fx in P\n", last.Model, last.Extrapolation)
	// Output:
	// CR(5e+09, 200000): 3.57x beyond the largest model, 1.40x beyond the last step
	// holding out pythia-1.4b extrapolates 1.40x in P
}

// Upper bounds on the R^2 of any law that never rises with more training,
// or with a bigger model.
func ExampleMonotoneBound() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range paper.Tables {
		inS, inP := scaling.MonotoneBound(scaling.Observations(t))
		fmt.Printf("%-6s non-increasing in S: R^2 <= %.4f; in P: R^2 <= %.4f\n", t.Modality, inS, inP)
	}
	// Output:
	// text   non-increasing in S: R^2 <= 0.9996; in P: R^2 <= 0.9996
	// image  non-increasing in S: R^2 <= 0.9958; in P: R^2 <= 0.9658
	// speech non-increasing in S: R^2 <= 0.9961; in P: R^2 <= 0.9670
}

// Kaplan et al.'s pure power law, fitted on log-log axes to the paper's
// final text column.
func ExampleLogLogFit() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	var p, cr []float64
	for _, m := range text.Models() {
		v, _ := text.CR(m.Name, 143000)
		p, cr = append(p, m.Params), append(cr, v)
	}
	alpha, k, err := scaling.LogLogFit(p, cr)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("CR = %.3f P^-%.3f at step 143k (nominal P)\n", k, alpha)
	// Output:
	// CR = 2.027 P^-0.137 at step 143k (nominal P)
}

// Predict Section 4.6's point from the paper's printed Table 1, and a
// larger model from this project's refit of the paper's text table, with
// the refit's bootstrap interval and the spread over functional forms.
func ExamplePredictFit() {
	paper, err := results.LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	coef, _ := paper.Coefficients("text")
	fromTable1 := scaling.PredictTable1(coef, []scaling.Point{{P: 5e9, Step: 200000}})
	fmt.Printf("Table 1: CR(5e9, 2e5) = %.4f\n", fromTable1[0].CR)

	text, _ := paper.Table("text")
	preds, err := scaling.PredictFit(text, []scaling.Point{{Model: "pythia-12b", P: 12e9, Step: 143000}},
		scaling.PredictOptions{Bootstrap: scaling.BootstrapOptions{Resamples: 200, Seed: 1}})
	if err != nil {
		fmt.Println(err)
		return
	}
	p := preds[0]
	fmt.Printf("refit: %s at step %d: %.4f, interval [%.4f, %.4f], forms %.4f to %.4f\n", p.Model, p.Step, p.CR, p.Lo, p.Hi, p.FormsLo, p.FormsHi)
	// Output:
	// Table 1: CR(5e9, 2e5) = 0.1134
	// refit: pythia-12b at step 143000: 0.1097, interval [0.0949, 0.1203], forms 0.0880 to 0.1374
}
