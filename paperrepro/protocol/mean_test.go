package protocol

import (
	"math"
	"testing"
)

func TestMeanCR(t *testing.T) {
	for _, tc := range []struct {
		name         string
		crs          []float64
		drop         []bool
		mean         float64
		kept, missed int
	}{
		{"all kept", []float64{0.2, 0.4}, []bool{false, false}, 0.3, 2, 0},
		{"one dropped", []float64{0.2, 50, 0.4}, []bool{false, true, false}, 0.3, 2, 1},
		{"none kept", []float64{50}, []bool{true}, math.NaN(), 0, 1},
		{"no chunks", nil, nil, math.NaN(), 0, 0},
	} {
		mean, kept, dropped := MeanCR(len(tc.crs), func(i int) (float64, bool) { return tc.crs[i], tc.drop[i] })
		same := mean == tc.mean || math.IsNaN(mean) && math.IsNaN(tc.mean)
		if !same && math.Abs(mean-tc.mean) > 1e-15 || kept != tc.kept || dropped != tc.missed {
			t.Errorf("%s: MeanCR = %v, %d kept, %d dropped; want %v, %d, %d", tc.name, mean, kept, dropped, tc.mean, tc.kept, tc.missed)
		}
	}
}
