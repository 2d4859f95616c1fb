package neox

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"
)

// TestNormaliserAgainstFloat64 compares the output layer's log-normaliser
// (blocksNormaliser: float32 exponentials, float64 sums beyond groups of 64
// words) and the target logit with float64 arithmetic over every word, on
// Pythia-sized logits of a trained model's spread, split into vocabulary
// blocks as on the pure-Go backend and as one block: every row within
// 2e-7 nats (measured here: under 1e-7, where a float32 sum over all words
// is off by 1.5e-6).
func TestNormaliserAgainstFloat64(t *testing.T) {
	const rows, vocab = 6, 50304
	rng := rand.New(rand.NewPCG(5, 0))
	values := make([]float32, rows*vocab)
	targets := make([]int32, rows)
	for r := range rows {
		for v := range vocab {
			values[r*vocab+v] = float32(2.5*rng.NormFloat64() - 4)
		}
		// A few likely words, as a trained model has.
		for range 5 {
			values[r*vocab+rng.IntN(vocab)] = float32(8 + 4*rng.Float64())
		}
		targets[r] = int32(rng.IntN(vocab))
	}
	targets[0], targets[rows-1] = 0, vocab-1 // the first and last word
	want := make([]float64, rows)
	for r := range rows {
		row := values[r*vocab : (r+1)*vocab]
		top := float64(row[0])
		for _, x := range row {
			top = max(top, float64(x))
		}
		sum := 0.0
		for _, x := range row {
			sum += math.Exp(float64(x) - top)
		}
		want[r] = math.Log(sum) + top
	}
	choice, err := sharedBackend()
	if err != nil {
		t.Fatal(err)
	}
	backend := choice.backend
	for _, blockWords := range []int{vocab, outputBlockRows} {
		outputs := MustExecOnceN(backend, func(logits, targets *Node) []*Node {
			var blocks []vocabBlock
			for start := 0; start < vocab; start += blockWords {
				end := min(start+blockWords, vocab)
				blocks = append(blocks, vocabBlock{start, SliceAxis(logits, 1, AxisRange(start, end))})
			}
			return []*Node{blocksNormaliser(blocks), targetLogit(blocks, targets), logNormaliser32(logits)}
		}, tensors.FromFlatDataAndDimensions(values, rows, vocab), targets)
		got := tensors.MustCopyFlatData[float64](outputs[0])
		gotTarget := tensors.MustCopyFlatData[float32](outputs[1])
		got32 := tensors.MustCopyFlatData[float32](outputs[2])
		worst, worst32 := 0.0, 0.0
		for r := range rows {
			worst = max(worst, math.Abs(got[r]-want[r]))
			worst32 = max(worst32, math.Abs(float64(got32[r])-want[r]))
			if w := values[r*vocab+int(targets[r])]; gotTarget[r] != w {
				t.Errorf("blocks of %d words, row %d: target logit %v, want %v", blockWords, r, gotTarget[r], w)
			}
		}
		t.Logf("blocks of %d words: largest difference from float64 %.2g nats (all-float32: %.2g)", blockWords, worst, worst32)
		if worst > 2e-7 {
			t.Errorf("blocks of %d words: normaliser off by %.2g nats from float64, want < 2e-7", blockWords, worst)
		}
		if outputs[0].DType() != dtypes.Float64 {
			t.Errorf("normaliser dtype %s, want float64", outputs[0].DType())
		}
	}
}
