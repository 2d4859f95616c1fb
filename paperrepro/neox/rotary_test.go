package neox

import (
	"path/filepath"
	"testing"
)

// TestNoRotaryDimensions checks rotary_pct 0 (valid in Hugging Face: no
// dimension rotates, attention sees no positions but the causal mask)
// against the reference fixture testdata/neox/rotary0-f16 in both ways a
// model runs: TokenBits against the reference's bits (TestGolden checks the
// logits too) and the key/value-cache Decoder against NextTokenLogProbs.
// Both panicked ("index out of range [1] with length 0") before.
func TestNoRotaryDimensions(t *testing.T) {
	m := loadFixture(t, "rotary0-f16")
	if dims := m.Config().RotaryDims(); dims != 0 {
		t.Fatalf("fixture has %d rotary dimensions, want 0", dims)
	}
	g := readGolden(t, filepath.Join(filepathOfFixture(t, "rotary0-f16"), "golden.safetensors"))
	seqs := [][]int{g.ids[0][:12], g.ids[1][:12]}
	bits, err := m.TokenBits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	for b := range seqs {
		for i, got := range bits[b] {
			if diff := got - float64(g.bits[b][i]); diff > goldenTolerance || diff < -goldenTolerance {
				t.Errorf("sequence %d token %d: %.6f bits, the reference %.6f", b, i+1, got, g.bits[b][i])
			}
		}
	}
	whole, err := m.NextTokenLogProbs(seqs)
	if err != nil {
		t.Fatal(err)
	}
	if diff := maxAbsDiff(decodeAll(t, m, seqs, 16), whole); diff > 1e-4 {
		t.Errorf("decoder and whole-sequence log-probabilities differ by %.3g", diff)
	}
}
