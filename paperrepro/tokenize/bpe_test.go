package tokenize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestLongAndShortWordMergesAgree checks the two merge loops against each
// other on words made to have many merges and many ties: runs of one
// character, repeated pieces of English, digits and punctuation.
func TestLongAndShortWordMergesAgree(t *testing.T) {
	tok := loadPythia(t)
	pieces := []string{"a", "aa", "th", "e", "ing", "=", "-", "0", "1", "9", ">", ".", "\u00e9", "\u4e2d", "\U0001F999"}
	rng := rand.New(rand.NewPCG(7, 7))
	words := []string{strings.Repeat("a", 300), strings.Repeat(">", 1000), strings.Repeat("=-", 200), strings.Repeat("1234567890", 50)}
	for range 300 {
		var b strings.Builder
		for b.Len() < 20+rng.IntN(400) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		words = append(words, b.String())
	}
	for _, w := range words {
		short, long := tok.model.encodeShortWord(w, nil), tok.model.encodeLongWord(w, nil)
		if !slices.Equal(short, long) {
			t.Fatalf("word %q: scanning merges gives %v, the merge queue %v", w, short, long)
		}
	}
}

// BenchmarkEncodeLongWord encodes a 64 KiB run of one character, the worst
// case of the pair-scanning merge loop.
func BenchmarkEncodeLongWord(b *testing.B) {
	tok := loadPythia(b)
	word := strings.Repeat(">", 1<<16)
	b.SetBytes(int64(len(word)))
	for b.Loop() {
		tok.model.encodeWord(word, nil)
	}
}
