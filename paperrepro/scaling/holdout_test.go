package scaling

import (
	"math"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestExtrapolation(t *testing.T) {
	obs := grid3() // P 1e6..4e6, S 1000..4000
	for _, tc := range []struct{ p, s, inP, inS float64 }{
		{2e6, 2000, 1, 1},
		{8e6, 6000, 2, 1.5},
		{0.5e6, 500, 2, 2},
		{4e6, 1000, 1, 1},
	} {
		inP, inS := Extrapolation(obs, tc.p, tc.s)
		if math.Abs(inP-tc.inP) > 1e-12 || math.Abs(inS-tc.inS) > 1e-12 {
			t.Errorf("Extrapolation(%g, %g) = %v, %v; want %v, %v", tc.p, tc.s, inP, inS, tc.inP, tc.inS)
		}
	}
	if p, s := Extrapolation(nil, 1, 1); !math.IsNaN(p) || !math.IsNaN(s) {
		t.Error("no observations did not give NaN")
	}
	holdouts, err := LeaveOneSizeOut(PowerLaw{}, synthetic(truth, 0, 1))
	if err != nil {
		t.Fatal(err)
	}
	// synthSizes: 70M, 160M, ..., 1.4B, 2.8B; the ends are extrapolations.
	want := []float64{160e6 / 70e6, 1, 1, 1, 1, 2}
	for i, h := range holdouts {
		if math.Abs(h.Extrapolation-want[i]) > 1e-12 {
			t.Errorf("holdout %s: extrapolation %v, want %v", h.Model, h.Extrapolation, want[i])
		}
	}
}

func TestHoldoutRatios(t *testing.T) {
	table := results.Table{Modality: "text"}
	for _, o := range synthetic(truth, 0.003, 6) {
		table.Rows = append(table.Rows, results.Row{Model: strings.Repeat("m", int(o.P/70e6)), Params: o.P, Step: int(o.S), CR: o.CR})
	}
	a, err := Analyze(PowerLaw{}, table, BootstrapOptions{Resamples: 10})
	if err != nil {
		t.Fatal(err)
	}
	ratios := a.HoldoutRatios()
	if len(ratios) != len(a.Holdouts) {
		t.Fatalf("%d ratios for %d holdouts", len(ratios), len(a.Holdouts))
	}
	for i, h := range a.Holdouts {
		if ratios[i] != h.RMSE/a.Fit.RMSE {
			t.Errorf("ratio %d = %v, want %v / %v", i, ratios[i], h.RMSE, a.Fit.RMSE)
		}
	}
}

// TestAnalyzeCountsSizesNotNames: three models of only two distinct sizes
// (say a model and its deduplicated variant) are too few sizes for the
// leave-one-size-out check, which Analyze then leaves out rather than fail.
func TestAnalyzeCountsSizesNotNames(t *testing.T) {
	table := results.Table{Modality: "text"}
	for _, m := range []struct {
		name string
		p    float64
	}{{"small", 70e6}, {"large", 410e6}, {"large-deduped", 410e6}} {
		for _, s := range synthSteps {
			table.Rows = append(table.Rows, results.Row{Model: m.name, Params: m.p, Step: int(s), CR: PowerLaw{}.Eval(truth, m.p, s)})
		}
	}
	a, err := Analyze(PowerLaw{}, table, BootstrapOptions{Resamples: 10})
	if err != nil {
		t.Fatalf("three models of two sizes: %v", err)
	}
	if len(a.Holdouts) != 0 {
		t.Errorf("%d holdouts from two sizes, want none", len(a.Holdouts))
	}
}
