package tokenize

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"

	sugar "github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/model/bpe"
	"github.com/sugarme/tokenizer/pretokenizer"
	"github.com/sugarme/tokenizer/pretrained"
	"golang.org/x/text/unicode/norm"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// Load reads a Hugging Face tokenizer.json describing a byte-level BPE
// tokenizer, such as Pythia's. It returns an error naming the file and the
// offending field for anything else (another model type, another
// pre-tokenizer or normalizer, BPE options this package does not implement)
// and for files that are not complete JSON.
func Load(path string) (*Tokenizer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenize: loading %s: %w", path, err)
	}
	tok, err := parse(data)
	if err != nil {
		return nil, fmt.Errorf("tokenize: loading %s: %w", path, err)
	}
	return tok, nil
}

// parse builds a Tokenizer from the bytes of a tokenizer.json.
func parse(data []byte) (*Tokenizer, error) {
	var cfg sugar.Config
	if err := json.Unmarshal(data, &cfg); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax) && syntax.Offset >= int64(len(data)):
			return nil, fmt.Errorf("JSON ends early, after %d bytes (truncated file?): %w", len(data), err)
		case errors.As(err, &syntax):
			return nil, fmt.Errorf("not valid JSON (at byte %d of %d): %w", syntax.Offset, len(data), err)
		}
		return nil, fmt.Errorf("not a tokenizer.json: %w", err)
	}
	if cfg.Model == nil {
		return nil, errors.New(`no "model" section: not a tokenizer.json`)
	}
	if err := checkBPEOptions(cfg.Model); err != nil {
		return nil, err
	}
	// Hugging Face would truncate or pad every encoding to these settings;
	// Pythia's file has neither; the paper's truncation is protocol.Truncate.
	if cfg.Truncation != nil {
		return nil, fmt.Errorf("truncation is %v: only null is supported (truncate the ids instead)", cfg.Truncation)
	}
	if cfg.Padding != nil {
		return nil, fmt.Errorf("padding is %v: only null is supported", cfg.Padding)
	}
	normalize, err := checkNormalizer(cfg.Normalizer)
	if err != nil {
		return nil, err
	}
	if err := checkByteLevel("pre_tokenizer", cfg.PreTokenizer); err != nil {
		return nil, err
	}
	if err := checkByteLevel("decoder", cfg.Decoder); err != nil {
		return nil, err
	}
	model, vocab, err := buildModel(&cfg)
	if err != nil {
		return nil, err
	}
	tok := &Tokenizer{model: model, normalize: normalize, cache: newWordCache(wordCacheEntries)}
	if err := tok.addTokens(cfg.AddedTokens, vocab, normalize); err != nil {
		return nil, err
	}
	tok.buildDecodeTable(vocab)
	return tok, nil
}

// checkNormalizer accepts no normalizer or NFC, the only ones byte-level BPE
// tokenizers like GPT-2's and GPT-NeoX's use, and returns the function.
func checkNormalizer(cfg map[string]any) (func(string) string, error) {
	if cfg == nil {
		return func(s string) string { return s }, nil
	}
	if typ, _ := cfg["type"].(string); typ == "NFC" {
		return norm.NFC.String, nil
	}
	return nil, fmt.Errorf("normalizer %v: only NFC or none is supported", cfg["type"])
}

// checkByteLevel requires section (the pre-tokenizer or the decoder) to be
// ByteLevel without an added prefix space, using the GPT-2 split pattern.
func checkByteLevel(section string, cfg map[string]any) error {
	if cfg == nil {
		return fmt.Errorf("no %q section: a byte-level BPE tokenizer needs a ByteLevel %s", section, section)
	}
	if typ, _ := cfg["type"].(string); typ != "ByteLevel" {
		return fmt.Errorf("%s type %v: only ByteLevel is supported", section, cfg["type"])
	}
	if section != "pre_tokenizer" {
		return nil
	}
	if prefix, ok := cfg["add_prefix_space"].(bool); !ok || prefix {
		return fmt.Errorf("pre_tokenizer.add_prefix_space is %v: only false is supported", cfg["add_prefix_space"])
	}
	if regex, ok := cfg["use_regex"]; ok && regex != true {
		return fmt.Errorf("pre_tokenizer.use_regex is %v: only true (the GPT-2 pattern) is supported", regex)
	}
	return nil
}

// checkBPEOptions rejects model types other than BPE and BPE options that
// would change the ids but that this package does not implement. It also
// checks the types sugarme's model builder asserts, so that a malformed file
// gives an error instead of a panic.
func checkBPEOptions(cfg map[string]any) error {
	if typ, _ := cfg["type"].(string); typ != "BPE" {
		return fmt.Errorf("model type %v: only byte-level BPE is supported", cfg["type"])
	}
	for _, field := range []string{"dropout", "continuing_subword_prefix", "end_of_word_suffix"} {
		if v, ok := cfg[field]; ok && v != nil {
			return fmt.Errorf("model.%s is %v: only null is supported", field, v)
		}
	}
	if v, ok := cfg["ignore_merges"]; ok && v != false {
		return fmt.Errorf("model.ignore_merges is %v: only false is supported", v)
	}
	if v, ok := cfg["unk_token"]; ok && v != nil {
		if _, isString := v.(string); !isString {
			return fmt.Errorf("model.unk_token is %v: want a string or null", v)
		}
	}
	vocab, ok := cfg["vocab"].(map[string]any)
	if !ok {
		return errors.New("model.vocab: want an object of token -> id")
	}
	tokens := make([]string, 0, len(vocab))
	for token := range vocab {
		tokens = append(tokens, token)
	}
	sort.Strings(tokens) // name the same pair every time
	owner := make(map[int]string, len(vocab))
	for _, token := range tokens {
		id := vocab[token]
		f, isNumber := id.(float64)
		if !isNumber || f < 0 || f > maxID || f != float64(int(f)) {
			return fmt.Errorf("model.vocab[%q] is %v: want an integer id in [0, %d]", token, id, maxID)
		}
		// Two tokens on one id would decode ambiguously, and Hugging Face
		// keeps only one of them: the ids would differ.
		if other, taken := owner[int(f)]; taken {
			return fmt.Errorf("model.vocab: %q and %q both have id %d", other, token, int(f))
		}
		owner[int(f)] = token
	}
	merges, ok := cfg["merges"].([]any)
	if !ok {
		return errors.New("model.merges: want an array")
	}
	for i, m := range merges {
		switch m := m.(type) {
		case string:
		case []any:
			if len(m) != 2 {
				return fmt.Errorf("model.merges[%d] is %v: want a pair of tokens", i, m)
			}
			for _, part := range m {
				if _, isString := part.(string); !isString {
					return fmt.Errorf("model.merges[%d] is %v: want a pair of tokens", i, m)
				}
			}
		default:
			return fmt.Errorf("model.merges[%d] is %v: want \"a b\" or [\"a\", \"b\"]", i, m)
		}
	}
	return nil
}

// buildModel lets sugarme parse the vocabulary and the merges, then copies
// them into the compact tables the encoder uses. It also returns the
// vocabulary, token -> id.
func buildModel(cfg *sugar.Config) (m *bpeModel, vocab map[string]int, err error) {
	defer panics.Recover(&err, "model: building the BPE model")
	built, err := pretrained.CreateModel(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("model: %w", err)
	}
	sugarBPE, ok := built.(*bpe.BPE)
	if !ok {
		return nil, nil, fmt.Errorf("model: sugarme built a %T, want a BPE model", built)
	}
	vocab = *sugarBPE.Vocab
	merges := *sugarBPE.Merges
	// sugarme skips merges whose parts are not in the vocabulary, where Hugging
	// Face refuses the file; a skipped merge would silently change the ids.
	if n := len(cfg.Model["merges"].([]any)); len(merges) != n {
		return nil, nil, fmt.Errorf("model.merges: %d entries but only %d usable: some refer to tokens missing from model.vocab or repeat", n, len(merges))
	}
	m = &bpeModel{merges: make(map[uint64]merge, len(merges))}
	for pair, val := range merges {
		m.merges[pairKey(int32(pair.C1), int32(pair.C2))] = merge{rank: int32(val.Rank), id: int32(val.NewId)}
	}
	for b := 0; b < 256; b++ {
		char := pretokenizer.BytesChar[uint8(b)]
		id, ok := vocab[char]
		if !ok && (b == 0xc0 || b == 0xc1 || b >= 0xf5) {
			// These bytes never occur in UTF-8, so Pythia's vocabulary, for
			// one, has no symbol for them; Encode's input is valid UTF-8.
			continue
		}
		if !ok {
			return nil, nil, fmt.Errorf("model.vocab: no token for byte 0x%02x (byte-level symbol %q): not a byte-level BPE vocabulary", b, char)
		}
		m.byteID[b] = int32(id)
	}
	return m, vocab, nil
}

// addTokens registers the added tokens: it gives them ids, splits them into
// those matched on the raw text and those matched on the normalized text,
// and records every token's content for decoding.
//
// The ids follow Hugging Face's AddedVocabulary, which ignores the "id"
// field of tokenizer.json: a token already in the model's vocabulary keeps
// its id there; a new one gets the model's vocabulary size, or one more than
// the largest added id once that reaches past the vocabulary. For a
// consistent file (Pythia's) these are the ids written in it.
func (t *Tokenizer) addTokens(cfgs []sugar.TokenConfig, vocab map[string]int, normalize func(string) string) error {
	var raw, normalized []addedToken
	flags := make(map[string]sugar.TokenConfig, len(cfgs))
	t.added = make(map[int]string, len(cfgs))
	maxAdded := -1
	for i, c := range cfgs {
		if c.Content == "" {
			continue // Hugging Face skips empty added tokens
		}
		if prev, dup := flags[c.Content]; dup {
			c.Id, prev.Id = 0, 0
			if prev != c {
				return fmt.Errorf("added_tokens[%d] %q: listed twice with different flags", i, c.Content)
			}
			continue
		}
		flags[c.Content] = c
		id, inVocab := vocab[c.Content]
		switch {
		case inVocab:
		case maxAdded >= len(vocab):
			id = maxAdded + 1
		default:
			id = len(vocab)
		}
		if id > maxID {
			return fmt.Errorf("added_tokens[%d] %q: id %d out of range", i, c.Content, id)
		}
		maxAdded = max(maxAdded, id)
		t.added[id] = c.Content
		tok := addedToken{id: id, singleWord: c.SingleWord, lstrip: c.Lstrip, rstrip: c.Rstrip}
		if c.Normalized {
			tok.content = normalize(c.Content)
			normalized = append(normalized, tok)
		} else {
			tok.content = c.Content
			raw = append(raw, tok)
		}
	}
	t.raw = newAddedMatcher(raw)
	t.normalized = newAddedMatcher(normalized)
	return nil
}

// buildDecodeTable precomputes the bytes each id decodes to.
func (t *Tokenizer) buildDecodeTable(vocab map[string]int) {
	size := 0
	for _, id := range vocab {
		size = max(size, id+1)
	}
	for id := range t.added {
		size = max(size, id+1)
	}
	t.decoded = make([][]byte, size)
	for token, id := range vocab {
		t.decoded[id] = byteLevelDecode(token)
	}
	// Added tokens win over model tokens of the same id, as in Hugging Face.
	for id, content := range t.added {
		t.decoded[id] = byteLevelDecode(content)
	}
}

// byteLevelDecode maps a token's byte-level symbols back to bytes. A token
// with any character outside the 256-symbol alphabet (an added token made of
// real spaces, say) is taken as its own UTF-8 bytes, as Hugging Face's
// ByteLevel decoder does.
func byteLevelDecode(token string) []byte {
	out := make([]byte, 0, len(token))
	for _, r := range token {
		b, ok := pretokenizer.CharBytes[string(r)]
		if !ok {
			return []byte(token)
		}
		out = append(out, b)
	}
	return out
}
