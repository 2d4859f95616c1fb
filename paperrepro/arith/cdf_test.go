package arith

import (
	"math"
	"slices"
	"testing"
)

func checkCDF(t *testing.T, cdf *CDF, n int) {
	t.Helper()
	if cdf.Len() != n {
		t.Fatalf("table has %d symbols, want %d", cdf.Len(), n)
	}
	if cdf.Cum[0] != 0 || cdf.Cum[n] != Total {
		t.Fatalf("table spans [%d, %d], want [0, %d]", cdf.Cum[0], cdf.Cum[n], Total)
	}
	for s := range n {
		if f, _ := cdf.Freq(s); f < 1 || f > Total {
			t.Fatalf("symbol %d has frequency %d", s, f)
		}
	}
}

func TestSetLogProbsInvariants(t *testing.T) {
	inf := float32(math.Inf(-1))
	cases := []struct {
		name string
		logp []float32
	}{
		{"skewed 50304", skewedLogProbs(pythiaVocab, 1)},
		{"uniform 50304", make([]float32, pythiaVocab)},
		{"one symbol", []float32{-3}},
		{"unnormalised", []float32{10, 11, 12}},
		{"with -Inf", []float32{inf, 0, inf, -1}},
		{"tiny and huge", []float32{-1e30, 0, -200, -21.9, -21.7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var cdf CDF
			if err := cdf.SetLogProbs(c.logp); err != nil {
				t.Fatal(err)
			}
			checkCDF(t, &cdf, len(c.logp))
			again := CDF{}
			if err := again.SetLogProbs(slices.Clone(c.logp)); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cdf.Cum, again.Cum) {
				t.Error("two builds from the same floats differ")
			}
		})
	}
}

// TestSetLogProbsMatchesProbabilities checks that quantisation costs little:
// the expected extra bits per symbol (the KL divergence) stay below 1e-3.
func TestSetLogProbsMatchesProbabilities(t *testing.T) {
	logp := skewedLogProbs(pythiaVocab, 5)
	var cdf CDF
	if err := cdf.SetLogProbs(logp); err != nil {
		t.Fatal(err)
	}
	kl := 0.0
	for s, x := range logp {
		p := math.Exp(float64(x))
		kl += p * (cdf.Bits(s) + float64(x)/math.Ln2)
	}
	t.Logf("quantisation costs %.2e bits/symbol over 50304 symbols", kl)
	if kl > 1e-3 || kl < 0 {
		t.Errorf("quantisation KL = %g bits/symbol, want in [0, 1e-3]", kl)
	}
}

func TestSetLogProbsReusesBuffers(t *testing.T) {
	var cdf CDF
	if err := cdf.SetLogProbs(skewedLogProbs(1000, 1)); err != nil {
		t.Fatal(err)
	}
	small := []float32{0, -1, -2}
	if err := cdf.SetLogProbs(small); err != nil {
		t.Fatal(err)
	}
	checkCDF(t, &cdf, 3)
	var fresh CDF
	if err := fresh.SetLogProbs(small); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cdf.Cum, fresh.Cum) {
		t.Error("a reused CDF differs from a fresh one")
	}
}

func TestSetLogProbsRejects(t *testing.T) {
	inf := float32(math.Inf(1))
	cases := map[string][]float32{
		"empty":    {},
		"NaN":      {0, float32(math.NaN())},
		"+Inf":     {0, inf},
		"all -Inf": {-inf, -inf},
	}
	for name, logp := range cases {
		var cdf CDF
		if err := cdf.SetLogProbs(logp); err == nil {
			t.Errorf("%s: SetLogProbs succeeded, want an error", name)
		}
	}
}
