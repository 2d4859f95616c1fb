package tokenize

import (
	"unicode"
	"unicode/utf8"
)

// Character classes of the GPT-2 split pattern. Every character is in exactly
// one, so the pattern's matches tile the text.
const (
	classOther  = iota // [^\s\p{L}\p{N}]
	classLetter        // \p{L}
	classNumber        // \p{N}
	classSpace         // \s: Unicode White_Space, as in Oniguruma
)

// asciiClass holds the class of each ASCII character, the common case.
var asciiClass = func() (table [utf8.RuneSelf]uint8) {
	for r := range rune(utf8.RuneSelf) {
		table[r] = uint8(unicodeClass(r))
	}
	return table
}()

func unicodeClass(r rune) int {
	switch {
	case unicode.Is(unicode.White_Space, r):
		return classSpace
	case unicode.IsLetter(r):
		return classLetter
	case unicode.IsNumber(r):
		return classNumber
	}
	return classOther
}

// classAt returns the class of the character starting at s[i] and its length
// in bytes.
func classAt(s string, i int) (class, size int) {
	if c := s[i]; c < utf8.RuneSelf {
		return int(asciiClass[c]), 1
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicodeClass(r), size
}

// splitWords calls emit for each match of the GPT-2 pre-tokenizer pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// in s, in order. The matches cover s.
func splitWords(s string, emit func(word string)) {
	for len(s) > 0 {
		n := wordLen(s)
		emit(s[:n])
		s = s[n:]
	}
}

// wordLen returns the length in bytes of the pattern's first match in s,
// which is not empty. It tries the alternatives in the pattern's order.
func wordLen(s string) int {
	// 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, ASCII apostrophe only).
	if s[0] == '\'' && len(s) > 1 {
		switch s[1] {
		case 's', 't', 'm', 'd':
			return 2
		case 'r', 'v':
			if len(s) > 2 && s[2] == 'e' {
				return 3
			}
		case 'l':
			if len(s) > 2 && s[2] == 'l' {
				return 3
			}
		}
	}
	// ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional space, then a
	// run of one class. The class of the first character after the optional
	// space picks the alternative, and the run is greedy with nothing after it,
	// so no backtracking is needed.
	start := 0
	if s[0] == ' ' && len(s) > 1 {
		if class, _ := classAt(s, 1); class != classSpace {
			start = 1
		}
	}
	class, size := classAt(s, start)
	if class != classSpace {
		end := start + size
		for end < len(s) {
			next, size := classAt(s, end)
			if next != class {
				break
			}
			end += size
		}
		return end
	}
	// `\s+(?!\S)`: the whole whitespace run if it ends the text; otherwise the
	// run gives back its last character so that what follows is not \S, which
	// needs a run of at least two. `\s+` takes a single whitespace character.
	end, last := size, 0
	for end < len(s) {
		next, size := classAt(s, end)
		if next != classSpace {
			break
		}
		last = end
		end += size
	}
	if end == len(s) || last == 0 {
		return end
	}
	return last
}
