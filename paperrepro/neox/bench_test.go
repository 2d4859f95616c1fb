package neox

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// pythia70mShape is Pythia-70m's configuration.
var pythia70mShape = pythiaSuite[0].Config

func randomModel(tb testing.TB, cfg Config) *Model {
	tb.Helper()
	m, err := NewRandom(cfg, 1, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

func randomSeqs(batch, length, vocab int) [][]int {
	rng := rand.New(rand.NewPCG(7, 0))
	seqs := make([][]int, batch)
	for b := range seqs {
		for range length {
			seqs[b] = append(seqs[b], rng.IntN(vocab))
		}
	}
	return seqs
}

// BenchmarkForwardPythia70mShape: the full forward pass with full
// log-softmax output (NextTokenLogProbs), batch 4 x 600 tokens.
func BenchmarkForwardPythia70mShape(b *testing.B) {
	m := randomModel(b, pythia70mShape)
	seqs := randomSeqs(4, 600, pythia70mShape.VocabSize)
	if _, err := m.NextTokenLogProbs(seqs); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	measure(b, 4*600, func() error {
		_, err := m.NextTokenLogProbs(seqs)
		return err
	})
}

// BenchmarkTokenBitsPythia70mShape: the same pass returning only the bits of
// the next tokens (the seed protocol's), at 4 x 600 tokens and at 4 x 1024,
// the shape testdata/neox/compare_cpu.sh times PyTorch on.
func BenchmarkTokenBitsPythia70mShape(b *testing.B) {
	m := randomModel(b, pythia70mShape)
	for _, seq := range []int{600, 1024} {
		b.Run(fmt.Sprintf("4x%d", seq), func(b *testing.B) {
			seqs := randomSeqs(4, seq, pythia70mShape.VocabSize)
			if _, err := m.TokenBits(seqs); err != nil {
				b.Fatal(err)
			}
			measure(b, 4*seq, func() error {
				_, err := m.TokenBits(seqs)
				return err
			})
		})
	}
}

// measure runs step b.N times and reports tokens/s of wall time; since
// the machine is shared, tokens per CPU-second of this process; and the
// minor page faults per step (fresh memory the kernel maps in, which a
// backend that reuses its buffers does not take).
func measure(b *testing.B, tokensPerStep int, step func() error) {
	b.Helper()
	b.ResetTimer()
	cpu0, faults0 := cpuTime(), minorFaults()
	for b.Loop() {
		if err := step(); err != nil {
			b.Fatal(err)
		}
	}
	tokens := float64(tokensPerStep * b.N)
	b.ReportMetric(tokens/b.Elapsed().Seconds(), "tokens/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(tokens/cpu.Seconds(), "tokens/cpu-s")
	}
	if faults0 >= 0 {
		b.ReportMetric(float64(minorFaults()-faults0)/float64(b.N), "faults/op")
	}
}

// benchmarkDecoder feeds batch streams one token per step through a
// Decoder with a maxLen cache, restarting when the cache is full.
func benchmarkDecoder(b *testing.B, m *Model, batch, maxLen int) {
	seqs := randomSeqs(batch, maxLen, m.Config().VocabSize)
	var d *Decoder
	pos := 0
	step := func() error {
		if d == nil || pos == maxLen {
			if d != nil {
				d.Close()
			}
			var err error
			if d, err = m.NewDecoder(batch, maxLen); err != nil {
				return err
			}
			pos = 0
		}
		ids := make([]int, batch)
		for i := range ids {
			ids[i] = seqs[i][pos]
		}
		pos++
		_, err := d.Next(ids)
		return err
	}
	if err := step(); err != nil { // compile outside the timing
		b.Fatal(err)
	}
	measure(b, batch, step)
	d.Close()
}

// BenchmarkDecoderTiny: the 2-layer, 64-wide test fixture (vocab 1000), one
// stream, cache of 1024; tokens/s = steps/s.
func BenchmarkDecoderTiny(b *testing.B) {
	benchmarkDecoder(b, loadFixture(b, "parallel-f32"), 1, 1024)
}

// BenchmarkDecoderPythia70mShape: 4, 16 and 64 streams with a cache of
// 1024, as the lossless coder runs Pythia-70m on 1024-token chunks at those
// batch sizes. A step reads every weight once whatever the batch, so on a
// CPU the tokens/s grow with the batch until the arithmetic dominates.
func BenchmarkDecoderPythia70mShape(b *testing.B) {
	m := randomModel(b, pythia70mShape)
	for _, batch := range []int{4, 16, 64} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			benchmarkDecoder(b, m, batch, 1024)
		})
	}
}

// tiedCheckpoint serves embed_in's values for embed_out too.
type tiedCheckpoint struct{ *randomCheckpoint }

func (c tiedCheckpoint) ReadFloat32(name string, dst []float32) error {
	if name == "embed_out.weight" {
		name = "gpt_neox.embed_in.weight"
	}
	return c.randomCheckpoint.ReadFloat32(name, dst)
}
