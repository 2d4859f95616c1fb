package neox

import (
	"fmt"
	"slices"
	"strings"
)

// Pythia is one model of EleutherAI's Pythia suite: its name and the shape
// its published config.json gives.
type Pythia struct {
	// Name is the hub name without the organisation, e.g. "pythia-70m" or
	// "pythia-70m-deduped".
	Name string
	// Config is the model's shape, as its config.json on the hub states it.
	Config Config
}

// Deduped returns p's twin trained on the deduplicated Pile,
// "pythia-70m-deduped" for "pythia-70m": the same shape under another name.
func (p Pythia) Deduped() Pythia {
	if strings.HasSuffix(p.Name, dedupedSuffix) {
		return p
	}
	return Pythia{Name: p.Name + dedupedSuffix, Config: p.Config}
}

// dedupedSuffix marks the Pythia models trained on the deduplicated Pile.
const dedupedSuffix = "-deduped"

// pythiaShape is the config every Pythia model shares, with the sizes that differ.
func pythiaShape(hidden, layers, heads, vocab int) Config {
	return Config{
		HiddenSize: hidden, NumHiddenLayers: layers, NumAttentionHeads: heads,
		IntermediateSize: 4 * hidden, VocabSize: vocab,
		RotaryPct: 0.25, RotaryEmbBase: 10000, LayerNormEps: 1e-5,
		MaxPositionEmbeddings: 2048, UseParallelResidual: true, HiddenAct: "gelu",
		AttentionBias: true,
	}
}

// pythiaSuite holds the shapes of EleutherAI/pythia-* (config.json on the
// hub: hidden_size, num_hidden_layers, num_attention_heads, vocab_size;
// intermediate_size is 4 x hidden_size and rotary_pct 0.25 for all). The
// larger models pad their vocabularies further (50,432 and 50,688 rows) for
// tensor-parallel training; each -deduped twin has its size's config.
var pythiaSuite = []Pythia{
	{"pythia-70m", pythiaShape(512, 6, 8, 50304)},
	{"pythia-160m", pythiaShape(768, 12, 12, 50304)},
	{"pythia-410m", pythiaShape(1024, 24, 16, 50304)},
	{"pythia-1b", pythiaShape(2048, 16, 8, 50304)},
	{"pythia-1.4b", pythiaShape(2048, 24, 16, 50304)},
	{"pythia-2.8b", pythiaShape(2560, 32, 32, 50304)},
	{"pythia-6.9b", pythiaShape(4096, 32, 32, 50432)},
	{"pythia-12b", pythiaShape(5120, 36, 40, 50688)},
}

// PythiaSuite returns the eight Pythia sizes, smallest first: the paper's
// five (70m to 1.4b) and the three larger ones. Each has a -deduped twin
// (Pythia.Deduped) of the same shape.
func PythiaSuite() []Pythia { return slices.Clone(pythiaSuite) }

// PythiaConfig returns the shape of the Pythia model with the given name:
// "pythia-410m", "410m", "EleutherAI/pythia-410m" or any of these with
// "-deduped" (the twins share their size's shape).
func PythiaConfig(name string) (Config, error) {
	full := strings.TrimSuffix(strings.TrimPrefix(name, "EleutherAI/"), dedupedSuffix)
	if !strings.HasPrefix(full, "pythia-") {
		full = "pythia-" + full
	}
	for _, p := range pythiaSuite {
		if p.Name == full {
			return p.Config, nil
		}
	}
	names := make([]string, len(pythiaSuite))
	for i, p := range pythiaSuite {
		names[i] = strings.TrimPrefix(p.Name, "pythia-")
	}
	return Config{}, fmt.Errorf("unknown Pythia size %q (known: %s, each also -deduped)", name, strings.Join(names, ", "))
}

// The three counts below are what a scaling law may take as a model's size
// P: Parameters is the "total params" of the Pythia model cards,
// NonEmbeddingParameters their "non-embedding params" (the count Kaplan et
// al. fit, and the one the paper says it uses), and EmbeddingParameters the
// difference. All three are computed from the config's fields.

// Parameters counts every parameter of the model: embeddings, layers and
// the final layer norm (70,426,624 for pythia-70m, as its model card says).
func (c Config) Parameters() int {
	return c.EmbeddingParameters() + c.NonEmbeddingParameters()
}

// EmbeddingParameters counts the input and output embeddings, embed_in and
// embed_out, each vocab_size x hidden_size (one matrix when
// tie_word_embeddings holds): 51,511,296 for pythia-70m.
func (c Config) EmbeddingParameters() int {
	embeddings := c.VocabSize * c.HiddenSize // embed_in
	if !c.TieWordEmbeddings {
		embeddings *= 2 // embed_out
	}
	return embeddings
}

// NonEmbeddingParameters counts the parameters outside the input and output
// embeddings: every layer and the final layer norm (18,915,328 for
// pythia-70m, as its model card says).
func (c Config) NonEmbeddingParameters() int {
	h, inner := c.HiddenSize, c.IntermediateSize
	attention := 3*h*h + h*h // query_key_value, dense
	if c.AttentionBias {
		attention += 3*h + h
	}
	mlp := h*inner + inner + inner*h + h // dense_h_to_4h, dense_4h_to_h
	norms := 2 * 2 * h                   // input_layernorm, post_attention_layernorm
	finalNorm := 2 * h
	return c.NumHiddenLayers*(attention+mlp+norms) + finalNorm
}
