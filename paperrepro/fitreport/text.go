package fitreport

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// WriteText writes the report of analyses, fits of scaling.PowerLaw to the
// tables read from input, all bootstrapped with the same options: one
// block per table, then the paper's prediction next to ours. With paper
// not nil its Table 1 and prediction are printed beside ours.
func WriteText(w io.Writer, input string, analyses []*scaling.Analysis, paper *results.Paper) {
	if len(analyses) == 0 {
		return
	}
	form := scaling.PowerLaw{}
	opts := analyses[0].Bootstrap.Options
	fmt.Fprintf(w, "Table 1 (ours) from %s: %s\n", input, form.Name())
	fmt.Fprintf(w, "least squares within bounds, from the local minima of a grid of exponents; %.0f%% percentile bootstrap intervals, %d resamples of the cells, seed %d\n",
		100*opts.Level, opts.Resamples, opts.Seed)
	fmt.Fprintf(w, "(an interval reaching a = 0 or alpha, beta = %g touches the fit's bounds: the data leave that coefficient loose)\n", scaling.MaxExponent)
	for _, a := range analyses {
		sizes, steps := map[float64]bool{}, map[float64]bool{}
		for _, c := range a.Fit.Cells {
			sizes[c.P], steps[c.S] = true, true
		}
		fmt.Fprintf(w, "\n%s: %d cells, %d model sizes x %d steps\n", label(a.Modality), len(a.Fit.Cells), len(sizes), len(steps))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		var ref results.Coefficients
		hasRef := false
		if paper != nil {
			ref, hasRef = paper.Coefficients(a.Modality)
		}
		header := "  coefficient\tours\tinterval"
		if hasRef {
			header += "\tpaper"
		}
		fmt.Fprintln(tw, header)
		refs := scaling.PowerLawCoef(ref)
		for j, iv := range a.Bootstrap.Intervals {
			line := fmt.Sprintf("  %s\t%.4g\t[%.3g, %.3g]", iv.Name, iv.Estimate, iv.Lo, iv.Hi)
			if hasRef {
				line += fmt.Sprintf("\t%g", refs[j])
			}
			fmt.Fprintln(tw, line)
		}
		tw.Flush()
		fmt.Fprintf(w, "  %s\n", boundSummary(a))
		fmt.Fprintf(w, "  R^2 %.4f   RMSE %.4f\n", a.Fit.R2, a.Fit.RMSE)
		if len(a.Holdouts) == 0 {
			fmt.Fprintf(w, "  leave one model size out: needs at least %d model sizes\n", scaling.MinHoldoutSizes)
			continue
		}
		fmt.Fprintln(w, "  leave one model size out (fit the others, predict its cells):")
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    held out\tparams\tRMSE\tmax |error|\tmean |error|/CR")
		for _, h := range a.Holdouts {
			fmt.Fprintf(tw, "    %s\t%s\t%.4f\t%.4f\t%.1f%%\n", h.Model, figures.Count(h.P), h.RMSE, h.MaxAbsError, 100*h.MeanRelError)
		}
		tw.Flush()
	}
	if paper == nil {
		return
	}
	pred := paper.Prediction
	for _, a := range analyses {
		if a.Modality != pred.Modality {
			continue
		}
		ours := a.Fit.Predict(pred.Params, pred.Step)
		lo, hi := a.Bootstrap.PredictionInterval(form, pred.Params, pred.Step)
		fmt.Fprintf(w, "\nprediction (paper section 4.6), %s: CR(P=%g, S=%g)\n", pred.Modality, pred.Params, pred.Step)
		fmt.Fprintf(w, "  ours %.4f, %.0f%% interval [%.4f, %.4f]; paper %.3f", ours, 100*opts.Level, lo, hi, pred.CR)
		if coef, ok := paper.Coefficients(pred.Modality); ok {
			fromTable1 := form.Eval(scaling.PowerLawCoef(coef), pred.Params, pred.Step)
			fmt.Fprintf(w, " (its Table 1 coefficients give %.4f)", fromTable1)
		}
		fmt.Fprintln(w)
	}
}

// boundSummary says how many resample fits ended with each coefficient on
// a bound of the fit.
func boundSummary(a *scaling.Analysis) string {
	var parts []string
	for j, n := range a.Bootstrap.AtBound {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s in %d", a.Bootstrap.Intervals[j].Name, n))
		}
	}
	if len(parts) == 0 {
		return "no resample's fit ends on a bound"
	}
	return fmt.Sprintf("resample fits on a bound: %s of %d", strings.Join(parts, ", "), a.Bootstrap.Options.Resamples)
}

func label(modality string) string {
	if modality == "" {
		return "unnamed table"
	}
	return modality
}
