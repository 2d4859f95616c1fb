package protocol

import (
	"fmt"
	"sync"
)

// pieces caches the text each token id decodes to on its own; the lossless
// protocol rebuilds a chunk's text as the concatenation of these pieces.
// It is safe for concurrent use (the streams of a group decode in parallel).
type pieces struct {
	tok  Tokenizer
	mu   sync.Mutex
	text map[int]string
}

func newPieces(tok Tokenizer) *pieces {
	return &pieces{tok: tok, text: make(map[int]string)}
}

func (p *pieces) of(id int) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if s, ok := p.text[id]; ok {
		return s, nil
	}
	s, err := p.tok.Decode([]int{id})
	if err != nil {
		return "", fmt.Errorf("decoding token %d: %w", id, err)
	}
	p.text[id] = s
	return s, nil
}

// rebuilds reports whether ids rebuild text piece by piece, reaching its
// full length exactly at the last token, with every piece non-empty: the
// decoder's rule for where a chunk's tokens end.
func (p *pieces) rebuilds(ids []int, text string) bool {
	pos := 0
	for _, id := range ids {
		piece, err := p.of(id)
		if err != nil || piece == "" || pos+len(piece) > len(text) || text[pos:pos+len(piece)] != piece {
			return false
		}
		pos += len(piece)
	}
	return pos == len(text)
}

// tokensFor returns the ids the lossless protocol codes for an ASCII text:
// the tokenizer's own when they rebuild the text, else one token per
// character (fallback true).
func tokensFor(p *pieces, text string) (ids []int, fallback bool, err error) {
	ids, err = p.tok.Encode(text)
	if err == nil && p.rebuilds(ids, text) {
		return ids, false, nil
	}
	ids = make([]int, len(text))
	for i := range len(text) {
		one, err := p.tok.Encode(text[i : i+1])
		if err != nil {
			return nil, false, fmt.Errorf("tokenizing character %q: %w", text[i], err)
		}
		if len(one) != 1 {
			return nil, false, fmt.Errorf("character %q tokenizes to %d tokens, want 1", text[i], len(one))
		}
		ids[i] = one[0]
	}
	if !p.rebuilds(ids, text) {
		return nil, false, fmt.Errorf("the tokenizer's single-character tokens do not decode back to the text")
	}
	return ids, true, nil
}
