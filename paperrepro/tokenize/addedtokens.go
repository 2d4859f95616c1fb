package tokenize

import (
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
// The tokens sit in a byte trie, so finding the longest token at a position
// costs one step per matched byte; most positions fail at the first byte.
type addedMatcher struct {
	tokens []addedToken
	// onlyFirstByte is the first byte of every token when they all share
	// one (Pythia: '<' for the special tokens, ' ' for the runs of spaces),
	// so split can jump between candidates with strings.IndexByte; -1
	// otherwise.
	onlyFirstByte int
	// nodes[0] is the root; rootChild[b] is the root's child for byte b (0:
	// none), the hot path.
	nodes     []trieNode
	rootChild [256]int32
}

type trieNode struct {
	// token is the index in tokens of the token ending here, or -1.
	token int32
	// children are few (one, mostly), so a slice beats a map.
	children []trieEdge
}

type trieEdge struct {
	b     byte
	child int32
}

func newAddedMatcher(tokens []addedToken) *addedMatcher {
	m := &addedMatcher{tokens: tokens, nodes: []trieNode{{token: -1}}, onlyFirstByte: -1}
	for i, tok := range tokens {
		switch {
		case i == 0:
			m.onlyFirstByte = int(tok.content[0])
		case m.onlyFirstByte != int(tok.content[0]):
			m.onlyFirstByte = -1
		}
		node := int32(0)
		for j := 0; j < len(tok.content); j++ {
			node = m.child(node, tok.content[j], true)
		}
		m.nodes[node].token = int32(i)
	}
	return m
}

// child returns the child of node for byte b, adding it when create is set;
// 0 means none.
func (m *addedMatcher) child(node int32, b byte, create bool) int32 {
	if node == 0 && m.rootChild[b] != 0 {
		return m.rootChild[b]
	}
	for _, e := range m.nodes[node].children {
		if e.b == b {
			return e.child
		}
	}
	if !create {
		return 0
	}
	child := int32(len(m.nodes))
	m.nodes = append(m.nodes, trieNode{token: -1})
	m.nodes[node].children = append(m.nodes[node].children, trieEdge{b: b, child: child})
	if node == 0 {
		m.rootChild[b] = child
	}
	return child
}

// nextCandidate returns the first position from i on where a token may
// start, or len(s).
func (m *addedMatcher) nextCandidate(s string, i int) int {
	switch {
	case len(m.tokens) == 0:
		return len(s)
	case m.onlyFirstByte >= 0:
		if j := strings.IndexByte(s[i:], byte(m.onlyFirstByte)); j >= 0 {
			return i + j
		}
		return len(s)
	}
	for i < len(s) && m.rootChild[s[i]] == 0 {
		i++
	}
	return i
}

// longestAt returns the longest token that s[i:] starts with.
func (m *addedMatcher) longestAt(s string, i int) (addedToken, bool) {
	node := m.rootChild[s[i]]
	best := int32(-1)
	for j := i + 1; node != 0; j++ {
		if t := m.nodes[node].token; t >= 0 {
			best = t
		}
		if j == len(s) {
			break
		}
		node = m.child(node, s[j], false)
	}
	if best < 0 {
		return addedToken{}, false
	}
	return m.tokens[best], true
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
		i = m.nextCandidate(s, i)
		if i == len(s) {
			break
		}
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
