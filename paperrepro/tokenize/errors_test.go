package tokenize

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// TestLoadRejects checks that files this package cannot tokenize exactly
// like Hugging Face give an error naming the file and the problem.
func TestLoadRejects(t *testing.T) {
	bad := func(name string) string { return testenv.Testdata(t, "tokenizer", "bad", name) }
	tests := []struct {
		name, path, want string
	}{
		{"missing file", bad("does-not-exist.json"), "no such file"},
		{"WordPiece model", bad("wordpiece.json"), "model type WordPiece: only byte-level BPE is supported"},
		{"Unigram model", bad("unigram.json"), "model type Unigram: only byte-level BPE is supported"},
		{"truncated file", bad("truncated.json"), "truncated file?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want an error containing %q", tt.path, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) {
				t.Errorf("Load(%s) error %q, want it to name the file and contain %q", tt.path, err, tt.want)
			}
		})
	}
}

// TestLoadRejectsEdits loads the small flags tokenizer with one field changed
// at a time; each change must be refused with a message naming the field.
func TestLoadRejectsEdits(t *testing.T) {
	original, err := os.ReadFile(testenv.Testdata(t, "tokenizer", "flags", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(cfg map[string]any)
		want string
	}{
		{"no model", func(c map[string]any) { delete(c, "model") }, `no "model" section`},
		{"truncation", func(c map[string]any) { c["truncation"] = map[string]any{"max_length": 8.0} }, "truncation is map[max_length:8]"},
		{"padding", func(c map[string]any) { c["padding"] = map[string]any{"strategy": "BatchLongest"} }, "padding is map[strategy:BatchLongest]"},
		{"normalizer", func(c map[string]any) { c["normalizer"] = map[string]any{"type": "Lowercase"} }, "normalizer Lowercase: only NFC or none"},
		{"pre-tokenizer type", func(c map[string]any) { c["pre_tokenizer"] = map[string]any{"type": "Whitespace"} }, "pre_tokenizer type Whitespace"},
		{"no pre-tokenizer", func(c map[string]any) { c["pre_tokenizer"] = nil }, `no "pre_tokenizer" section`},
		{"prefix space", func(c map[string]any) { section(c, "pre_tokenizer")["add_prefix_space"] = true }, "pre_tokenizer.add_prefix_space is true"},
		{"no regex", func(c map[string]any) { section(c, "pre_tokenizer")["use_regex"] = false }, "pre_tokenizer.use_regex is false"},
		{"decoder", func(c map[string]any) { c["decoder"] = map[string]any{"type": "WordPiece"} }, "decoder type WordPiece"},
		{"dropout", func(c map[string]any) { section(c, "model")["dropout"] = 0.1 }, "model.dropout is 0.1"},
		{"subword prefix", func(c map[string]any) { section(c, "model")["continuing_subword_prefix"] = "##" }, "model.continuing_subword_prefix"},
		{"ignore merges", func(c map[string]any) { section(c, "model")["ignore_merges"] = true }, "model.ignore_merges is true"},
		{"vocab type", func(c map[string]any) { section(c, "model")["vocab"] = []any{"a"} }, "model.vocab: want an object"},
		{"negative id", func(c map[string]any) { vocab(c)["a"] = -3.0 }, `model.vocab["a"] is -3`},
		{"two tokens on one id", func(c map[string]any) { vocab(c)["zz"] = vocab(c)["a"] }, `model.vocab: "a" and "zz" both have id`},
		{"merges type", func(c map[string]any) { section(c, "model")["merges"] = "h e" }, "model.merges: want an array"},
		{"merge shape", func(c map[string]any) { section(c, "model")["merges"] = []any{[]any{"h", "e", "x"}} }, "model.merges[0]"},
		{"merge of unknown token", func(c map[string]any) {
			section(c, "model")["merges"] = []any{"h e", "Q@ e"}
		}, "model.merges: 2 entries but only 1 usable"},
		{"byte missing", func(c map[string]any) { delete(vocab(c), "A") }, "no token for byte 0x41"},
		{"added token twice", func(c map[string]any) {
			added := c["added_tokens"].([]any)
			again := map[string]any{}
			for k, v := range added[0].(map[string]any) {
				again[k] = v
			}
			again["lstrip"] = false
			c["added_tokens"] = append(added, again)
		}, "listed twice with different flags"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cfg map[string]any
			if err := json.Unmarshal(original, &cfg); err != nil {
				t.Fatal(err)
			}
			tt.edit(cfg)
			data, err := json.Marshal(cfg)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "tokenizer.json")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			_, err = Load(path)
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

func section(cfg map[string]any, name string) map[string]any { return cfg[name].(map[string]any) }

func vocab(cfg map[string]any) map[string]any { return section(cfg, "model")["vocab"].(map[string]any) }

// TestLoadNotJSON checks the messages for a file that is not JSON at all and
// one that is empty.
func TestLoadNotJSON(t *testing.T) {
	dir := t.TempDir()
	tests := []struct{ content, want string }{
		{"<html>not found</html>", "not valid JSON (at byte 1 of 22)"},
		{"", "truncated file?"},
		{"null", `no "model" section`},
		{`{"model": 3}`, "not a tokenizer.json"},
	}
	for i, tt := range tests {
		path := filepath.Join(dir, string(rune('a'+i))+".json")
		if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Load(%q content) error %v, want one containing %q", tt.content, err, tt.want)
		}
	}
}

// TestEncodeInvalidUTF8 checks that text that is not UTF-8 is refused with
// the offset of the first bad byte, rather than tokenized as something else.
func TestEncodeInvalidUTF8(t *testing.T) {
	tok := loadPythia(t)
	tests := []struct {
		text string
		want string
	}{
		{"abc\xffdef", "offset 3"},
		{"\xc3", "offset 0"},               // a character cut short
		{"ok \xed\xa0\x80", "offset 3"},    // a UTF-16 surrogate
		{"é\xc0\xaf", "offset 2"},          // an overlong encoding
		{"<|endoftext|>\x80", "offset 13"}, // after a special token
		{"  \xf5\x80\x80\x80", "offset 2"}, // beyond U+10FFFF
	}
	for _, tt := range tests {
		ids, err := tok.Encode(tt.text)
		if err == nil {
			t.Errorf("Encode(%q) = %v, want an error", tt.text, ids)
			continue
		}
		if !strings.Contains(err.Error(), "not valid UTF-8") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Encode(%q) error %q, want it to say not valid UTF-8 at %s", tt.text, err, tt.want)
		}
	}
}

// TestDecodeErrors checks ids outside the vocabulary and ids that cut a
// character.
func TestDecodeErrors(t *testing.T) {
	tok := loadPythia(t)
	if got := tok.VocabSize(); got != 50277 {
		t.Errorf("VocabSize() = %d, want 50,277 (50,254 BPE tokens and 23 added runs of spaces)", got)
	}
	for _, ids := range [][]int{{-1}, {12092, 50277}, {50303}} {
		if s, err := tok.Decode(ids); err == nil || !strings.Contains(err.Error(), "not in the vocabulary") {
			t.Errorf("Decode(%v) = %q, %v; want a not-in-the-vocabulary error", ids, s, err)
		}
	}
	// The four bytes of the llama emoji (f0 9f a6 99) span several tokens.
	ids, err := tok.Encode("🦙")
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) < 2 {
		t.Fatalf("Encode(🦙) = %v, want the character split over several tokens for this test", ids)
	}
	if s, err := tok.Decode(ids[:1]); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("Decode(%v) = %q, %v; want a not-valid-UTF-8 error", ids[:1], s, err)
	}
	var joined []byte
	for _, id := range ids {
		b, err := tok.DecodeBytes([]int{id})
		if err != nil {
			t.Fatal(err)
		}
		joined = append(joined, b...)
	}
	if string(joined) != "🦙" {
		t.Errorf("DecodeBytes of each token of 🦙 joined = %x, want f09fa699", joined)
	}
}
