package notebook

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// PredictionTable returns the paper's table of the modality Section 4.6
// predicts for.
func PredictionTable() results.Table {
	return PaperTable(Paper().Prediction.Modality)
}

// RegisteredPredictions is the project's registered prediction for the
// Pythia sizes beyond the paper's grid, from the checkout's
// expected/registered_predictions.csv (scaling.ReadPredictions; its
// README says when and by which command it was made). A checkout without
// it is broken, and the cell stops.
func RegisteredPredictions() scaling.Predictions {
	return Must(scaling.ReadPredictions(filepath.Join(DefaultPlaces().Repo, "expected", "registered_predictions.csv")))
}

// PredictionCommands are the commands, to run in the checkout, that
// compute the cells a registered prediction covers and set them against
// it: `paperrepro run` of its models with the paper's float16 protocol (as
// `make reproduce` runs the grid), then `paperrepro tables` and
// `paperrepro figures`.
func PredictionCommands(ps scaling.Predictions) []string {
	var models []string
	for _, p := range ps.Rows {
		if m := strings.TrimPrefix(p.Model, "pythia-"); m != "" && !slices.Contains(models, m) {
			models = append(models, m)
		}
	}
	const paperrepro = "go run ./paperrepro/cmd/paperrepro"
	return []string{
		paperrepro + " run -float16 -models " + strings.Join(models, ","),
		paperrepro + " tables",
		paperrepro + " figures",
	}
}

// PaperPrediction is what the paper's Table 1 row gives at Section 4.6's
// point (scaling.PredictTable1), to set beside the value Section 4.6
// states.
func PaperPrediction() scaling.Prediction {
	pred := Paper().Prediction
	row, ok := Paper().Coefficients(pred.Modality)
	if !ok {
		Check(fmt.Errorf("expected/ holds no Table 1 row for %q", pred.Modality))
	}
	return scaling.PredictTable1(row, []scaling.Point{{P: pred.Params, Step: int(pred.Step)}})[0]
}

// TermsTable splits the paper's law at its prediction's point into its
// terms a, b·P^−α and c·S^−β, each with its share, beside the paper's
// stated value. total is the law's value there.
func TermsTable(coef []float64, pred results.Prediction) (t Table, total float64) {
	floor, size, steps := scaling.PowerLaw{}.Terms(coef, pred.Params, pred.Step)
	total = scaling.PowerLaw{}.Eval(coef, pred.Params, pred.Step)
	share := func(v float64) string { return fmt.Sprintf("%.0f%%", 100*v/total) }
	t = NewTable([]string{"term", "value", "share"},
		[]string{"$a$ (irreducible)", fmt.Sprintf("%.4f", floor), share(floor)},
		[]string{"$b\\,P^{-\\alpha}$ at P = " + figures.Count(pred.Params), fmt.Sprintf("%.4f", size), share(size)},
		[]string{"$c\\,S^{-\\beta}$ at S = " + figures.Count(pred.Step), fmt.Sprintf("%.4f", steps), share(steps)},
		[]string{"**CR**", fmt.Sprintf("**%.4f**", total), ""},
		[]string{"paper, Section 4.6, states", fmt.Sprintf("≈ %.3f", pred.CR), ""})
	return t, total
}

// OnBound says which coefficients ended on a bound of the fitter in how
// many of a bootstrap's resamples: "a in 143 of the 1000", or "none".
func OnBound(b *scaling.BootstrapResult, names []string) string {
	var parts []string
	for i, n := range b.AtBound {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%s in %d", names[i], n))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(" of the %d", b.Options.Resamples)
}

// LastCell returns a holdout's cell at its latest step.
func LastCell(h scaling.Holdout) scaling.Cell {
	var last scaling.Cell
	for _, c := range h.Cells {
		if c.S > last.S {
			last = c
		}
	}
	return last
}

// PredictionFormsTable sets out the forms of two comparisons (all cells,
// and without the first step) with their ΔAICc, R², held-out RMSE and
// prediction at Section 4.6's point.
func PredictionFormsTable(t results.Table, cmps []*scaling.Comparison, pred results.Prediction) Table {
	labels := []string{"all cells", "without step " + figures.Count(float64(t.Steps()[0]))}
	head := []Cell{{Text: "form", RowSpan: 2}}
	var sub []Cell
	for i, c := range cmps {
		head = append(head, Cell{Text: fmt.Sprintf("%s (%d cells)", labels[i], c.Forms[0].Cells), Cols: 4})
		sub = append(sub, Row("ΔAICc", "R²", "held-out RMSE", At(pred))...)
	}
	tab := Table{Head: [][]Cell{head, sub}}
	for j, f := range cmps[0].Forms {
		row := []string{"`" + f.Form.Name() + "`"}
		for _, c := range cmps {
			g := c.Forms[j]
			row = append(row, fmt.Sprintf("%.1f", g.DeltaAICc), fmt.Sprintf("%.3f", g.Fit.R2), fmt.Sprintf("%.4f", g.HoldoutRMSE), fmt.Sprintf("**%.4f**", g.Fit.Predict(pred.Params, pred.Step)))
		}
		tab.Add(row...)
	}
	return tab
}
