package notebook

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Num formats a number with three significant digits.
func Num(v float64) string { return strconv.FormatFloat(v, 'g', 3, 64) }

// Analyses fits the paper's law to each table, bootstraps it with the
// settings of `paperrepro fit` (figures.DefaultBootstrap, seeded) and runs
// leave-one-size-out (scaling.Analyze).
func Analyses(tables []results.Table) []*scaling.Analysis {
	var out []*scaling.Analysis
	for _, t := range tables {
		out = append(out, Must(scaling.Analyze(scaling.PowerLaw{}, t, figures.DefaultBootstrap)))
	}
	return out
}

// Table1Table sets our fit of each table beside the paper's Table 1: per
// coefficient our estimate, its bootstrap interval and how many resamples
// ended on a bound, and the paper's value; R² and RMSE.
func Table1Table(as []*scaling.Analysis) Table {
	names := scaling.PowerLaw{}.Coefficients()
	head := []Cell{{Text: "modality", RowSpan: 2}}
	var sub []Cell
	for _, n := range names {
		head = append(head, Cell{Text: n, Cols: 2})
		sub = append(sub, Row("ours [interval], resamples on a bound", "paper")...)
	}
	head = append(head, Cell{Text: "R²", RowSpan: 2}, Cell{Text: "RMSE", RowSpan: 2})
	t := Table{Head: [][]Cell{head, sub}}
	for _, a := range as {
		row := []string{a.Modality}
		for i, iv := range a.Bootstrap.Intervals {
			cell := fmt.Sprintf("**%s** [%s, %s]", Num(iv.Estimate), Num(iv.Lo), Num(iv.Hi))
			if n := a.Bootstrap.AtBound[i]; n > 0 {
				cell += fmt.Sprintf(", %d", n)
			}
			row = append(row, cell, Num(PaperCoef(a.Modality)[i]))
		}
		t.Add(append(row, fmt.Sprintf("%.3f", a.Fit.R2), fmt.Sprintf("%.4f", a.Fit.RMSE))...)
	}
	return t
}

// Table1Reading is what the fits say about the paper's Table 1.
type Table1Reading struct {
	// MaxDiff is |ours − paper| per coefficient, the largest over the tables.
	MaxDiff []float64
	// BFactor and CFactor are the narrowest bootstrap intervals of b and c
	// over the tables, as the factor hi/lo.
	BFactor, CFactor float64
	// TightAlpha describes α's interval where it stays below the fitter's
	// bound ("text [0.0815, 0.848]"), LooseAlpha where it reaches it.
	TightAlpha, LooseAlpha []string
	// BetaLo and BetaHi bound β's intervals over the tables.
	BetaLo, BetaHi float64
	// LowR2 names the tables whose fit has R² at or below the paper's
	// claimed 0.95: "image (0.912)".
	LowR2 []string
}

// ReadTable1 reads the analyses against the paper's Table 1.
func ReadTable1(as []*scaling.Analysis) Table1Reading {
	r := Table1Reading{MaxDiff: make([]float64, len(scaling.PowerLaw{}.Coefficients())),
		BFactor: math.Inf(1), CFactor: math.Inf(1), BetaLo: math.Inf(1), BetaHi: math.Inf(-1)}
	for _, a := range as {
		for i, v := range a.Fit.Coef {
			r.MaxDiff[i] = max(r.MaxDiff[i], math.Abs(v-PaperCoef(a.Modality)[i]))
		}
		iv := a.Bootstrap.Intervals
		r.BFactor, r.CFactor = min(r.BFactor, iv[1].Hi/iv[1].Lo), min(r.CFactor, iv[2].Hi/iv[2].Lo)
		alpha := fmt.Sprintf("%s [%s, %s]", a.Modality, Num(iv[3].Lo), Num(iv[3].Hi))
		if iv[3].Hi >= scaling.MaxExponent {
			r.LooseAlpha = append(r.LooseAlpha, fmt.Sprintf("%s (%d of %d resamples with α on a bound)", alpha, a.Bootstrap.AtBound[3], a.Bootstrap.Options.Resamples))
		} else {
			r.TightAlpha = append(r.TightAlpha, alpha)
		}
		r.BetaLo, r.BetaHi = min(r.BetaLo, iv[4].Lo), max(r.BetaHi, iv[4].Hi)
		if a.Fit.R2 <= 0.95 {
			r.LowR2 = append(r.LowR2, fmt.Sprintf("%s (%.3f)", a.Modality, a.Fit.R2))
		}
	}
	return r
}

// HoldoutTable is leave-one-size-out per held-out model: how far it
// extrapolates, and per table the held-out RMSE, largest error and RMSE
// over the in-sample RMSE; a last row gives the in-sample RMSEs.
func HoldoutTable(as []*scaling.Analysis) Table {
	head := []Cell{{Text: "held-out model", RowSpan: 2}, {Text: "extrapolation in P", RowSpan: 2}}
	var sub []Cell
	for _, a := range as {
		head = append(head, Cell{Text: a.Modality, Cols: 3})
		sub = append(sub, Row("RMSE", "max |error|", "÷ in-sample RMSE")...)
	}
	t := Table{Head: [][]Cell{head, sub}}
	for i, h := range as[0].Holdouts {
		row := []string{h.Model, fmt.Sprintf("%.2f×", h.Extrapolation)}
		for _, a := range as {
			hm := a.Holdouts[i]
			row = append(row, fmt.Sprintf("%.3f", hm.RMSE), fmt.Sprintf("%.3f", hm.MaxAbsError), fmt.Sprintf("%.2f", a.HoldoutRatios()[i]))
		}
		t.Add(row...)
	}
	last := []string{"all cells (in-sample)", ""}
	for _, a := range as {
		last = append(last, fmt.Sprintf("%.3f", a.Fit.RMSE), "", "")
	}
	t.Add(last...)
	return t
}

// SizeEffect sets a table's held-out errors against the effect of model
// size itself: CR(smallest) − CR(largest) at the last step, in the paper's
// table and as the fitted law has it.
type SizeEffect struct {
	Modality string
	// Ratios are the held-out RMSEs over the in-sample RMSE; Worst names
	// the model with the largest.
	Ratios []float64
	Worst  string
	// RMSELo and RMSEHi bound the held-out RMSEs.
	RMSELo, RMSEHi float64
	// InTable and Law are the size effect in the paper's table and in the
	// law.
	InTable, Law float64
}

// SizeEffects measures each analysis's SizeEffect.
func SizeEffects(as []*scaling.Analysis) []SizeEffect {
	var out []SizeEffect
	for _, a := range as {
		t := PaperTable(a.Modality)
		models, steps := t.Models(), t.Steps()
		small, large, last := models[0], models[len(models)-1], float64(steps[len(steps)-1])
		e := SizeEffect{Modality: a.Modality, Ratios: a.HoldoutRatios(), RMSELo: math.Inf(1), RMSEHi: math.Inf(-1),
			InTable: Must(scaling.SizeEffect(scaling.Observations(t), last)),
			Law:     a.Fit.Predict(small.Params, last) - a.Fit.Predict(large.Params, last)}
		worst := 0
		for i, h := range a.Holdouts {
			e.RMSELo, e.RMSEHi = min(e.RMSELo, h.RMSE), max(e.RMSEHi, h.RMSE)
			if e.Ratios[i] > e.Ratios[worst] {
				worst = i
			}
		}
		e.Worst = a.Holdouts[worst].Model
		out = append(out, e)
	}
	return out
}

// SizeEffectTable sets out the size effects.
func SizeEffectTable(es []SizeEffect) Table {
	t := NewTable([]string{"modality", "held-out ÷ in-sample RMSE", "held-out RMSE", "size effect, paper's table", "size effect, fitted law", "largest held-out RMSE ÷ the law's size effect"})
	for _, e := range es {
		t.Add(e.Modality, fmt.Sprintf("%.2f – %.2f (largest for %s)", slices.Min(e.Ratios), slices.Max(e.Ratios), e.Worst),
			fmt.Sprintf("%.3f – %.3f", e.RMSELo, e.RMSEHi), fmt.Sprintf("%.3f", e.InTable), fmt.Sprintf("%.3f", e.Law), fmt.Sprintf("%.0f%%", 100*e.RMSEHi/e.Law))
	}
	return t
}

// CompareForms compares scaling.Forms() on a table's cells twice: with all
// of them, and without its first step, where the models are near random.
func CompareForms(t results.Table) []*scaling.Comparison {
	obs := scaling.Observations(t)
	return []*scaling.Comparison{
		Must(scaling.CompareForms(scaling.Forms(), obs)),
		Must(scaling.CompareForms(scaling.Forms(), scaling.WithoutSteps(obs, float64(t.Steps()[0])))),
	}
}

// FormsTable sets out CompareForms' two comparisons of a table: per form
// the parameters K the criteria count (its k coefficients and the error
// variance σ², FormFit.K), ΔAICc (the lowest in bold), Akaike weight, BIC,
// R² and held-out RMSE.
func FormsTable(t results.Table, cmps []*scaling.Comparison) Table {
	labels := []string{"all cells", "without step " + figures.Count(float64(t.Steps()[0]))}
	head := []Cell{{Text: "form", RowSpan: 2}, {Text: "K = k + 1 (σ²)", RowSpan: 2}}
	var sub []Cell
	for i, c := range cmps {
		head = append(head, Cell{Text: fmt.Sprintf("%s (%d cells)", labels[i], c.Forms[0].Cells), Cols: 5})
		sub = append(sub, Row("ΔAICc", "Akaike weight", "BIC", "R²", "held-out RMSE")...)
	}
	tab := Table{Caption: t.Modality, Head: [][]Cell{head, sub}}
	for j, f := range cmps[0].Forms {
		row := []string{"`" + f.Form.Name() + "`", strconv.Itoa(f.K())}
		for _, c := range cmps {
			g := c.Forms[j]
			delta := fmt.Sprintf("%.1f", g.DeltaAICc)
			if g.DeltaAICc < 0.05 {
				delta = "**" + delta + "**"
			}
			row = append(row, delta, fmt.Sprintf("%.2f", g.Weight), fmt.Sprintf("%.1f", g.BIC), fmt.Sprintf("%.3f", g.Fit.R2), fmt.Sprintf("%.4f", g.HoldoutRMSE))
		}
		tab.Add(row...)
	}
	return tab
}

// FormSpread is what a comparison of forms says about a prediction at
// (P, S): its range over all forms, the predictions of the forms tied by
// AICc (within scaling.TieAICc of the lowest: about equally supported, a
// reparametrisation counted once), and the paper's form's estimate and
// bootstrap interval.
type FormSpread struct {
	Lo, Hi float64
	// Close lists the tied forms' predictions as "0.1127 (`form`)".
	Close []string
	// CloseLo and CloseHi bound the tied forms' predictions.
	CloseLo, CloseHi float64
	// Estimate, BootLo and BootHi are the paper's form's prediction and its
	// bootstrap interval at level Level.
	Estimate, BootLo, BootHi, Level float64
}

// Spread measures a comparison's FormSpread at (p, s); the comparison's
// first form is the paper's.
func Spread(c *scaling.Comparison, p, s float64) FormSpread {
	r := FormSpread{CloseLo: math.Inf(1), CloseHi: math.Inf(-1)}
	r.Lo, r.Hi = c.Spread(p, s)
	for _, f := range c.Tied() {
		v := f.Fit.Predict(p, s)
		r.Close = append(r.Close, fmt.Sprintf("%.4f (`%s`)", v, f.Form.Name()))
		r.CloseLo, r.CloseHi = min(r.CloseLo, v), max(r.CloseHi, v)
	}
	fit := c.Forms[0].Fit
	boot := Must(scaling.Bootstrap(fit, figures.DefaultBootstrap))
	r.BootLo, r.BootHi = boot.PredictionInterval(fit.Form, p, s)
	r.Estimate, r.Level = fit.Predict(p, s), boot.Options.Level
	return r
}

// PaperFormBest counts the comparisons in which the paper's form (each
// comparison's first) is best by AICc, clear of every other form by at
// least scaling.TieAICc, and those in which it is tied for best.
func PaperFormBest(cmps []*scaling.Comparison) (clear, tied int) {
	for _, c := range cmps {
		best := c.Tied()
		switch {
		case len(best) == 1 && best[0].Form.Name() == c.Forms[0].Form.Name():
			clear++
		case slices.ContainsFunc(best, func(f scaling.FormFit) bool { return f.Form.Name() == c.Forms[0].Form.Name() }):
			tied++
		}
	}
	return clear, tied
}

// BestByAICc names the form a comparison favours by AICc when one is
// clear of the others by at least scaling.TieAICc, else the tied forms
// ("tie: `F1`, `F2`"): a smaller difference singles none out.
func BestByAICc(c *scaling.Comparison) string {
	var names []string
	for _, f := range c.Tied() {
		names = append(names, "`"+f.Form.Name()+"`")
	}
	if len(names) == 1 {
		return names[0]
	}
	return "tie: " + strings.Join(names, ", ")
}

// At names Section 4.6's point, as "CR(5B, 200k)".
func At(pred results.Prediction) string {
	return fmt.Sprintf("CR(%s, %s)", figures.Count(pred.Params), figures.Count(pred.Step))
}

// CountAnalysis is Analyses of the tables with P under one count of
// parameters.
type CountAnalysis struct {
	Count    scaling.Count
	Analyses []*scaling.Analysis
}

// CountAnalyses analyses the tables (Analyses) once under every count of
// parameters (scaling.Counts), the sizes from each model's configuration,
// config(model), as scaling.TablesWithSizes takes it (pythia.Parameters).
func CountAnalyses(tables []results.Table, config func(model string) (scaling.Parameters, error)) []CountAnalysis {
	var out []CountAnalysis
	for _, c := range scaling.Counts() {
		out = append(out, CountAnalysis{Count: c, Analyses: Analyses(Must(scaling.TablesWithSizes(tables, c, config)))})
	}
	return out
}

// CountsTable sets the fits under each count of parameters side by side:
// per count a heading row (the count and what P is under it), then per
// table α with its bootstrap interval and how many resamples ended with α
// on a bound, R² and RMSE.
func CountsTable(cas []CountAnalysis) Table {
	opts := cas[0].Analyses[0].Bootstrap.Options
	t := NewTable([]string{"modality", fmt.Sprintf("α [%.0f%% interval]", 100*opts.Level), fmt.Sprintf("resamples with α on a bound (of %d)", opts.Resamples), "R²", "RMSE"})
	for _, ca := range cas {
		t.Rows = append(t.Rows, []Cell{{Text: fmt.Sprintf("**P %s**: %s", ca.Count, ca.Count.Describe()), Cols: 5}})
		for _, a := range ca.Analyses {
			alpha := slices.Index(a.Fit.Form.Coefficients(), "alpha")
			iv := a.Bootstrap.Intervals[alpha]
			t.Add(a.Modality, fmt.Sprintf("**%.4f** [%s, %s]", iv.Estimate, Num(iv.Lo), Num(iv.Hi)), strconv.Itoa(a.Bootstrap.AtBound[alpha]),
				fmt.Sprintf("%.4f", a.Fit.R2), fmt.Sprintf("%.4f", a.Fit.RMSE))
		}
	}
	return t
}

// CountsR2Spread is the most any table's R² moves between the counts of
// parameters.
func CountsR2Spread(cas []CountAnalysis) float64 {
	spread := 0.0
	for i := range cas[0].Analyses {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, ca := range cas {
			lo, hi = min(lo, ca.Analyses[i].Fit.R2), max(hi, ca.Analyses[i].Fit.R2)
		}
		spread = max(spread, hi-lo)
	}
	return spread
}

// CountsReading says, per table, how α and R² move with the count of
// parameters: "text: α 0.3934 (nominal), 0.3967 (total), 0.0985
// (non-embedding); R² 0.9655 to 0.9657".
func CountsReading(cas []CountAnalysis) []string {
	var lines []string
	for i, a := range cas[0].Analyses {
		var alphas []string
		r2Lo, r2Hi := math.Inf(1), math.Inf(-1)
		for _, ca := range cas {
			fit := ca.Analyses[i].Fit
			alpha, _ := fit.Coefficient("alpha")
			alphas = append(alphas, fmt.Sprintf("%.4f (%s)", alpha, ca.Count))
			r2Lo, r2Hi = min(r2Lo, fit.R2), max(r2Hi, fit.R2)
		}
		lines = append(lines, fmt.Sprintf("%s: α %s; R² %.4f to %.4f", a.Modality, strings.Join(alphas, ", "), r2Lo, r2Hi))
	}
	return lines
}
