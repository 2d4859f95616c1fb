package arith

import "math"

// Table building runs once per token over the whole vocabulary, so e^d is
// looked up rather than computed: d is rounded to a multiple of 2^-12
// (which changes a probability by at most 1.2e-4 relative, costing about
// 1e-8 bits per symbol) and e^-(n/4096) = expHi[n>>9] * expLo[n&511].
const (
	expFracBits = 12
	expLoBits   = 9
	expScale    = 1 << expFracBits
)

// expSteps is the number of table steps down to expCutoff.
var expSteps = int(-expCutoff*expScale) + 1

var expLo, expHi = func() (lo, hi []float64) {
	lo = make([]float64, 1<<expLoBits)
	for j := range lo {
		lo[j] = math.Exp(-float64(j) / expScale)
	}
	hi = make([]float64, expSteps>>expLoBits+1)
	for i := range hi {
		hi[i] = math.Exp(-float64(i<<expLoBits) / expScale)
	}
	return lo, hi
}()

// expNonPositive returns e^d, approximately, for d in [expCutoff, 0].
func expNonPositive(d float64) float64 {
	n := int(float64(-d*expScale) + 0.5)
	return expHi[n>>expLoBits] * expLo[n&(1<<expLoBits-1)]
}
