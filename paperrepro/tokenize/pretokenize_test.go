package tokenize

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/dlclark/regexp2"
)

// gpt2Pattern is the GPT-2 split pattern as a regular expression, the
// reference the hand-written scanner is checked against. regexp2's default
// (.NET) \s is [\f\n\r\t\v\x85\p{Z}], the same set as Unicode White_Space.
const gpt2Pattern = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`

var gpt2Regexp = regexp2.MustCompile(gpt2Pattern, regexp2.None)

func scannerWords(s string) []string {
	var words []string
	splitWords(s, func(w string) { words = append(words, w) })
	return words
}

func regexpWords(t testing.TB, s string) []string {
	var words []string
	m, err := gpt2Regexp.FindStringMatch(s)
	for ; m != nil; m, err = gpt2Regexp.FindNextMatch(m) {
		words = append(words, m.String())
	}
	if err != nil {
		t.Fatal(err)
	}
	return words
}

func TestSplitWords(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"Hello world", []string{"Hello", " world"}},
		{"Hello  world", []string{"Hello", " ", " world"}},
		{"x   ", []string{"x", "   "}},
		{"a\n\nb", []string{"a", "\n", "\n", "b"}},
		{"a\n\n", []string{"a", "\n\n"}},
		{" \t x", []string{" \t", " x"}},
		{"\tx", []string{"\t", "x"}},
		{"I'm don't we'll they're I've she'd it's", []string{"I", "'m", " don", "'t", " we", "'ll", " they", "'re", " I", "'ve", " she", "'d", " it", "'s"}},
		{"'S 'LL", []string{"'", "S", " '", "LL"}},
		{"''s", []string{"''", "s"}},
		{" 'll", []string{" '", "ll"}},
		{"123abc 42", []string{"123", "abc", " 42"}},
		{"??! (x)", []string{"??!", " (", "x", ")"}},
		{"日本語 テキスト", []string{"日本語", " テキスト"}},
		{"a\u3000b", []string{"a", "\u3000", "b"}},
		{"\u3000\u3000b", []string{"\u3000", "\u3000", "b"}},
		{"x\u00a0\u00a0 y", []string{"x", "\u00a0\u00a0", " y"}},
		{"½ ² \u0663", []string{"½", " ²", " \u0663"}},
		{"a\x1cb", []string{"a", "\x1c", "b"}}, // U+001C is not White_Space
		{"e\u0301", []string{"e", "\u0301"}},   // a combining mark is not \p{L}
	}
	for _, tt := range tests {
		if got := scannerWords(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("splitWords(%q) = %q, want %q", tt.text, got, tt.want)
		}
		if got := regexpWords(t, tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("the regular expression splits %q into %q, the table says %q", tt.text, got, tt.want)
		}
	}
}

// TestSplitWordsMatchesRegexp compares the scanner with the regular
// expression on random strings over characters from every class, including
// the ones the pattern treats specially.
func TestSplitWordsMatchesRegexp(t *testing.T) {
	alphabet := []rune("aZ é日0٣½ \t\n\r\v\f\u0085\u00a0\u2000\u3000\u001c'srtvemld!?-_\u0301\u200d🦙")
	rng := rand.New(rand.NewPCG(4, 4))
	for range 3000 {
		var b strings.Builder
		for range rng.IntN(24) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		if got, want := scannerWords(s), regexpWords(t, s); !slices.Equal(got, want) {
			t.Fatalf("splitWords(%q) = %q, the regular expression gives %q", s, got, want)
		}
	}
}

// BenchmarkSplitWords and BenchmarkSplitWordsRegexp2 compare the scanner with
// the regular expression on enwik8 text.
func BenchmarkSplitWords(b *testing.B) {
	text := enwik8Text(b)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		n := 0
		splitWords(text, func(string) { n++ })
	}
}

func BenchmarkSplitWordsRegexp2(b *testing.B) {
	text := enwik8Text(b)[:1<<20]
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		regexpWords(b, text)
	}
}
