package neox

import (
	"strings"
	"testing"
)

// pythia70mConfig is EleutherAI/pythia-70m's config.json as published, with
// the fields the forward pass ignores.
const pythia70mConfig = `{
  "architectures": ["GPTNeoXForCausalLM"],
  "bos_token_id": 0,
  "classifier_dropout": 0.1,
  "eos_token_id": 0,
  "hidden_act": "gelu",
  "hidden_size": 512,
  "initializer_range": 0.02,
  "intermediate_size": 2048,
  "layer_norm_eps": 1e-05,
  "max_position_embeddings": 2048,
  "model_type": "gpt_neox",
  "num_attention_heads": 8,
  "num_hidden_layers": 6,
  "rotary_emb_base": 10000,
  "rotary_pct": 0.25,
  "tie_word_embeddings": false,
  "torch_dtype": "float16",
  "transformers_version": "4.24.0",
  "use_cache": true,
  "use_parallel_residual": true,
  "vocab_size": 50304
}`

func TestParseConfigPythia70m(t *testing.T) {
	cfg, err := ParseConfig([]byte(pythia70mConfig))
	if err != nil {
		t.Fatal(err)
	}
	if cfg != pythia70mShape {
		t.Errorf("got %+v\nwant %+v", cfg, pythia70mShape)
	}
	if cfg.HeadSize() != 64 || cfg.RotaryDims() != 16 {
		t.Errorf("head size %d, rotary dims %d; want 64, 16", cfg.HeadSize(), cfg.RotaryDims())
	}
}

// withField returns pythia70mConfig with key set to the raw JSON value
// (added or replaced), or removed when value is "".
func withField(key, value string) string {
	lines := strings.Split(pythia70mConfig, "\n")
	var out []string
	for _, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), `"`+key+`"`) {
			out = append(out, l)
		}
	}
	if value != "" {
		out = append(out[:1], append([]string{`  "` + key + `": ` + value + `,`}, out[1:]...)...)
	}
	return strings.Join(out, "\n")
}

func TestParseConfig(t *testing.T) {
	for _, tc := range []struct {
		name    string
		json    string
		wantErr string // "" for success
		check   func(Config) bool
	}{
		{"null rope_scaling", withField("rope_scaling", "null"), "", nil},
		{"attention_dropout", withField("attention_dropout", "0.0"), "", nil},
		{"hidden_dropout", withField("hidden_dropout", "0.0"), "", nil},
		{"rotary_pct absent", withField("rotary_pct", ""), "", func(c Config) bool { return c.RotaryPct == 0.25 }},
		{"newer key partial_rotary_factor", strings.Replace(withField("rotary_pct", ""), "{", `{"partial_rotary_factor": 0.5,`, 1), "", func(c Config) bool { return c.RotaryPct == 0.5 }},
		{"newer key rope_theta", strings.Replace(withField("rotary_emb_base", ""), "{", `{"rope_theta": 500,`, 1), "", func(c Config) bool { return c.RotaryEmbBase == 500 }},
		{"rotary_pct and partial_rotary_factor disagree", withField("partial_rotary_factor", "0.5"), "disagree", nil},
		{"rotary_emb_base and rope_theta disagree", withField("rope_theta", "500"), "disagree", nil},
		{"sequential residual", withField("use_parallel_residual", "false"), "", func(c Config) bool { return !c.UseParallelResidual }},
		{"gelu_new", withField("hidden_act", `"gelu_new"`), "", func(c Config) bool { return c.HiddenAct == "gelu_new" }},
		{"defaults when absent", withField("layer_norm_eps", ""), "", func(c Config) bool { return c.LayerNormEps == 1e-5 }},
		{"rope scaling", withField("rope_scaling", `{"type": "linear", "factor": 2.0}`), "rope_scaling", nil},
		{"hidden not divisible by heads", withField("num_attention_heads", "7"), "not divisible", nil},
		{"unknown activation", withField("hidden_act", `"relu"`), "hidden_act", nil},
		{"wrong model type", withField("model_type", `"llama"`), "model_type", nil},
		{"missing hidden_size", withField("hidden_size", ""), "missing hidden_size", nil},
		{"zero layers", withField("num_hidden_layers", "0"), "num_hidden_layers", nil},
		{"odd rotary dims", withField("rotary_pct", "0.3"), "even", nil},
		{"not JSON", "{", "JSON", nil},
		{"a key twice", strings.Replace(pythia70mConfig, "{", `{"rotary_pct": 1.0,`, 1), `key "rotary_pct" appears twice`, nil},
		{"no rotary dimensions", withField("rotary_pct", "0"), "", func(c Config) bool { return c.RotaryDims() == 0 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig([]byte(tc.json))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && err == nil:
				t.Fatalf("no error, want one mentioning %q", tc.wantErr)
			case tc.wantErr != "" && !strings.Contains(err.Error(), tc.wantErr):
				t.Fatalf("error %q does not mention %q", err, tc.wantErr)
			}
			if tc.check != nil && !tc.check(cfg) {
				t.Errorf("unexpected config %+v", cfg)
			}
		})
	}
}
