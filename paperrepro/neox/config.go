package neox

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
)

// Config is the part of a Hugging Face GPT-NeoX config.json that the forward
// pass depends on. Field names follow the config keys (json tags).
type Config struct {
	HiddenSize            int     `json:"hidden_size"`
	NumAttentionHeads     int     `json:"num_attention_heads"`
	NumHiddenLayers       int     `json:"num_hidden_layers"`
	IntermediateSize      int     `json:"intermediate_size"`
	VocabSize             int     `json:"vocab_size"`
	RotaryPct             float64 `json:"rotary_pct"`
	RotaryEmbBase         float64 `json:"rotary_emb_base"`
	LayerNormEps          float64 `json:"layer_norm_eps"`
	MaxPositionEmbeddings int     `json:"max_position_embeddings"`
	UseParallelResidual   bool    `json:"use_parallel_residual"`
	HiddenAct             string  `json:"hidden_act"`
	TieWordEmbeddings     bool    `json:"tie_word_embeddings"`
	AttentionBias         bool    `json:"attention_bias"`
}

// rawConfig mirrors config.json with pointers, so that absent keys take the
// Hugging Face GPTNeoXConfig defaults and present-but-unsupported keys are seen.
type rawConfig struct {
	ModelType             string          `json:"model_type"`
	HiddenSize            *int            `json:"hidden_size"`
	NumAttentionHeads     *int            `json:"num_attention_heads"`
	NumHiddenLayers       *int            `json:"num_hidden_layers"`
	IntermediateSize      *int            `json:"intermediate_size"`
	VocabSize             *int            `json:"vocab_size"`
	RotaryPct             *float64        `json:"rotary_pct"`
	PartialRotaryFactor   *float64        `json:"partial_rotary_factor"` // newer transformers name for rotary_pct
	RotaryEmbBase         *float64        `json:"rotary_emb_base"`
	RopeTheta             *float64        `json:"rope_theta"` // newer transformers name for rotary_emb_base
	LayerNormEps          *float64        `json:"layer_norm_eps"`
	MaxPositionEmbeddings *int            `json:"max_position_embeddings"`
	UseParallelResidual   *bool           `json:"use_parallel_residual"`
	HiddenAct             *string         `json:"hidden_act"`
	TieWordEmbeddings     *bool           `json:"tie_word_embeddings"`
	AttentionBias         *bool           `json:"attention_bias"`
	RopeScaling           json.RawMessage `json:"rope_scaling"`
}

// ReadConfig reads and validates a GPT-NeoX config.json. Keys the forward pass
// does not use (torch_dtype, use_cache, bos_token_id, dropout rates, ...) are
// accepted and ignored; settings it cannot honour are errors.
func ReadConfig(path string) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	cfg, err := ParseConfig(data)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return cfg, nil
}

// ParseConfig parses and validates the bytes of a GPT-NeoX config.json; see ReadConfig.
func ParseConfig(data []byte) (Config, error) {
	var raw rawConfig
	if err := json.Unmarshal(data, &raw); err != nil {
		return Config{}, fmt.Errorf("parsing JSON: %w", err)
	}
	if err := checkDuplicateKeys(data); err != nil {
		return Config{}, err
	}
	if raw.ModelType != "gpt_neox" {
		return Config{}, fmt.Errorf("model_type is %q, want \"gpt_neox\"", raw.ModelType)
	}
	if len(raw.RopeScaling) > 0 && string(raw.RopeScaling) != "null" {
		return Config{}, fmt.Errorf("rope_scaling %s is not supported (only null)", raw.RopeScaling)
	}
	for _, pair := range []struct {
		key, newerKey string
		value, newer  *float64
	}{
		{"rotary_pct", "partial_rotary_factor", raw.RotaryPct, raw.PartialRotaryFactor},
		{"rotary_emb_base", "rope_theta", raw.RotaryEmbBase, raw.RopeTheta},
	} {
		if pair.value != nil && pair.newer != nil && *pair.value != *pair.newer {
			return Config{}, fmt.Errorf("%s %v and %s %v disagree", pair.key, *pair.value, pair.newerKey, *pair.newer)
		}
	}
	required := map[string]*int{
		"hidden_size": raw.HiddenSize, "num_attention_heads": raw.NumAttentionHeads,
		"num_hidden_layers": raw.NumHiddenLayers, "intermediate_size": raw.IntermediateSize,
		"vocab_size": raw.VocabSize,
	}
	for _, key := range []string{"hidden_size", "num_attention_heads", "num_hidden_layers", "intermediate_size", "vocab_size"} {
		if required[key] == nil {
			return Config{}, fmt.Errorf("missing %s", key)
		}
	}
	// Defaults are those of transformers' GPTNeoXConfig.
	cfg := Config{
		HiddenSize:            *raw.HiddenSize,
		NumAttentionHeads:     *raw.NumAttentionHeads,
		NumHiddenLayers:       *raw.NumHiddenLayers,
		IntermediateSize:      *raw.IntermediateSize,
		VocabSize:             *raw.VocabSize,
		RotaryPct:             firstOf(0.25, raw.RotaryPct, raw.PartialRotaryFactor),
		RotaryEmbBase:         firstOf(10000, raw.RotaryEmbBase, raw.RopeTheta),
		LayerNormEps:          firstOf(1e-5, raw.LayerNormEps),
		MaxPositionEmbeddings: firstOf(2048, raw.MaxPositionEmbeddings),
		UseParallelResidual:   firstOf(true, raw.UseParallelResidual),
		HiddenAct:             firstOf("gelu", raw.HiddenAct),
		TieWordEmbeddings:     firstOf(false, raw.TieWordEmbeddings),
		AttentionBias:         firstOf(true, raw.AttentionBias),
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func firstOf[T any](def T, values ...*T) T {
	for _, v := range values {
		if v != nil {
			return *v
		}
	}
	return def
}

// Validate reports the first setting the forward pass cannot run.
func (c Config) Validate() error {
	positive := []struct {
		key   string
		value int
	}{
		{"hidden_size", c.HiddenSize}, {"num_attention_heads", c.NumAttentionHeads},
		{"num_hidden_layers", c.NumHiddenLayers}, {"intermediate_size", c.IntermediateSize},
		{"vocab_size", c.VocabSize}, {"max_position_embeddings", c.MaxPositionEmbeddings},
	}
	for _, p := range positive {
		if p.value <= 0 {
			return fmt.Errorf("%s is %d, want > 0", p.key, p.value)
		}
	}
	if c.HiddenSize%c.NumAttentionHeads != 0 {
		return fmt.Errorf("hidden_size %d is not divisible by num_attention_heads %d", c.HiddenSize, c.NumAttentionHeads)
	}
	if !(c.RotaryPct >= 0 && c.RotaryPct <= 1) {
		return fmt.Errorf("rotary_pct is %v, want in [0, 1]", c.RotaryPct)
	}
	if c.RotaryDims()%2 != 0 {
		return fmt.Errorf("rotary_pct %v gives %d rotary dimensions per head (head size %d), want an even number", c.RotaryPct, c.RotaryDims(), c.HeadSize())
	}
	if !(c.RotaryEmbBase > 0) || math.IsInf(c.RotaryEmbBase, 0) {
		return fmt.Errorf("rotary_emb_base is %v, want a positive number", c.RotaryEmbBase)
	}
	if !(c.LayerNormEps > 0) {
		return fmt.Errorf("layer_norm_eps is %v, want > 0", c.LayerNormEps)
	}
	if _, ok := activations[c.HiddenAct]; !ok {
		return fmt.Errorf("hidden_act %q is not supported (want gelu, gelu_new, gelu_fast or gelu_pytorch_tanh)", c.HiddenAct)
	}
	return nil
}

// HeadSize is hidden_size / num_attention_heads.
func (c Config) HeadSize() int { return c.HiddenSize / c.NumAttentionHeads }

// RotaryDims is the number of leading dimensions of each head that rotary
// position embedding rotates: int(head_size * rotary_pct), as in transformers.
func (c Config) RotaryDims() int { return int(float64(c.HeadSize()) * c.RotaryPct) }
