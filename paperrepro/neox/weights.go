package neox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// storedTensor describes one tensor as a checkpoint file stores it.
type storedTensor struct {
	DType string // safetensors spelling: F32, F16, BF16, I64, BOOL, ...
	Shape []int
	File  string // the file holding it, for error messages
}

// checkpoint is a set of named tensors on disk that can be read one at a time
// as float32, so a loader never holds more than one converted copy.
type checkpoint interface {
	// Tensors lists every stored tensor by name.
	Tensors() map[string]storedTensor
	// ReadFloat32 converts tensor name into dst (len = its element count).
	ReadFloat32(name string, dst []float32) error
	Close() error
}

// weightSpec is one tensor the forward pass needs, with its expected shape.
type weightSpec struct {
	Name  string
	Shape []int
}

// weightSpecs lists the tensors of a GPT-NeoX checkpoint for cfg, in the
// order the graph functions receive them.
func weightSpecs(cfg Config) []weightSpec {
	d, f, v := cfg.HiddenSize, cfg.IntermediateSize, cfg.VocabSize
	specs := []weightSpec{{"gpt_neox.embed_in.weight", []int{v, d}}}
	for i := range cfg.NumHiddenLayers {
		add := func(suffix string, shape ...int) {
			specs = append(specs, weightSpec{layerName(i, suffix), shape})
		}
		add("input_layernorm.weight", d)
		add("input_layernorm.bias", d)
		add("post_attention_layernorm.weight", d)
		add("post_attention_layernorm.bias", d)
		add("attention.query_key_value.weight", 3*d, d)
		if cfg.AttentionBias {
			add("attention.query_key_value.bias", 3*d)
		}
		add("attention.dense.weight", d, d)
		if cfg.AttentionBias {
			add("attention.dense.bias", d)
		}
		add("mlp.dense_h_to_4h.weight", f, d)
		add("mlp.dense_h_to_4h.bias", f)
		add("mlp.dense_4h_to_h.weight", d, f)
		add("mlp.dense_4h_to_h.bias", d)
	}
	specs = append(specs,
		weightSpec{"gpt_neox.final_layer_norm.weight", []int{d}},
		weightSpec{"gpt_neox.final_layer_norm.bias", []int{d}})
	if !cfg.TieWordEmbeddings {
		specs = append(specs, weightSpec{"embed_out.weight", []int{v, d}})
	}
	return specs
}

// ignoredBuffer reports whether name is one of the non-weight buffers old
// Pythia checkpoints carry: the causal mask, its fill value and the rotary
// inverse frequencies, all of which the forward pass recomputes.
func ignoredBuffer(name string) bool {
	if !strings.HasPrefix(name, "gpt_neox.layers.") {
		return false
	}
	for _, suffix := range []string{".attention.bias", ".attention.masked_bias", ".attention.rotary_emb.inv_freq"} {
		if strings.HasSuffix(name, suffix) {
			return true
		}
	}
	return false
}

// checkTensors compares the stored tensors with what cfg needs: every needed
// tensor present with its shape, nothing unexpected besides ignored buffers
// (and a redundant embed_out when embeddings are tied).
func checkTensors(ckpt checkpoint, specs []weightSpec, cfg Config) error {
	stored := ckpt.Tensors()
	needed := make(map[string]bool, len(specs))
	for _, spec := range specs {
		needed[spec.Name] = true
		st, ok := stored[spec.Name]
		if !ok {
			return fmt.Errorf("tensor %q is missing from the checkpoint", spec.Name)
		}
		if !slices.Equal(st.Shape, spec.Shape) {
			return fmt.Errorf("%s: tensor %q has shape %v, want %v (from config.json)", st.File, spec.Name, st.Shape, spec.Shape)
		}
		if _, ok := dtypeSizes[st.DType]; !ok {
			return fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", st.File, spec.Name, st.DType)
		}
	}
	var unexpected []string
	for name := range stored {
		if needed[name] || ignoredBuffer(name) || (cfg.TieWordEmbeddings && name == "embed_out.weight") {
			continue
		}
		unexpected = append(unexpected, name)
	}
	if len(unexpected) > 0 {
		slices.Sort(unexpected)
		return fmt.Errorf("%s: unexpected tensor %q (%d unexpected in all) for this config", stored[unexpected[0]].File, unexpected[0], len(unexpected))
	}
	return nil
}

// checkFinite refuses weights holding NaN or an infinity, which would make
// every log-probability NaN; first is the index of values[0] in the tensor.
func checkFinite(path, name string, values []float32, first int64) error {
	for i, v := range values {
		if v-v != 0 { // NaN - NaN and Inf - Inf are NaN; finite v - v is 0
			return fmt.Errorf("%s: tensor %q: element %d is %v: damaged weights (a NaN or infinite weight gives no probabilities)", path, name, first+int64(i), v)
		}
	}
	return nil
}

// dtypeSizes are the floating-point dtypes we convert from, with their byte sizes.
var dtypeSizes = map[string]int{"F32": 4, "F16": 2, "BF16": 2}

// The weights layouts a checkpoint folder may hold, in order of preference:
// one safetensors file, sharded safetensors, one pytorch_model.bin (old
// Pythia step revisions), sharded pytorch_model.bin (the step revisions of
// Pythia 2.8b, 6.9b and 12b).
const (
	singleSafetensors = "model.safetensors"
	safetensorsIndex  = "model.safetensors.index.json"
	singleBin         = "pytorch_model.bin"
	binShardIndex     = "pytorch_model.bin.index.json"
)

// weightsLayouts lists the weights files a checkpoint folder may hold, in the
// order Load prefers them (package hub fetches in the same order).
func weightsLayouts() []string {
	return []string{singleSafetensors, safetensorsIndex, singleBin, binShardIndex}
}

// openCheckpoint opens the weights in dir, in the layout weightsLayouts
// prefers.
func openCheckpoint(dir string) (checkpoint, error) {
	path := func(name string) string { return filepath.Join(dir, name) }
	switch {
	case exists(path(singleSafetensors)):
		return openSafetensors(path(singleSafetensors))
	case exists(path(safetensorsIndex)):
		return openSharded(path(safetensorsIndex), func(p string) (checkpoint, error) { return openSafetensors(p) })
	case exists(path(singleBin)):
		return openPytorchBin(path(singleBin))
	case exists(path(binShardIndex)):
		return openSharded(path(binShardIndex), func(p string) (checkpoint, error) { return openPytorchBin(p) })
	}
	return nil, fmt.Errorf("no weights in %s: want %s", dir, strings.Join(weightsLayouts(), ", "))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return !errors.Is(err, os.ErrNotExist)
}
