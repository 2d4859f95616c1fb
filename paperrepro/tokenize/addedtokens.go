package tokenize

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// addedToken is an entry of tokenizer.json's added_tokens: text that becomes
// one id before (and instead of) BPE.
type addedToken struct {
	content string
	id      int
	// singleWord: match only where no word character touches either end.
	singleWord bool
	// lstrip, rstrip: the token also swallows the whitespace on its left or
	// right.
	lstrip, rstrip bool
}

// addedMatcher finds added tokens in a text the way Hugging Face's
// AddedVocabulary does: non-overlapping leftmost-longest matches (its
// Aho-Corasick automaton), then each token's flags applied to each match.
type addedMatcher struct {
	// byFirstByte[b] lists the tokens starting with byte b, longest first, so
	// the first one that matches at a position is the longest.
	byFirstByte [256][]addedToken
}

func newAddedMatcher(tokens []addedToken) *addedMatcher {
	m := &addedMatcher{}
	for _, tok := range tokens {
		b := tok.content[0]
		m.byFirstByte[b] = append(m.byFirstByte[b], tok)
	}
	for b := range m.byFirstByte {
		list := m.byFirstByte[b]
		sort.SliceStable(list, func(i, j int) bool { return len(list[i].content) > len(list[j].content) })
	}
	return m
}

// longestAt returns the longest token that s[i:] starts with.
func (m *addedMatcher) longestAt(s string, i int) (addedToken, bool) {
	for _, tok := range m.byFirstByte[s[i]] {
		if strings.HasPrefix(s[i:], tok.content) {
			return tok, true
		}
	}
	return addedToken{}, false
}

// split cuts s into pieces and calls emit for each in order: id is the added
// token's id, or -1 for text that is left for the next step.
//
// The flags follow Hugging Face's find_matches: a single_word match touching
// a word character is dropped (and the automaton, having moved past it, does
// not look for a shorter token inside it); lstrip extends a match left over
// whitespace not already taken by the previous match; rstrip extends it right
// over whitespace.
func (m *addedMatcher) split(s string, emit func(piece string, id int)) {
	start := 0 // end of the previous emitted piece
	for i := 0; i < len(s); {
		tok, ok := m.longestAt(s, i)
		if !ok {
			i++
			continue
		}
		matchStart, matchEnd := i, i+len(tok.content)
		i = matchEnd
		if tok.singleWord && (endsWithWordChar(s[:matchStart]) || startsWithWordChar(s[matchEnd:])) {
			continue
		}
		if tok.lstrip {
			matchStart = max(len(strings.TrimRightFunc(s[:matchStart], unicode.IsSpace)), start)
		}
		if tok.rstrip {
			matchEnd = len(s) - len(strings.TrimLeftFunc(s[matchEnd:], unicode.IsSpace))
		}
		if start < matchStart {
			emit(s[start:matchStart], -1)
		}
		emit(s[matchStart:matchEnd], tok.id)
		start = matchEnd
	}
	if start < len(s) {
		emit(s[start:], -1)
	}
}

// isWordChar is Unicode \w as Rust's regex crate defines it: alphabetic,
// marks, decimal digits, connector punctuation and the join controls.
func isWordChar(r rune) bool {
	return unicode.IsLetter(r) || unicode.Is(unicode.Other_Alphabetic, r) || unicode.Is(unicode.Nl, r) ||
		unicode.IsMark(r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r) ||
		unicode.Is(unicode.Join_Control, r)
}

func endsWithWordChar(s string) bool {
	r, size := utf8.DecodeLastRuneInString(s)
	return size > 0 && isWordChar(r)
}

func startsWithWordChar(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	return size > 0 && isWordChar(r)
}
