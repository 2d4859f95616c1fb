package fitreport

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// WriteForms fits each of forms to the cells of every analysis, once with
// all cells and once without the table's first step (step 1000 in the
// paper, where the models are still near random and the column carries
// most of the variance), and writes the comparison: per form k, AICc,
// dAICc, Akaike weight, BIC, R^2, RMSE and the leave-one-size-out RMSE.
// With paper not nil it adds each form's CR at the paper's Section 4.6
// point, their spread, and the paper form's bootstrap interval there from
// the analysis (analyses are fits of scaling.PowerLaw, as for WriteText).
// A block whose cells cannot determine a form says so instead.
func WriteForms(w io.Writer, analyses []*scaling.Analysis, forms []scaling.Form, paper *results.Paper) {
	fmt.Fprintln(w, "Functional forms, each fitted by the same least squares. K: parameters the criteria count, the fitted coefficients")
	fmt.Fprintln(w, "and the error variance sigma^2; AICc, BIC: information criteria under Gaussian errors (lower is better; only")
	fmt.Fprintln(w, "differences within one block mean anything); weight: Akaike weight over the distinct forms (a form with the same")
	fmt.Fprintln(w, "curves as an earlier one, such as the paper's in tokens D, shares its weight and is counted once); held-out: RMSE")
	fmt.Fprintf(w, "over the leave-one-size-out cells. Forms within %g of the lowest AICc are reported as tied.\n", scaling.TieAICc)
	for _, a := range analyses {
		obs := make([]scaling.Observation, len(a.Fit.Cells))
		for i, c := range a.Fit.Cells {
			obs[i] = c.Observation
		}
		first := obs[0].S
		for _, o := range obs {
			first = min(first, o.S)
		}
		blocks := []struct {
			title string
			obs   []scaling.Observation
		}{
			{"all cells", obs},
			{fmt.Sprintf("without step %g", first), scaling.WithoutSteps(obs, first)},
		}
		var spreads []string
		for _, b := range blocks {
			fmt.Fprintf(w, "\n%s, %s (%d cells):\n", label(a.Modality), b.title, len(b.obs))
			c, err := scaling.CompareForms(forms, b.obs)
			if err != nil {
				fmt.Fprintf(w, "  not compared: %v\n", err)
				continue
			}
			tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
			header := "  form\tK\tAICc\tdAICc\tweight\tBIC\tR^2\tRMSE\theld-out"
			if paper != nil {
				header += fmt.Sprintf("\tCR(%g, %g)", paper.Prediction.Params, paper.Prediction.Step)
			}
			fmt.Fprintln(tw, header)
			for _, f := range c.Forms {
				line := fmt.Sprintf("  %s\t%d\t%.2f\t%.2f\t%.3f\t%.2f\t%.4f\t%.4f\t%.4f", f.Form.Name(), f.K(), f.AICc, f.DeltaAICc, f.Weight, f.BIC, f.Fit.R2, f.Fit.RMSE, f.HoldoutRMSE)
				if paper != nil {
					line += fmt.Sprintf("\t%.4f", f.Fit.Predict(paper.Prediction.Params, paper.Prediction.Step))
				}
				fmt.Fprintln(tw, line)
			}
			tw.Flush()
			fmt.Fprintf(w, "  %s\n", Verdict(c))
			if paper != nil {
				lo, hi := c.Spread(paper.Prediction.Params, paper.Prediction.Step)
				spreads = append(spreads, fmt.Sprintf("%.4f to %.4f (%s)", lo, hi, b.title))
			}
		}
		if paper != nil && len(spreads) > 0 {
			p, s := paper.Prediction.Params, paper.Prediction.Step
			lo, hi := a.Bootstrap.PredictionInterval(a.Fit.Form, p, s)
			fmt.Fprintf(w, "  CR(%g, %g) over forms: %s", p, s, spreads[0])
			for _, sp := range spreads[1:] {
				fmt.Fprintf(w, ", %s", sp)
			}
			fmt.Fprintf(w, "; the paper's form: %.4f, %.0f%% bootstrap interval [%.4f, %.4f]\n", a.Fit.Predict(p, s), 100*a.Bootstrap.Options.Level, lo, hi)
		}
	}
}

// Verdict says which form the cells favour by AICc: "lowest AICc: F (the
// next form 3.47 higher)" when one form is clear of the others by at
// least scaling.TieAICc, else "tied by AICc (within 2): F1 (dAICc 0.00),
// F2 (dAICc 0.13)", since a smaller difference does not single one out.
func Verdict(c *scaling.Comparison) string {
	tied := c.Tied()
	if len(tied) > 1 {
		parts := make([]string, len(tied))
		for i, f := range tied {
			parts[i] = fmt.Sprintf("%s (dAICc %.2f)", f.Form.Name(), f.DeltaAICc)
		}
		return fmt.Sprintf("tied by AICc (within %g): %s", scaling.TieAICc, strings.Join(parts, ", "))
	}
	best := tied[0]
	next := math.Inf(1)
	for _, f := range c.Forms {
		if f.SameCurvesAs < 0 && f.Form.Name() != best.Form.Name() {
			next = min(next, f.DeltaAICc)
		}
	}
	if math.IsInf(next, 1) {
		return fmt.Sprintf("lowest AICc: %s (the only form)", best.Form.Name())
	}
	return fmt.Sprintf("lowest AICc: %s (the next form %.2f higher)", best.Form.Name(), next)
}
