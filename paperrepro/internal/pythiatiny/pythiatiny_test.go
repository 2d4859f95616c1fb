package pythiatiny

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/x448/float16"
)

// TestWriteIsDeterministic: the same checkpoint is written byte for byte
// again, and another step of the same model has other weights.
func TestWriteIsDeterministic(t *testing.T) {
	m := Models[0]
	dirs := []string{t.TempDir(), t.TempDir(), t.TempDir()}
	for i, rev := range []string{"step1000", "step1000", "step2000"} {
		if err := Write(dirs[i], m, rev); err != nil {
			t.Fatal(err)
		}
	}
	read := func(dir string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if !bytes.Equal(read(dirs[0]), read(dirs[1])) {
		t.Error("two writes of step1000 differ")
	}
	if bytes.Equal(read(dirs[0]), read(dirs[2])) {
		t.Error("step1000 and step2000 have the same weights")
	}
}

// TestTensorsHaveTheirMagnitudes reads a written file back as safetensors
// and checks every tensor's shape, dtype and spread: mean and standard
// deviation within a few standard errors of what the package doc promises.
func TestTensorsHaveTheirMagnitudes(t *testing.T) {
	m := Models[1]
	dir := t.TempDir()
	if err := Write(dir, m, Revisions[0]); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	var header map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &header); err != nil {
		t.Fatal(err)
	}
	body := raw[8+n:]
	specs := m.tensors()
	if len(header) != len(specs)+1 { // and __metadata__
		t.Errorf("%d header entries, want %d tensors and the metadata", len(header), len(specs))
	}
	for _, s := range specs {
		var e struct {
			DType   string `json:"dtype"`
			Shape   []int  `json:"shape"`
			Offsets [2]int `json:"data_offsets"`
		}
		if err := json.Unmarshal(header[s.name], &e); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		count := 1
		for _, d := range e.Shape {
			count *= d
		}
		if e.DType != "F16" || e.Offsets[1]-e.Offsets[0] != 2*count {
			t.Fatalf("%s: %s %v at %v", s.name, e.DType, e.Shape, e.Offsets)
		}
		sum, sq := 0.0, 0.0
		for i := range count {
			v := float64(float16.Frombits(binary.LittleEndian.Uint16(body[e.Offsets[0]+2*i:])).Float32())
			sum += v
			sq += v * v
		}
		mean := sum / float64(count)
		std := math.Sqrt(sq/float64(count) - mean*mean)
		tolerance := 5 * s.scale / math.Sqrt(float64(count))
		if math.Abs(mean-s.mean) > tolerance || math.Abs(std-s.scale) > tolerance*3+0.01*s.scale {
			t.Errorf("%s: mean %.4f std %.4f, want about %.4f and %.4f", s.name, mean, std, s.mean, s.scale)
		}
	}
}

// TestConfigIsPythias: the config keys a GPT-NeoX loader reads.
func TestConfigIsPythias(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir, Models[0], Revisions[0]); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]any{"model_type": "gpt_neox", "vocab_size": float64(VocabSize), "hidden_size": float64(16),
		"num_attention_heads": float64(2), "use_parallel_residual": true, "tie_word_embeddings": false, "rotary_pct": 0.25} {
		if c[key] != want {
			t.Errorf("%s: %v, want %v", key, c[key], want)
		}
	}
}
