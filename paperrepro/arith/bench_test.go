package arith

import (
	"math"
	"math/rand/v2"
	"testing"
)

// peakedLogProbs imitates a trained language model's next-token
// distribution: normal logits with a spread of 3 nats, log-softmaxed.
func peakedLogProbs(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 9))
	logits := make([]float64, n)
	top := math.Inf(-1)
	for i := range logits {
		logits[i] = 3 * rng.NormFloat64()
		top = max(top, logits[i])
	}
	sum := 0.0
	for _, x := range logits {
		sum += math.Exp(x - top)
	}
	logp := make([]float32, n)
	for i, x := range logits {
		logp[i] = float32(x - top - math.Log(sum))
	}
	return logp
}

// benchmarkToken measures one token's work in the lossless protocol: build
// the table from the model's floats, then code one symbol.
func benchmarkToken(b *testing.B, logp []float32) {
	src := newSampler(logp, 1)
	syms := make([]int, 1024)
	for i := range syms {
		syms[i] = src.draw()
	}
	var cdf CDF
	b.Run("encode", func(b *testing.B) {
		enc := NewEncoder()
		i := 0
		for b.Loop() {
			if err := cdf.SetLogProbs(logp); err != nil {
				b.Fatal(err)
			}
			if err := cdf.Encode(enc, syms[i%len(syms)]); err != nil {
				b.Fatal(err)
			}
			i++
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "symbols/s")
	})
	b.Run("decode", func(b *testing.B) {
		enc := NewEncoder()
		if err := cdf.SetLogProbs(logp); err != nil {
			b.Fatal(err)
		}
		for i := range 1 << 16 {
			if err := cdf.Encode(enc, syms[i%len(syms)]); err != nil {
				b.Fatal(err)
			}
		}
		dec := NewDecoder(enc.Finish())
		i := 0
		for b.Loop() {
			if err := cdf.SetLogProbs(logp); err != nil {
				b.Fatal(err)
			}
			if _, err := cdf.Decode(dec); err != nil {
				b.Fatal(err)
			}
			i++
			if i == 1<<16 {
				dec = NewDecoder(enc.Finish())
				i = 0
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "symbols/s")
	})
}

// BenchmarkTokenVocab50304 codes symbols over Pythia's padded vocabulary,
// building the 50,304-entry table for every symbol as the protocol does.
// "peaked" resembles a trained model; "flat" (an untrained model) is the
// slow case where no weight can be skipped.
func BenchmarkTokenVocab50304(b *testing.B) {
	b.Run("peaked", func(b *testing.B) { benchmarkToken(b, peakedLogProbs(pythiaVocab, 1)) })
	b.Run("flat", func(b *testing.B) {
		logp := make([]float32, pythiaVocab)
		for i := range logp {
			logp[i] = float32(-math.Log(pythiaVocab))
		}
		benchmarkToken(b, logp)
	})
}

// BenchmarkCoderOnly codes symbols with a fixed table: the range coder's own
// speed, without table building.
func BenchmarkCoderOnly(b *testing.B) {
	logp := peakedLogProbs(pythiaVocab, 2)
	var cdf CDF
	if err := cdf.SetLogProbs(logp); err != nil {
		b.Fatal(err)
	}
	src := newSampler(logp, 3)
	enc := NewEncoder()
	for b.Loop() {
		if err := cdf.Encode(enc, src.draw()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "symbols/s")
}
