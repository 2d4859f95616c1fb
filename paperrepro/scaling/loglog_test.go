package scaling

import (
	"math"
	"testing"
)

func TestLogLogFit(t *testing.T) {
	x := []float64{1e6, 1e7, 1e8}
	y := make([]float64, len(x))
	for i := range x {
		y[i] = 3 * math.Pow(x[i], -0.2)
	}
	alpha, k, err := LogLogFit(x, y)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(alpha-0.2) > 1e-12 || math.Abs(k-3) > 1e-9 {
		t.Errorf("alpha %v, k %v; want 0.2, 3", alpha, k)
	}
	for _, tc := range []struct {
		name string
		x, y []float64
	}{
		{"lengths", x, y[:2]},
		{"one x", []float64{1, 1}, []float64{1, 2}},
		{"zero", []float64{0, 1}, []float64{1, 2}},
		{"negative y", []float64{1, 2}, []float64{1, -2}},
	} {
		if _, _, err := LogLogFit(tc.x, tc.y); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}
