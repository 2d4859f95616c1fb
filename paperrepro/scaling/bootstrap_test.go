package scaling

import (
	"math"
	"slices"
	"testing"
)

func TestQuantile(t *testing.T) {
	v := []float64{4, 1, 3, 2} // sorted 1 2 3 4
	for _, tc := range []struct{ q, want float64 }{
		{0, 1}, {0.25, 1}, {0.5, 2}, {0.625, 2.5}, {1, 4},
	} {
		if got := Quantile(v, tc.q); got != tc.want {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if !slices.Equal(v, []float64{4, 1, 3, 2}) {
		t.Error("Quantile reordered its input")
	}
	if !math.IsNaN(Quantile(nil, 0.5)) || !math.IsNaN(Quantile(v, 1.5)) {
		t.Error("no values or q = 1.5 did not give NaN")
	}
}

func TestBootstrapPredictions(t *testing.T) {
	fit, err := Fit(PowerLaw{}, synthetic(truth, 0.003, 3))
	if err != nil {
		t.Fatal(err)
	}
	boot, err := Bootstrap(fit, BootstrapOptions{Resamples: 50, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	preds := boot.Predictions(PowerLaw{}, 5e9, 2e5)
	if len(preds) != 50 || preds[7] != (PowerLaw{}).Eval(boot.Samples[7], 5e9, 2e5) {
		t.Fatalf("Predictions: %d values, [7] = %v", len(preds), preds[7])
	}
	lo, hi := boot.PredictionInterval(PowerLaw{}, 5e9, 2e5)
	if math.Abs(lo-Quantile(preds, 0.025)) > 1e-12 || math.Abs(hi-Quantile(preds, 0.975)) > 1e-12 {
		t.Errorf("PredictionInterval [%v, %v] is not the 2.5%% and 97.5%% Quantile of Predictions, [%v, %v]", lo, hi, Quantile(preds, 0.025), Quantile(preds, 0.975))
	}
}
