package neox

import (
	"math/rand/v2"
	"testing"
)

// randomCheckpoint is an in-memory checkpoint of random weights for cfg,
// scaled like a trained model's (layer norms near 1, projections ~ 1/sqrt(in)).
type randomCheckpoint struct {
	specs map[string]weightSpec
	seed  uint64
}

func newRandomCheckpoint(cfg Config, seed uint64) *randomCheckpoint {
	c := &randomCheckpoint{specs: map[string]weightSpec{}, seed: seed}
	for _, s := range weightSpecs(cfg) {
		c.specs[s.Name] = s
	}
	return c
}

func (c *randomCheckpoint) Tensors() map[string]storedTensor {
	out := map[string]storedTensor{}
	for name, s := range c.specs {
		out[name] = storedTensor{DType: "F32", Shape: s.Shape, File: "random"}
	}
	return out
}

func (c *randomCheckpoint) ReadFloat32(name string, dst []float32) error {
	s := c.specs[name]
	rng := rand.New(rand.NewPCG(c.seed, uint64(len(name))*7919+uint64(name[len(name)-3])))
	scale := 0.02
	if len(s.Shape) == 2 {
		scale = 1 / float64(s.Shape[1]) * 8
	}
	for i := range dst {
		dst[i] = float32(rng.NormFloat64() * scale)
	}
	if len(s.Shape) == 1 && len(name) > 7 && name[len(name)-7:] == ".weight" {
		for i := range dst {
			dst[i] += 1
		}
	}
	return nil
}

func (c *randomCheckpoint) Close() error { return nil }

// pythia70mShape is Pythia-70m's configuration.
var pythia70mShape = Config{
	HiddenSize: 512, NumAttentionHeads: 8, NumHiddenLayers: 6, IntermediateSize: 2048,
	VocabSize: 50304, RotaryPct: 0.25, RotaryEmbBase: 10000, LayerNormEps: 1e-5,
	MaxPositionEmbeddings: 2048, UseParallelResidual: true, HiddenAct: "gelu", AttentionBias: true,
}

func randomModel(tb testing.TB, cfg Config) *Model {
	tb.Helper()
	choice, err := sharedBackend()
	if err != nil {
		tb.Fatal(err)
	}
	m, err := newModel(cfg, choice, newRandomCheckpoint(cfg, 1))
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
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.NextTokenLogProbs(seqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*600*b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// BenchmarkTokenBitsPythia70mShape: the same pass returning only the bits of
// the next tokens.
func BenchmarkTokenBitsPythia70mShape(b *testing.B) {
	m := randomModel(b, pythia70mShape)
	seqs := randomSeqs(4, 600, pythia70mShape.VocabSize)
	if _, err := m.TokenBits(seqs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := m.TokenBits(seqs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(4*600*b.N)/b.Elapsed().Seconds(), "tokens/s")
}
