package neox

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// rawTensor is a tensor's header entry and bytes, for writing test checkpoints.
type rawTensor struct {
	Name  string
	DType string
	Shape []int
	Data  []byte
}

// readRawTensors returns every tensor of a safetensors file, sorted by name.
func readRawTensors(t *testing.T, path string) []rawTensor {
	t.Helper()
	f, err := openSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []rawTensor
	for name, e := range f.entries {
		data := make([]byte, e.end-e.begin)
		if _, err := f.f.ReadAt(data, e.begin); err != nil {
			t.Fatal(err)
		}
		out = append(out, rawTensor{name, e.DType, e.Shape, data})
	}
	slices.SortFunc(out, func(a, b rawTensor) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// writeSafetensors writes tensors to path; edit, when not nil, may change the
// header entries (name -> {dtype, shape, data_offsets}) before they are written.
func writeSafetensors(t *testing.T, path string, tensors []rawTensor, edit func(header map[string]map[string]any)) {
	t.Helper()
	writeSafetensorsJSON(t, path, tensors, edit, nil)
}

// writeSafetensorsJSON is writeSafetensors with editJSON, when not nil,
// changing the header's JSON text itself (to write what a map cannot hold,
// such as a key twice).
func writeSafetensorsJSON(t *testing.T, path string, tensors []rawTensor, edit func(header map[string]map[string]any), editJSON func([]byte) []byte) {
	t.Helper()
	header := map[string]map[string]any{}
	var data []byte
	for _, x := range tensors {
		header[x.Name] = map[string]any{"dtype": x.DType, "shape": x.Shape, "data_offsets": []int{len(data), len(data) + len(x.Data)}}
		data = append(data, x.Data...)
	}
	if edit != nil {
		edit(header)
	}
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	if editJSON != nil {
		h = editJSON(h)
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	out = append(append(out, h...), data...)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// fixtureCopy copies testdata/neox/parallel-f32's config into a temporary
// folder and returns it with the fixture's tensors.
func fixtureCopy(t *testing.T) (string, []rawTensor) {
	t.Helper()
	src := testenv.Testdata(t, "neox", "parallel-f32")
	dir := t.TempDir()
	config, err := os.ReadFile(filepath.Join(src, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, readRawTensors(t, filepath.Join(src, "model.safetensors"))
}

const qkvName = "gpt_neox.layers.1.attention.query_key_value.weight"

// TestLoadBadInput checks that broken checkpoints give errors naming the
// file and the tensor (or config key), never panics or silent garbage.
func TestLoadBadInput(t *testing.T) {
	without := func(name string) func([]rawTensor) []rawTensor {
		return func(ts []rawTensor) []rawTensor {
			return slices.DeleteFunc(ts, func(x rawTensor) bool { return x.Name == name })
		}
	}
	for _, tc := range []struct {
		name     string
		tensors  func([]rawTensor) []rawTensor
		header   func(map[string]map[string]any)
		json     func([]byte) []byte // edits the header's JSON text
		file     func(path string)   // mangles the written model.safetensors
		config   func(string) string
		wantErrs []string
	}{
		{name: "truncated file", file: func(p string) { truncate(t, p, -100) },
			wantErrs: []string{"model.safetensors", "gpt_neox.layers.1.post_attention_layernorm.weight", "truncated"}}, // the last tensor in the file
		{name: "truncated header", file: func(p string) { truncate(t, p, 20) },
			wantErrs: []string{"model.safetensors", "header"}},
		{name: "header lies about offsets", header: func(h map[string]map[string]any) { h[qkvName]["data_offsets"] = []int{0, 4} },
			wantErrs: []string{"model.safetensors", qkvName, "data_offsets"}},
		{name: "offsets past the end", header: func(h map[string]map[string]any) { h[qkvName]["data_offsets"] = []int{1 << 30, 1<<30 + 192*64*4} },
			wantErrs: []string{"model.safetensors", qkvName, "past"}},
		{name: "wrong dtype", header: func(h map[string]map[string]any) { h[qkvName]["dtype"] = "I32" },
			wantErrs: []string{"model.safetensors", qkvName, "I32"}},
		{name: "unknown dtype", header: func(h map[string]map[string]any) { h[qkvName]["dtype"] = "F8_E4M3" },
			wantErrs: []string{"model.safetensors", qkvName, "F8_E4M3"}},
		{name: "missing tensor", tensors: without(qkvName),
			wantErrs: []string{qkvName, "missing"}},
		{name: "unexpected tensor", tensors: func(ts []rawTensor) []rawTensor {
			return append(ts, rawTensor{"gpt_neox.layers.0.attention.extra", "F32", []int{1}, make([]byte, 4)})
		}, wantErrs: []string{"model.safetensors", "gpt_neox.layers.0.attention.extra", "unexpected"}},
		{name: "wrong shape", header: func(h map[string]map[string]any) { h[qkvName]["shape"] = []int{64, 192} },
			wantErrs: []string{"model.safetensors", qkvName, "[64 192]", "[192 64]"}},
		{name: "hidden size not divisible by heads", config: func(c string) string {
			return strings.Replace(c, `"num_attention_heads": 4`, `"num_attention_heads": 5`, 1)
		}, wantErrs: []string{"config.json", "not divisible"}},
		{name: "tensors overlap", header: func(h map[string]map[string]any) {
			for _, entry := range h { // every tensor read from offset 0, as in the broken file of issue 14
				offsets := entry["data_offsets"].([]int)
				entry["data_offsets"] = []int{0, offsets[1] - offsets[0]}
			}
		}, wantErrs: []string{"model.safetensors", "overlap"}},
		{name: "shape overflows", header: func(h map[string]map[string]any) { h[qkvName]["shape"] = []int{1 << 32, 1 << 32, 1 << 2} },
			wantErrs: []string{"model.safetensors", qkvName, "more elements than the file has bytes"}},
		{name: "NaN weight", tensors: func(ts []rawTensor) []rawTensor {
			for i := range ts {
				if ts[i].Name == qkvName {
					ts[i].Data = slices.Clone(ts[i].Data)
					binary.LittleEndian.PutUint32(ts[i].Data[4*70:], math.Float32bits(float32(math.NaN())))
				}
			}
			return ts
		}, wantErrs: []string{"model.safetensors", qkvName, "element 70 is NaN", "damaged weights"}},
		{name: "tensor listed twice", json: func(h []byte) []byte {
			// A second entry for the query_key_value weight, pointing at the
			// bytes of another tensor of the same size: the last one used to win.
			var header map[string]map[string]any
			if err := json.Unmarshal(h, &header); err != nil {
				t.Fatal(err)
			}
			entry, _ := json.Marshal(header[qkvName])
			return append([]byte(`{"`+qkvName+`":`+string(entry)+`,`), h[1:]...)
		}, wantErrs: []string{"model.safetensors", qkvName, "twice"}},
		{name: "not safetensors", file: func(p string) {
			if err := os.WriteFile(p, []byte("<html>rate limited</html>"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, wantErrs: []string{"model.safetensors", "header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, tensors := fixtureCopy(t)
			if tc.tensors != nil {
				tensors = tc.tensors(tensors)
			}
			weights := filepath.Join(dir, "model.safetensors")
			writeSafetensorsJSON(t, weights, tensors, tc.header, tc.json)
			if tc.file != nil {
				tc.file(weights)
			}
			if tc.config != nil {
				path := filepath.Join(dir, "config.json")
				data, _ := os.ReadFile(path)
				if err := os.WriteFile(path, []byte(tc.config(string(data))), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := Load(dir)
			if err == nil {
				m.Close()
				t.Fatal("Load succeeded, want an error")
			}
			for _, want := range tc.wantErrs {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// truncate cuts path to n bytes, or to its size + n when n < 0.
func truncate(t *testing.T, path string, n int64) {
	t.Helper()
	if n < 0 {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		n += info.Size()
	}
	if err := os.Truncate(path, n); err != nil {
		t.Fatal(err)
	}
}

func TestLoadNoWeights(t *testing.T) {
	dir, _ := fixtureCopy(t)
	_, err := Load(dir)
	if err == nil || !strings.Contains(err.Error(), "no weights") {
		t.Errorf("got %v, want a 'no weights' error", err)
	}
}

// TestLoadSharded splits the fixture over two safetensors shards with an
// index and checks the model scores exactly like the single-file one.
func TestLoadSharded(t *testing.T) {
	dir, tensors := fixtureCopy(t)
	half := len(tensors) / 2
	shards := map[string][]rawTensor{
		"model-00001-of-00002.safetensors": tensors[:half],
		"model-00002-of-00002.safetensors": tensors[half:],
	}
	weightMap := map[string]string{}
	for file, ts := range shards {
		writeSafetensors(t, filepath.Join(dir, file), ts, nil)
		for _, x := range ts {
			weightMap[x.Name] = file
		}
	}
	index, _ := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 0}, "weight_map": weightMap})
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	sharded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer sharded.Close()
	single := loadFixture(t, "parallel-f32")
	seqs := [][]int{{3, 1, 4, 1, 5, 9, 2, 6}, {2, 7, 1, 8}}
	want, err := single.TokenBits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sharded.TokenBits(seqs)
	if err != nil {
		t.Fatal(err)
	}
	for b := range want {
		if !slices.Equal(got[b], want[b]) {
			t.Errorf("sequence %d: sharded %v, single file %v", b, got[b], want[b])
		}
	}

	// An index naming a tensor its shard lacks is an error naming both.
	weightMap["gpt_neox.layers.9.mlp.dense_4h_to_h.bias"] = "model-00001-of-00002.safetensors"
	index, _ = json.Marshal(map[string]any{"weight_map": weightMap})
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), index, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "gpt_neox.layers.9.mlp.dense_4h_to_h.bias") || !strings.Contains(err.Error(), "model-00001-of-00002.safetensors") {
		t.Errorf("index listing an absent tensor: got %v", err)
	}
}

// TestConfigVariants checks attention_bias=false and tie_word_embeddings=true
// against equivalent checkpoints in the default layout: zero attention
// biases, and an embed_out that is a copy of embed_in.
func TestConfigVariants(t *testing.T) {
	seqs := [][]int{{3, 1, 4, 1, 5, 9, 2, 6, 5, 3}, {2, 7, 1}}
	for _, tc := range []struct {
		name, key      string
		refusesDefault bool                          // whether the default layout is an error under the setting
		variant        func([]rawTensor) []rawTensor // the checkpoint the setting reads
		equivalent     func([]rawTensor) []rawTensor // the same model in the default layout
	}{
		{
			name: "attention_bias false", key: "attention_bias", refusesDefault: true,
			variant: func(ts []rawTensor) []rawTensor {
				return slices.DeleteFunc(ts, func(x rawTensor) bool { return isAttentionBias(x.Name) })
			},
			equivalent: func(ts []rawTensor) []rawTensor {
				for i, x := range ts {
					if isAttentionBias(x.Name) {
						ts[i].Data = make([]byte, len(x.Data))
					}
				}
				return ts
			},
		},
		{
			name: "tie_word_embeddings", key: "tie_word_embeddings",
			variant: func(ts []rawTensor) []rawTensor {
				return slices.DeleteFunc(ts, func(x rawTensor) bool { return x.Name == "embed_out.weight" })
			},
			equivalent: func(ts []rawTensor) []rawTensor {
				embedIn := ts[slices.IndexFunc(ts, func(x rawTensor) bool { return x.Name == "gpt_neox.embed_in.weight" })]
				ts[slices.IndexFunc(ts, func(x rawTensor) bool { return x.Name == "embed_out.weight" })].Data = embedIn.Data
				return ts
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bits := func(dir string) [][]float64 {
				m, err := Load(dir)
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				out, err := m.TokenBits(seqs)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			variantDir, tensors := fixtureCopy(t)
			writeSafetensors(t, filepath.Join(variantDir, "model.safetensors"), tc.variant(slices.Clone(tensors)), nil)
			configPath := filepath.Join(variantDir, "config.json")
			data, _ := os.ReadFile(configPath)
			var config map[string]any
			if err := json.Unmarshal(data, &config); err != nil {
				t.Fatal(err)
			}
			config[tc.key] = tc.key == "tie_word_embeddings" // attention_bias false, tie_word_embeddings true
			data, _ = json.Marshal(config)
			if err := os.WriteFile(configPath, data, 0o644); err != nil {
				t.Fatal(err)
			}
			equivalentDir, _ := fixtureCopy(t)
			writeSafetensors(t, filepath.Join(equivalentDir, "model.safetensors"), tc.equivalent(slices.Clone(tensors)), nil)
			got, want := bits(variantDir), bits(equivalentDir)
			for b := range want {
				if !slices.Equal(got[b], want[b]) {
					t.Errorf("sequence %d: %v, want %v", b, got[b], want[b])
				}
			}
			if tc.refusesDefault {
				writeSafetensors(t, filepath.Join(variantDir, "model.safetensors"), tensors, nil)
				if m, err := Load(variantDir); err == nil {
					m.Close()
					t.Errorf("default-layout checkpoint under %s: no error", tc.name)
				}
			}
		})
	}
}

func isAttentionBias(name string) bool {
	return strings.HasSuffix(name, "attention.query_key_value.bias") || strings.HasSuffix(name, "attention.dense.bias")
}
