package scaling

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// FormFit is one functional form fitted to a table, with the measures that
// weigh it against other forms fitted to the same cells.
type FormFit struct {
	Form Form
	Fit  *Result
	// Cells is the number of cells n and Params the number of fitted
	// coefficients k; the information criteria count one parameter more
	// (K, the error variance σ²).
	Cells, Params int
	// AICc is Akaike's information criterion with the small-sample
	// correction and BIC the Bayesian (Schwarz) criterion, both of the
	// least-squares fit under independent Gaussian errors, counting the
	// error variance as a parameter (K = k + 1):
	//
	//	AICc = n ln(SSR/n) + 2K + 2K(K+1)/(n-K-1),   BIC = n ln(SSR/n) + K ln n.
	//
	// Lower is better; only differences between forms fitted to the same
	// cells mean anything. AICc is +Inf when n <= K + 1, and both are -Inf
	// for an exact fit (SSR = 0).
	AICc, BIC float64
	// DeltaAICc is AICc less the lowest AICc of the comparison, and Weight
	// the Akaike weight exp(-DeltaAICc/2) normalised over the comparison's
	// distinct forms: roughly, the probability that this form is the best
	// of those compared (Burnham and Anderson, 2002). A reparametrisation
	// of an earlier form of the comparison (SameCurvesAs) has that form's
	// DeltaAICc and weight (its own AICc differs by rounding alone), and is
	// not counted again in the normalisation.
	DeltaAICc, Weight float64
	// SameCurvesAs is the index in Comparison.Forms of the earlier form this
	// one reparametrises (Reparametrization), or -1.
	SameCurvesAs int
	// Holdouts is the leave-one-size-out check of the form (empty with
	// fewer than MinHoldoutSizes sizes), and HoldoutRMSE the RMSE over all
	// their held-out cells (NaN without holdouts).
	Holdouts    []Holdout
	HoldoutRMSE float64
}

// Comparison is several functional forms fitted to the same cells.
type Comparison struct {
	// Forms holds one entry per form, in the order given to CompareForms.
	Forms []FormFit
}

// CompareForms fits every form to obs with the same multi-start least
// squares, runs each one's leave-one-size-out check, and scores them by
// AICc, BIC, R^2 and held-out error.
func CompareForms(forms []Form, obs []Observation) (*Comparison, error) {
	if len(forms) == 0 {
		return nil, fmt.Errorf("comparing forms: no forms given")
	}
	sizes := modelSizes(obs)
	c := &Comparison{}
	for _, form := range forms {
		fit, err := Fit(form, obs)
		if err != nil {
			return nil, fmt.Errorf("comparing forms: %w", err)
		}
		ff := FormFit{Form: form, Fit: fit, Cells: len(obs), Params: len(fit.Coef), HoldoutRMSE: math.NaN(), SameCurvesAs: -1}
		if r, ok := form.(Reparametrization); ok {
			ff.SameCurvesAs = slices.IndexFunc(c.Forms, func(f FormFit) bool { return f.Form.Name() == r.Reparametrizes().Name() })
		}
		ff.AICc, ff.BIC = informationCriteria(fit, ff.Cells, ff.Params)
		if len(sizes) >= MinHoldoutSizes {
			if ff.Holdouts, err = LeaveOneSizeOut(form, obs); err != nil {
				return nil, fmt.Errorf("comparing forms: %w", err)
			}
			var ss float64
			var n int
			for _, h := range ff.Holdouts {
				for _, cell := range h.Cells {
					ss += cell.Residual * cell.Residual
					n++
				}
			}
			ff.HoldoutRMSE = math.Sqrt(ss / float64(n))
		}
		c.Forms = append(c.Forms, ff)
	}
	best := c.Best().AICc
	var total float64
	for i := range c.Forms {
		f := &c.Forms[i]
		f.DeltaAICc = f.AICc - best
		if math.IsInf(best, -1) { // exact fits: only they carry weight
			f.DeltaAICc = math.Inf(1)
			if math.IsInf(f.AICc, -1) {
				f.DeltaAICc = 0
			}
		}
		if f.SameCurvesAs < 0 {
			f.Weight = math.Exp(-f.DeltaAICc / 2)
			total += f.Weight
		}
	}
	for i := range c.Forms {
		if f := &c.Forms[i]; f.SameCurvesAs < 0 {
			f.Weight /= total
		}
	}
	for i := range c.Forms {
		if f := &c.Forms[i]; f.SameCurvesAs >= 0 {
			f.DeltaAICc, f.Weight = c.Forms[f.SameCurvesAs].DeltaAICc, c.Forms[f.SameCurvesAs].Weight
		}
	}
	return c, nil
}

// K is the number of parameters AICc and BIC count: the k fitted
// coefficients and the error variance σ² of the Gaussian likelihood.
func (f FormFit) K() int { return f.Params + 1 }

// informationCriteria returns AICc and BIC of a least-squares fit of k
// coefficients to n cells (see FormFit).
func informationCriteria(fit *Result, n, k int) (aicc, bic float64) {
	nf := float64(n)
	K := float64(k + 1)
	ssr := fit.RMSE * fit.RMSE * nf
	logLik := nf * math.Log(ssr/nf)
	aicc = math.Inf(1)
	if nf > K+1 {
		aicc = logLik + 2*K + 2*K*(K+1)/(nf-K-1)
	}
	return aicc, logLik + K*math.Log(nf)
}

// Best returns the form with the lowest AICc, a reparametrisation counted
// as the form it reparametrises (PowerLaw for TokensLaw, whose AICc ties
// with it up to rounding); a tie goes to the earlier form.
func (c *Comparison) Best() FormFit {
	best := c.Forms[0]
	for _, f := range c.Forms[1:] {
		if f.SameCurvesAs < 0 && f.AICc < best.AICc {
			best = f
		}
	}
	return best
}

// TieAICc is the difference in AICc within which two forms count as tied:
// Burnham and Anderson's (2002) rule of thumb that models within 2 of the
// best have substantial support, so that the lowest AICc alone does not
// single one of them out.
const TieAICc = 2.0

// Tied returns the distinct forms (reparametrisations counted once) whose
// AICc is within TieAICc of the lowest, lowest first: one form when the
// comparison has a clear best, several when the cells cannot tell them
// apart.
func (c *Comparison) Tied() []FormFit {
	var tied []FormFit
	for _, f := range c.Forms {
		if f.SameCurvesAs < 0 && f.DeltaAICc < TieAICc {
			tied = append(tied, f)
		}
	}
	slices.SortStableFunc(tied, func(x, y FormFit) int { return cmp.Compare(x.DeltaAICc, y.DeltaAICc) })
	return tied
}

// Predictions returns each form's fitted CR at model size p and step s, in
// the order of Forms.
func (c *Comparison) Predictions(p, s float64) []float64 {
	preds := make([]float64, len(c.Forms))
	for i, f := range c.Forms {
		preds[i] = f.Fit.Predict(p, s)
	}
	return preds
}

// Spread returns the lowest and highest of Predictions(p, s): the
// uncertainty of an extrapolation that comes from the choice of form,
// which no bootstrap of one form can show.
func (c *Comparison) Spread(p, s float64) (lo, hi float64) {
	preds := c.Predictions(p, s)
	return slices.Min(preds), slices.Max(preds)
}
