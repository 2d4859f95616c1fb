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
	if worst > 1e-8 {
		t.Errorf("relative error up to %g, want below 1e-8", worst)
	}
	if got := expNonPositive(0); got != 1 {
		t.Errorf("e^0 = %v, want 1", got)
	}
}
