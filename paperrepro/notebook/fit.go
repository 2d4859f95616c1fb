package notebook

import (
	"fmt"
	"math"
	"slices"
	"strconv"

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
// size itself: CR(smallest) − CR(largest) at the last step, measured and as
// the fitted law has it.
type SizeEffect struct {
	Modality string
	// Ratios are the held-out RMSEs over the in-sample RMSE; Worst names
	// the model with the largest.
	Ratios []float64
	Worst  string
	// RMSELo and RMSEHi bound the held-out RMSEs.
	RMSELo, RMSEHi float64
	// Measured and Law are the size effect in the table and in the law.
	Measured, Law float64
}

// SizeEffects measures each analysis's SizeEffect.
func SizeEffects(as []*scaling.Analysis) []SizeEffect {
	var out []SizeEffect
	for _, a := range as {
		t := PaperTable(a.Modality)
		models, steps := t.Models(), t.Steps()
		small, large, last := models[0], models[len(models)-1], float64(steps[len(steps)-1])
		e := SizeEffect{Modality: a.Modality, Ratios: a.HoldoutRatios(), RMSELo: math.Inf(1), RMSEHi: math.Inf(-1),
			Measured: Must(scaling.SizeEffect(scaling.Observations(t), last)),
			Law:      a.Fit.Predict(small.Params, last) - a.Fit.Predict(large.Params, last)}
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
	t := NewTable([]string{"modality", "held-out ÷ in-sample RMSE", "held-out RMSE", "size effect, measured", "size effect, fitted law", "largest held-out RMSE ÷ the law's size effect"})
	for _, e := range es {
		t.Add(e.Modality, fmt.Sprintf("%.2f – %.2f (largest for %s)", slices.Min(e.Ratios), slices.Max(e.Ratios), e.Worst),
			fmt.Sprintf("%.3f – %.3f", e.RMSELo, e.RMSEHi), fmt.Sprintf("%.3f", e.Measured), fmt.Sprintf("%.3f", e.Law), fmt.Sprintf("%.0f%%", 100*e.RMSEHi/e.Law))
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
// its coefficients, ΔAICc (the lowest in bold), Akaike weight, BIC, R² and
// held-out RMSE.
func FormsTable(t results.Table, cmps []*scaling.Comparison) Table {
	labels := []string{"all cells", "without step " + figures.Count(float64(t.Steps()[0]))}
	head := []Cell{{Text: "form", RowSpan: 2}, {Text: "k", RowSpan: 2}}
	var sub []Cell
	for i, c := range cmps {
		head = append(head, Cell{Text: fmt.Sprintf("%s (%d cells)", labels[i], c.Forms[0].Cells), Cols: 5})
		sub = append(sub, Row("ΔAICc", "Akaike weight", "BIC", "R²", "held-out RMSE")...)
	}
	tab := Table{Caption: t.Modality, Head: [][]Cell{head, sub}}
	for j, f := range cmps[0].Forms {
		row := []string{"`" + f.Form.Name() + "`", strconv.Itoa(f.Params)}
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
// (P, S): its range over all forms, the predictions of the forms within 2
// of the lowest AICc (about equally supported, a reparametrisation counted
// once), and the paper's form's estimate and bootstrap interval.
type FormSpread struct {
	Lo, Hi float64
	// Close lists the close forms' predictions as "0.1127 (`form`)".
	Close []string
	// CloseLo and CloseHi bound the close forms' predictions.
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
	for _, f := range c.Forms {
		if f.DeltaAICc < 2 && f.SameCurvesAs < 0 {
			v := f.Fit.Predict(p, s)
			r.Close = append(r.Close, fmt.Sprintf("%.4f (`%s`)", v, f.Form.Name()))
			r.CloseLo, r.CloseHi = min(r.CloseLo, v), max(r.CloseHi, v)
		}
	}
	fit := c.Forms[0].Fit
	boot := Must(scaling.Bootstrap(fit, figures.DefaultBootstrap))
	r.BootLo, r.BootHi = boot.PredictionInterval(fit.Form, p, s)
	r.Estimate, r.Level = fit.Predict(p, s), boot.Options.Level
	return r
}

// At names Section 4.6's point, as "CR(5B, 200k)".
func At(pred results.Prediction) string {
	return fmt.Sprintf("CR(%s, %s)", figures.Count(pred.Params), figures.Count(pred.Step))
}
