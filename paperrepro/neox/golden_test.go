package neox

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	. "github.com/gomlx/gomlx/core/graph" //nolint:revive // graph code reads best unqualified.
	"github.com/gomlx/gomlx/core/tensors"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// golden is a reference forward pass from ../shared/tools/neox_ref.py.
type golden struct {
	ids    [][]int       // [batch][seq]
	logits [][][]float32 // [batch][seq][vocab]
	bits   [][]float32   // [batch][seq-1]
}

// readGolden reads golden.safetensors: input_ids (I64), logits, next_token_bits (F32).
func readGolden(t *testing.T, path string) golden {
	t.Helper()
	f, err := openSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ids := f.entries["input_ids"]
	if ids.DType != "I64" || len(ids.Shape) != 2 {
		t.Fatalf("%s: input_ids is %s %v, want I64 [batch, seq]", path, ids.DType, ids.Shape)
	}
	raw := make([]byte, ids.end-ids.begin)
	if _, err := f.f.ReadAt(raw, ids.begin); err != nil {
		t.Fatal(err)
	}
	batch, seq := ids.Shape[0], ids.Shape[1]
	var g golden
	for b := range batch {
		row := make([]int, seq)
		for i := range row {
			row[i] = int(int64(binary.LittleEndian.Uint64(raw[8*(b*seq+i):])))
		}
		g.ids = append(g.ids, row)
	}
	readF32 := func(name string) ([]float32, []int) {
		e, ok := f.entries[name]
		if !ok {
			t.Fatalf("%s: no %s", path, name)
		}
		n := 1
		for _, d := range e.Shape {
			n *= d
		}
		flat := make([]float32, n)
		if err := f.ReadFloat32(name, flat); err != nil {
			t.Fatal(err)
		}
		return flat, e.Shape
	}
	logits, shape := readF32("logits")
	vocab := shape[2]
	for b := range batch {
		var rows [][]float32
		for i := range seq {
			start := (b*seq + i) * vocab
			rows = append(rows, logits[start:start+vocab])
		}
		g.logits = append(g.logits, rows)
	}
	bits, _ := readF32("next_token_bits")
	for b := range batch {
		g.bits = append(g.bits, bits[b*(seq-1):(b+1)*(seq-1)])
	}
	return g
}

// goldenDirs lists the fixtures under testdata/neox/: every folder holding a golden.safetensors.
func goldenDirs(t *testing.T) []string {
	t.Helper()
	root := testenv.Testdata(t, "neox")
	entries, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := os.Stat(filepath.Join(root, e.Name(), "golden.safetensors")); err == nil {
				dirs = append(dirs, filepath.Join(root, e.Name()))
			}
		}
	}
	if len(dirs) == 0 {
		t.Fatalf("no golden fixtures under %s", root)
	}
	return dirs
}

const goldenTolerance = 1e-4

// TestGolden checks, for every fixture, that our forward pass reproduces the
// reference: the logits themselves, TokenBits against next_token_bits, and
// NextTokenLogProbs against the reference logits log-softmaxed in float64.
func TestGolden(t *testing.T) {
	for _, dir := range goldenDirs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			g := readGolden(t, filepath.Join(dir, "golden.safetensors"))
			m, err := Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()

			bits, err := m.TokenBits(g.ids)
			if err != nil {
				t.Fatal(err)
			}
			worstBits := 0.0
			for b := range g.bits {
				if len(bits[b]) != len(g.bits[b]) {
					t.Fatalf("sequence %d: %d bits, want %d", b, len(bits[b]), len(g.bits[b]))
				}
				for i, want := range g.bits[b] {
					worstBits = max(worstBits, math.Abs(bits[b][i]-float64(want)))
				}
			}
			if worstBits > goldenTolerance {
				t.Errorf("next_token_bits: max abs difference %.3g > %g", worstBits, goldenTolerance)
			}

			worstLogits := 0.0
			for b, rows := range rawLogits(t, m, g.ids) {
				for i, row := range rows {
					for v, got := range row {
						worstLogits = max(worstLogits, math.Abs(float64(got)-float64(g.logits[b][i][v])))
					}
				}
			}
			if worstLogits > goldenTolerance {
				t.Errorf("logits: max abs difference %.3g > %g", worstLogits, goldenTolerance)
			}

			logp, err := m.NextTokenLogProbs(g.ids)
			if err != nil {
				t.Fatal(err)
			}
			worstLogp := 0.0
			for b := range g.logits {
				for i, logits := range g.logits[b] {
					want := referenceLogSoftmax(logits)
					for v := range want {
						worstLogp = max(worstLogp, math.Abs(float64(logp[b][i][v])-want[v]))
					}
				}
			}
			if worstLogp > goldenTolerance {
				t.Errorf("log-softmax of logits: max abs difference %.3g > %g", worstLogp, goldenTolerance)
			}
			t.Logf("max abs difference: logits %.2g, bits %.2g, log-probs %.2g", worstLogits, worstBits, worstLogp)
		})
	}
}

func referenceLogSoftmax(logits []float32) []float64 {
	top := float64(slices.Max(logits))
	sum := 0.0
	for _, l := range logits {
		sum += math.Exp(float64(l) - top)
	}
	out := make([]float64, len(logits))
	for i, l := range logits {
		out[i] = float64(l) - top - math.Log(sum)
	}
	return out
}

// rawLogits runs the forward pass up to embed_out, for comparing logits
// themselves with the reference.
func rawLogits(t *testing.T, m *Model, seqs [][]int) [][][]float32 {
	t.Helper()
	exec, err := NewExec(m.backend, func(inputs []*Node) *Node {
		w := m.weightsOf(inputs[1:])
		return w.outputLayer(w.fullPass(inputs[0]))
	})
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	ids, seq := padded(seqs, 0)
	out, err := exec.Exec1(append([]any{tensors.FromFlatDataAndDimensions(ids, len(seqs), seq)}, m.paramArgs()...)...)
	if err != nil {
		t.Fatal(err)
	}
	flat := tensors.MustCopyFlatData[float32](out)
	vocab := m.cfg.VocabSize
	logits := make([][][]float32, len(seqs))
	for b, s := range seqs {
		for i := range s {
			start := (b*seq + i) * vocab
			logits[b] = append(logits[b], flat[start:start+vocab])
		}
	}
	return logits
}
