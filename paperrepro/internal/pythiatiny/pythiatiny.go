// Package pythiatiny writes the tiny GPT-NeoX checkpoints the tests run the
// grid on: two random models with Pythia's vocabulary (50,304) at two
// "steps", in the layout a hub repository has at a revision
// (<model>/<step>/{config.json,model.safetensors}, float16 like Pythia's).
//
// The weights come from a seeded generator, so the repository carries a few
// lines of Go instead of 19 MB of checkpoints; every tensor has its own
// random stream, seeded by the checkpoint's and the tensor's names, and the
// same build writes the same bytes. testdata/pythia-tiny records each file's
// sha256 next to the numbers an independent PyTorch reference computed on
// these exact files (testdata/pythia-tiny/make_expected.sh); a generator that
// drifts fails there before any number is compared.
//
// The magnitudes follow ../shared/tools/neox_ref.py's random checkpoints:
// embeddings about 0.5, layer norms near 1 with biases about 0.1, each
// matrix's entries about one over the square root of its input width,
// biases about 0.05. The models' predictions mean nothing; they exercise
// every part of the forward pass over a real tokenizer's vocabulary.
package pythiatiny

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"

	"github.com/x448/float16"
)

// VocabSize is Pythia's padded vocabulary, the models' embedding rows.
const VocabSize = 50304

// Model is one tiny model's shape.
type Model struct {
	Name   string // repository name, e.g. "pythia-tiny-16"
	Hidden int    // hidden_size
	Heads  int    // num_attention_heads
	Inter  int    // intermediate_size
	Layers int    // num_hidden_layers
}

// Models are the grid's models, smallest first.
var Models = []Model{
	{Name: "pythia-tiny-16", Hidden: 16, Heads: 2, Inter: 64, Layers: 2},
	{Name: "pythia-tiny-32", Hidden: 32, Heads: 4, Inter: 128, Layers: 2},
}

// Revisions are the grid's steps, as hub branch names.
var Revisions = []string{"step1000", "step2000"}

// Grid returns the files of every model at every revision, keyed by their
// slash-separated paths <model>/<revision>/<file>.
func Grid() (map[string][]byte, error) {
	grid := map[string][]byte{}
	for _, m := range Models {
		for _, rev := range Revisions {
			files, err := Checkpoint(m, rev)
			if err != nil {
				return nil, err
			}
			for name, content := range files {
				grid[m.Name+"/"+rev+"/"+name] = content
			}
		}
	}
	return grid, nil
}

// WriteGrid writes every model at every revision under dir, as
// dir/<model>/<revision>/.
func WriteGrid(dir string) error {
	grid, err := Grid()
	if err != nil {
		return err
	}
	return WriteFiles(dir, grid)
}

// Write writes one checkpoint of model m at revision rev into dir.
func Write(dir string, m Model, rev string) error {
	files, err := Checkpoint(m, rev)
	if err != nil {
		return err
	}
	return WriteFiles(dir, files)
}

// WriteFiles writes files, keyed by slash-separated paths, under dir.
func WriteFiles(dir string, files map[string][]byte) error {
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("pythia-tiny: %w", err)
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return fmt.Errorf("pythia-tiny: %w", err)
		}
	}
	return nil
}

// Checkpoint returns the files of model m at revision rev: config.json and
// model.safetensors.
func Checkpoint(m Model, rev string) (map[string][]byte, error) {
	config, err := json.MarshalIndent(m.config(), "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pythia-tiny: config of %s: %w", m.Name, err)
	}
	weights, err := m.safetensors(m.Name + "/" + rev)
	if err != nil {
		return nil, err
	}
	return map[string][]byte{"config.json": append(config, '\n'), "model.safetensors": weights}, nil
}

// config is m's Hugging Face config.json, Pythia's settings at m's size.
func (m Model) config() map[string]any {
	return map[string]any{
		"architectures":           []string{"GPTNeoXForCausalLM"},
		"model_type":              "gpt_neox",
		"hidden_act":              "gelu",
		"hidden_size":             m.Hidden,
		"intermediate_size":       m.Inter,
		"num_attention_heads":     m.Heads,
		"num_hidden_layers":       m.Layers,
		"vocab_size":              VocabSize,
		"rotary_pct":              0.25,
		"rotary_emb_base":         10000,
		"layer_norm_eps":          1e-5,
		"max_position_embeddings": 2048,
		"use_parallel_residual":   true,
		"tie_word_embeddings":     false,
		"bos_token_id":            0,
		"eos_token_id":            0,
		"torch_dtype":             "float16",
	}
}

// tensor is one weight: its shape and how its random entries are drawn
// (mean + scale * N(0, 1)).
type tensor struct {
	name        string
	shape       []int
	mean, scale float64
}

// tensors lists m's weights in GPT-NeoX's names (attention with biases,
// untied output embedding).
func (m Model) tensors() []tensor {
	d, f := m.Hidden, m.Inter
	matrix := func(name string, out, in int) tensor {
		return tensor{name, []int{out, in}, 0, 1 / math.Sqrt(float64(in))}
	}
	norm := func(name string) []tensor {
		return []tensor{{name + ".weight", []int{d}, 1, 0.1}, {name + ".bias", []int{d}, 0, 0.1}}
	}
	bias := func(name string, n int) tensor { return tensor{name, []int{n}, 0, 0.05} }
	ts := []tensor{{"gpt_neox.embed_in.weight", []int{VocabSize, d}, 0, 0.5}}
	for i := range m.Layers {
		l := fmt.Sprintf("gpt_neox.layers.%d.", i)
		ts = append(ts, norm(l+"input_layernorm")...)
		ts = append(ts, norm(l+"post_attention_layernorm")...)
		ts = append(ts,
			matrix(l+"attention.query_key_value.weight", 3*d, d), bias(l+"attention.query_key_value.bias", 3*d),
			matrix(l+"attention.dense.weight", d, d), bias(l+"attention.dense.bias", d),
			matrix(l+"mlp.dense_h_to_4h.weight", f, d), bias(l+"mlp.dense_h_to_4h.bias", f),
			matrix(l+"mlp.dense_4h_to_h.weight", d, f), bias(l+"mlp.dense_4h_to_h.bias", d))
	}
	ts = append(ts, norm("gpt_neox.final_layer_norm")...)
	ts = append(ts, matrix("embed_out.weight", VocabSize, d))
	sort.Slice(ts, func(i, j int) bool { return ts[i].name < ts[j].name })
	return ts
}

// safetensors is m's weights for the checkpoint named checkpoint, as a
// float16 safetensors file.
func (m Model) safetensors(checkpoint string) ([]byte, error) {
	type entry struct {
		DType   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	header := map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	var data []byte
	for _, t := range m.tensors() {
		start := len(data)
		data = t.appendF16(data, seed(checkpoint))
		header[t.name] = entry{"F16", t.shape, [2]int{start, len(data)}}
	}
	h, err := json.Marshal(header)
	if err != nil {
		return nil, fmt.Errorf("pythia-tiny: safetensors header of %s: %w", checkpoint, err)
	}
	for len(h)%8 != 0 {
		h = append(h, ' ')
	}
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...), nil
}

// appendF16 appends t's entries, drawn from the stream of (checkpoint
// seed, t's name), as little-endian float16.
func (t tensor) appendF16(dst []byte, checkpointSeed uint64) []byte {
	rng := rand.New(rand.NewPCG(checkpointSeed, seed(t.name)))
	n := 1
	for _, s := range t.shape {
		n *= s
	}
	for range n {
		v := float16.Fromfloat32(float32(t.mean + t.scale*rng.NormFloat64()))
		dst = binary.LittleEndian.AppendUint16(dst, v.Bits())
	}
	return dst
}

// seed is the 64-bit FNV-1a hash of name.
func seed(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}
