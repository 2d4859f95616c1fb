package scaling

import (
	"math"
	"testing"
)

func TestMonotoneBound(t *testing.T) {
	// A table that decreases in both directions can be fitted exactly.
	dec := synthetic(truth, 0, 1)
	if s, p := MonotoneBound(dec); math.Abs(s-1) > 1e-12 || math.Abs(p-1) > 1e-12 {
		t.Errorf("decreasing table: bounds %v, %v; want 1, 1", s, p)
	}
	// grid3's one rise along S (0.45 -> 0.47) pools to 0.46 twice: SSE
	// 2 * 0.01^2; nothing rises along P.
	obs := grid3()
	var mean, tot float64
	for _, o := range obs {
		mean += o.CR / float64(len(obs))
	}
	for _, o := range obs {
		tot += (o.CR - mean) * (o.CR - mean)
	}
	inS, inP := MonotoneBound(obs)
	if want := 1 - 2e-4/tot; math.Abs(inS-want) > 1e-12 || math.Abs(inP-1) > 1e-12 {
		t.Errorf("bounds %v, %v; want %v, 1", inS, inP, want)
	}
	if sse := nonIncreasingSSE([]float64{3, 1, 2, 2, 0}); math.Abs(sse-2.0/3) > 1e-12 {
		// 3, then 1 2 2 pooled to 5/3 (errors 4/9 + 1/9 + 1/9), then 0
		t.Errorf("SSE %v, want 2/3", sse)
	}
}
