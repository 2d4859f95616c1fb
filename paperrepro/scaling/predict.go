package scaling

import (
	"fmt"
	"math"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Point is a cell to predict: a model of P parameters after Step training
// steps. Model names it ("pythia-2.8b"), or is empty for a bare size such
// as Section 4.6's 5e9.
type Point struct {
	Model string
	P     float64
	Step  int
}

// Prediction is a law's compression ratio at one Point of one modality,
// with the two uncertainties the project reports: the bootstrap interval of
// the paper's form (the resampling of the cells it was fitted to) and the
// spread over functional forms fitted to the same cells (the choice of
// form, which no bootstrap of one form shows).
type Prediction struct {
	Modality string
	Point
	// CR is the law's prediction.
	CR float64
	// Lo and Hi bound the bootstrap percentile interval of CR; NaN for a
	// law with no cells to resample (the paper's printed Table 1).
	Lo, Hi float64
	// FormsLo and FormsHi are the lowest and highest CR of the compared
	// forms; NaN when no forms were compared.
	FormsLo, FormsHi float64
}

// HasInterval reports whether the prediction has a bootstrap interval.
func (p Prediction) HasInterval() bool { return !math.IsNaN(p.Lo) && !math.IsNaN(p.Hi) }

// HasSpread reports whether the prediction has a spread over forms.
func (p Prediction) HasSpread() bool { return !math.IsNaN(p.FormsLo) && !math.IsNaN(p.FormsHi) }

// Predictions are the predictions of one law per modality, made together:
// the same kind of size, the same bootstrap and the same forms. A
// registered prediction (expected/registered_predictions.csv) is one.
type Predictions struct {
	// Law says which law predicts: "paper, Table 1", or this project's
	// refit of the cells named, e.g. "refit of paper, Tables 2-4".
	Law string
	// Sizes is the parameter count that P stands for: "nominal" (the size
	// a Pythia name states, as the paper's Table 1 fits them), "total" or
	// "non-embedding".
	Sizes string
	// Bootstrap is the bootstrap behind the intervals (zero without one).
	Bootstrap BootstrapOptions
	// FormsCompared is how many functional forms the spreads are over (0
	// without a spread; `paperrepro fit -forms` lists them).
	FormsCompared int
	// Rows holds one prediction per modality and point.
	Rows []Prediction
}

// Find returns the prediction of modality's model at step, and whether
// there is one.
func (ps Predictions) Find(modality, model string, step int) (Prediction, bool) {
	for _, p := range ps.Rows {
		if p.Modality == modality && p.Model == model && p.Step == step {
			return p, true
		}
	}
	return Prediction{}, false
}

// PredictOptions configure PredictFit. The zero value bootstraps with the
// defaults of BootstrapOptions and compares Forms().
type PredictOptions struct {
	Bootstrap BootstrapOptions
	// Forms are the forms whose spread is reported; nil means Forms().
	Forms []Form
}

// PredictFit fits the paper's form (PowerLaw) to t, bootstraps it and fits
// every form of opts to the same cells, and returns their prediction at
// each point: the refit's CR, its bootstrap interval and the spread over
// the forms.
func PredictFit(t results.Table, points []Point, opts PredictOptions) ([]Prediction, error) {
	if len(points) == 0 {
		return nil, fmt.Errorf("predicting %s: no points to predict", t.Modality)
	}
	fit, err := FitTable(PowerLaw{}, t)
	if err != nil {
		return nil, fmt.Errorf("predicting: %w", err)
	}
	boot, err := Bootstrap(fit, opts.Bootstrap)
	if err != nil {
		return nil, fmt.Errorf("predicting %s: %w", t.Modality, err)
	}
	forms := opts.Forms
	if forms == nil {
		forms = Forms()
	}
	comparison, err := CompareForms(forms, Observations(t))
	if err != nil {
		return nil, fmt.Errorf("predicting %s: %w", t.Modality, err)
	}
	out := make([]Prediction, len(points))
	for i, pt := range points {
		s := float64(pt.Step)
		lo, hi := boot.PredictionInterval(fit.Form, pt.P, s)
		formsLo, formsHi := comparison.Spread(pt.P, s)
		out[i] = Prediction{Modality: t.Modality, Point: pt, CR: fit.Predict(pt.P, s), Lo: lo, Hi: hi, FormsLo: formsLo, FormsHi: formsHi}
	}
	return out, nil
}

// PredictTable1 returns the CR that a row of the paper's Table 1 (or of a
// Table 1 that `paperrepro fit -o` wrote) gives at each point. The paper
// prints coefficients without the cells' resamples, so the predictions
// have neither interval nor spread.
func PredictTable1(c results.Coefficients, points []Point) []Prediction {
	coef := PowerLawCoef(c)
	out := make([]Prediction, len(points))
	for i, pt := range points {
		out[i] = Prediction{
			Modality: c.Modality, Point: pt, CR: PowerLaw{}.Eval(coef, pt.P, float64(pt.Step)),
			Lo: math.NaN(), Hi: math.NaN(), FormsLo: math.NaN(), FormsHi: math.NaN(),
		}
	}
	return out
}

// PredictionCheck is a computed cell set against its prediction.
type PredictionCheck struct {
	Prediction
	// Computed is the cell's compression ratio, Source where it comes from
	// (the table's Source).
	Computed float64
	Source   string
}

// Error is the computed CR less the predicted one.
func (c PredictionCheck) Error() float64 { return c.Computed - c.CR }

// InInterval reports whether the computed CR lies within the bootstrap
// interval (false without one).
func (c PredictionCheck) InInterval() bool {
	return c.HasInterval() && c.Computed >= c.Lo && c.Computed <= c.Hi
}

// InSpread reports whether the computed CR lies within the spread over
// forms (false without one).
func (c PredictionCheck) InSpread() bool {
	return c.HasSpread() && c.Computed >= c.FormsLo && c.Computed <= c.FormsHi
}

// CheckPredictions sets every cell of tables that ps predicts (the same
// modality, model name and step) against its prediction, in the order of
// ps. Cells ps does not predict, and predictions without a cell, are left
// out.
func CheckPredictions(ps Predictions, tables []results.Table) []PredictionCheck {
	var out []PredictionCheck
	for _, p := range ps.Rows {
		for _, t := range tables {
			if t.Modality != p.Modality || p.Model == "" {
				continue
			}
			if cr, ok := t.CR(p.Model, p.Step); ok {
				out = append(out, PredictionCheck{Prediction: p, Computed: cr, Source: t.Source})
			}
		}
	}
	return out
}
