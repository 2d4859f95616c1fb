package arith

import "math"

// exp2Table[j] = 2^(j/256).
var exp2Table = func() (t [257]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 256)
	}
	return t
}()

// expNonPositive returns e^d for d in [expCutoff, 0] with relative error
// below 1e-8, about five times faster than math.Exp: table building runs
// once per token over the whole vocabulary. The explicit float64
// conversions forbid fused multiply-adds, so every architecture rounds the
// same way.
func expNonPositive(d float64) float64 {
	y := float64(d * math.Log2E)
	k := int(y) // truncates toward zero: y <= 0, so k >= floor(y)
	if float64(k) > y {
		k--
	}
	f := y - float64(k)
	j := int(float64(f * 256))
	t := float64(float64(f-float64(j)*(1.0/256)) * math.Ln2)
	poly := 1 + t + float64(float64(t*t)*0.5) + float64(float64(float64(t*t)*t)*(1.0/6))
	return float64(exp2Table[j]*poly) * math.Float64frombits(uint64(1023+k)<<52)
}
