package paperrepro

import (
	"context"
	"math"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// TestBatchingChangesNoNumber runs the mini grid's seed cells of one tiny
// checkpoint with 1, 7 and 64 chunks per batch: padding, bucketing by
// length and batch shapes must not move any chunk's compression ratio by
// more than 1e-6. Nine short chunks (64 bytes) of text and of speech keep it
// cheap while making batch 7 split them unevenly.
func TestBatchingChangesNoNumber(t *testing.T) {
	if testing.Short() {
		t.Skip("scores the mini grid's chunks three times")
	}
	const chunks, chunkSize = 9, 64
	var reference []*results.Cell
	for _, batch := range []int{1, 7, 64} {
		runner, checkpoints, tokenizer, _ := miniGridSetup(t, miniGrid.models[:1], chunks, map[string]int{datasets.Text: chunkSize, datasets.Speech: chunkSize})
		engine, err := grid.NewEngine(grid.EngineOptions{Protocol: grid.ProtocolSeed, Tokenizer: tokenizer})
		if err != nil {
			t.Fatal(err)
		}
		runner.Engine, runner.Out, runner.BatchSize = engine, t.TempDir(), batch
		summary, err := runner.Run(context.Background(), checkpoints[:1]) // pythia-tiny-16 at step1000
		if err != nil {
			t.Fatal(err)
		}
		if reference == nil {
			reference = summary.Cells
			continue
		}
		worst := 0.0
		for i, c := range summary.Cells {
			for k, r := range c.PerChunk {
				want := reference[i].PerChunk[k]
				if r.Tokens != want.Tokens {
					t.Errorf("batch %d, %s chunk %d: %d tokens, batch 1 had %d", batch, cellKey(c), k, r.Tokens, want.Tokens)
				}
				worst = max(worst, math.Abs(r.CR-want.CR))
			}
			if d := math.Abs(c.CR - reference[i].CR); d > 1e-6 {
				t.Errorf("batch %d, %s: CR %.9f, batch 1 gave %.9f", batch, cellKey(c), c.CR, reference[i].CR)
			}
		}
		t.Logf("batch %d: largest per-chunk CR difference from batch 1: %.3g", batch, worst)
		if worst > 1e-6 {
			t.Errorf("batch %d moves a chunk's CR by %.3g, more than 1e-6", batch, worst)
		}
	}
}
