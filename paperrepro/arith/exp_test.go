package arith

import (
	"math"
	"testing"
)

func TestExpNonPositive(t *testing.T) {
	worst := 0.0
	for i := 0; i <= 200000; i++ {
		d := expCutoff * float64(i) / 200000
		got, want := expNonPositive(d), math.Exp(d)
		worst = max(worst, math.Abs(got-want)/want)
	}
	// Rounding d to 2^-12 moves e^d by at most e^(2^-13) - 1.
	if limit := math.Expm1(1.0/(2*expScale)) * 1.0001; worst > limit {
		t.Errorf("relative error up to %g, want at most %g", worst, limit)
	}
	if got := expNonPositive(0); got != 1 {
		t.Errorf("e^0 = %v, want 1", got)
	}
}
