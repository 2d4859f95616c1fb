package tokenize

import (
	"fmt"
	"unicode/utf8"
)

// maxID bounds the ids accepted in tokenizer.json, so that a corrupt file
// cannot make the decode table huge.
const maxID = 1 << 24

// Tokenizer encodes text to token ids and decodes ids to text. It is safe for
// concurrent use.
type Tokenizer struct {
	model *bpeModel
	// normalize is the tokenizer.json normalizer (NFC for Pythia).
	normalize func(string) string
	// raw holds the added tokens matched on the raw text, normalized those
	// matched on the normalized text.
	raw, normalized *addedMatcher
	// added maps the added tokens' ids to their contents.
	added map[int]string
	// decoded[id] is the bytes id decodes to; nil for ids not in use.
	decoded [][]byte
	cache   *wordCache
}

// VocabSize returns one more than the largest id Encode can produce (50,277
// for Pythia; the model's embedding is padded further, to 50,304).
func (t *Tokenizer) VocabSize() int { return len(t.decoded) }

// Encode returns the token ids of text, without special tokens added (no
// beginning- or end-of-text marker). Text that is not valid UTF-8 is an error.
func (t *Tokenizer) Encode(text string) ([]int, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("tokenize: text is not valid UTF-8 (first bad byte at offset %d)", firstInvalid(text))
	}
	ids := make([]int, 0, len(text)/3+1)
	t.raw.split(text, func(piece string, id int) {
		if id >= 0 {
			ids = append(ids, id)
			return
		}
		t.normalized.split(t.normalize(piece), func(piece string, id int) {
			if id >= 0 {
				ids = append(ids, id)
				return
			}
			splitWords(piece, func(word string) {
				ids = t.encodeWord(word, ids)
			})
		})
	})
	return ids, nil
}

// encodeWord appends the BPE ids of one word to ids, through the cache.
func (t *Tokenizer) encodeWord(word string, ids []int) []int {
	if len(word) > maxCachedWordLen {
		return t.model.encodeWord(word, ids)
	}
	if cached, ok := t.cache.get(word); ok {
		return append(ids, cached...)
	}
	n := len(ids)
	ids = t.model.encodeWord(word, ids)
	t.cache.put(word, append([]int(nil), ids[n:]...))
	return ids
}

// firstInvalid returns the offset of the first byte of s that does not start
// a valid UTF-8 sequence.
func firstInvalid(s string) int {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return i
			}
		}
	}
	return len(s)
}

// DecodeBytes returns the bytes the ids stand for, concatenated. Any sequence
// of valid ids decodes, even one that splits a multi-byte character.
func (t *Tokenizer) DecodeBytes(ids []int) ([]byte, error) {
	n := 0
	for i, id := range ids {
		if id < 0 || id >= len(t.decoded) || t.decoded[id] == nil {
			return nil, fmt.Errorf("tokenize: decoding: ids[%d] = %d is not in the vocabulary (ids 0..%d)", i, id, len(t.decoded)-1)
		}
		n += len(t.decoded[id])
	}
	out := make([]byte, 0, n)
	for _, id := range ids {
		out = append(out, t.decoded[id]...)
	}
	return out, nil
}

// Decode returns the text the ids stand for. Special tokens are kept, so
// Decode inverts Encode: Decode(Encode(s)) == s for every s in NFC, and is
// canonically equivalent to s otherwise (see the package doc). Ids whose bytes are not valid UTF-8
// (a multi-byte character cut between tokens) are an error; DecodeBytes
// returns such bytes as they are.
func (t *Tokenizer) Decode(ids []int) (string, error) {
	b, err := t.DecodeBytes(ids)
	if err != nil {
		return "", err
	}
	if !utf8.Valid(b) {
		return "", fmt.Errorf("tokenize: decoding %d ids: the bytes are not valid UTF-8 (first bad byte at offset %d); use DecodeBytes for partial characters", len(ids), firstInvalid(string(b)))
	}
	return string(b), nil
}
