package grid_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/grid"
	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// byteSource is a one-modality stand-in for a datasets.Source.
type byteSource struct{ chunks [][]byte }

func (s byteSource) Modality() string            { return "text" }
func (s byteSource) NumChunks() int              { return len(s.chunks) }
func (s byteSource) ChunkSize() int              { return len(s.chunks[0]) }
func (s byteSource) Chunk(i int) ([]byte, error) { return s.chunks[i], nil }
func (s byteSource) Provenance() datasets.Provenance {
	return datasets.Provenance{Modality: "text", Rule: "example", Count: len(s.chunks)}
}

// countingEngine charges one bit per byte: a stand-in for grid.NewEngine,
// which loads the checkpoint with neox and scores with package protocol.
type countingEngine struct{}

func (countingEngine) Protocol() results.ProtocolInfo {
	return results.ProtocolInfo{Name: "seed", ComputeDType: "float32"}
}
func (countingEngine) Tokenizer(*hub.Checkpoint) (results.TokenizerInfo, error) {
	return results.TokenizerInfo{SHA256: "example"}, nil
}
func (countingEngine) Open(*hub.Checkpoint, results.TokenizerInfo) (grid.Session, error) {
	return countingSession{}, nil
}

type countingSession struct{}

func (countingSession) Backend() string { return "example" }
func (countingSession) Engine() string  { return "example v1" }
func (countingSession) Params() float64 { return 1 }
func (countingSession) Close() error    { return nil }
func (countingSession) Score(chunks [][]byte) ([]results.ChunkResult, error) {
	var out []results.ChunkResult
	for _, c := range chunks {
		out = append(out, results.ChunkResult{Tokens: len(c), Bits: float64(len(c)), CR: 1.0 / 8})
	}
	return out, nil
}

// A run over one local checkpoint and one modality; running it again
// computes nothing.
func ExampleRunner_Run() {
	dir, _ := os.MkdirTemp("", "grid-example")
	defer os.RemoveAll(dir)
	ckpt := filepath.Join(dir, "ckpt")
	os.MkdirAll(ckpt, 0o755)
	os.WriteFile(filepath.Join(ckpt, "config.json"), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(ckpt, "model.safetensors"), []byte("weights"), 0o644)

	runner := &grid.Runner{
		Engine:  countingEngine{},
		Sources: []datasets.Source{byteSource{chunks: [][]byte{[]byte("abcd"), []byte("efgh")}}},
		Out:     filepath.Join(dir, "results"),
	}
	checkpoints := []grid.Checkpoint{{Model: "pythia-70m", Step: 1000, Dir: ckpt}}
	for range 2 {
		summary, err := runner.Run(context.Background(), checkpoints)
		if err != nil {
			fmt.Println(err)
			return
		}
		c := summary.Cells[0]
		fmt.Printf("computed %d, reused %d: %s step %d %s CR %.3f over %d chunks\n",
			summary.Computed, summary.Reused, c.Model, c.Step, c.Modality, c.CR, c.Chunks)
	}
	cells, _ := results.ReadCells(runner.Out)
	tables, _ := results.CellTables(cells)
	fmt.Println(tables[0].Modality, tables[0].Rows[0].Model, tables[0].Rows[0].Params)
	// Output:
	// computed 1, reused 0: pythia-70m step 1000 text CR 0.125 over 2 chunks
	// computed 0, reused 1: pythia-70m step 1000 text CR 0.125 over 2 chunks
	// text pythia-70m 7e+07
}
