package tokenize

import (
	"math"
	"strings"
	"sync"
)

// merge is one line of the merge table: the pair's rank (its line number,
// lower merges first) and the id of the merged token.
type merge struct {
	rank, id int32
}

// bpeModel is a byte-level BPE model: the ids of the 256 byte symbols and the
// merge table, keyed by pairKey of the two ids.
type bpeModel struct {
	byteID [256]int32
	merges map[uint64]merge
}

func pairKey(left, right int32) uint64 {
	return uint64(uint32(left))<<32 | uint64(uint32(right))
}

// noMerge is the rank of a pair that has no merge.
const noMerge = math.MaxInt32

// encodeWord appends the ids of one pre-tokenized word to dst. It starts from
// the word's bytes and repeatedly merges the adjacent pair of lowest rank,
// the leftmost one among equals, until no pair has a merge. That is the order
// in which Hugging Face's priority queue of (rank, position) merges pops.
//
// The ranks of adjacent pairs are kept beside the symbols, so each merge costs
// a scan of small integers and two table lookups, not a lookup per pair.
func (m *bpeModel) encodeWord(word string, dst []int) []int {
	var symBuf, rankBuf [64]int32
	syms, ranks := symBuf[:0], rankBuf[:0]
	for i := 0; i < len(word); i++ {
		syms = append(syms, m.byteID[word[i]])
	}
	for i := 0; i+1 < len(syms); i++ {
		ranks = append(ranks, m.rank(syms[i], syms[i+1]))
	}
	for len(syms) > 1 {
		best := 0
		for i, r := range ranks {
			if r < ranks[best] {
				best = i
			}
		}
		if ranks[best] == noMerge {
			break
		}
		syms[best] = m.merges[pairKey(syms[best], syms[best+1])].id
		syms = append(syms[:best+1], syms[best+2:]...)
		ranks = append(ranks[:best], ranks[best+1:]...)
		if best > 0 {
			ranks[best-1] = m.rank(syms[best-1], syms[best])
		}
		if best < len(ranks) {
			ranks[best] = m.rank(syms[best], syms[best+1])
		}
	}
	for _, id := range syms {
		dst = append(dst, int(id))
	}
	return dst
}

func (m *bpeModel) rank(left, right int32) int32 {
	if mg, ok := m.merges[pairKey(left, right)]; ok {
		return mg.rank
	}
	return noMerge
}

// wordCacheEntries bounds the word cache; enwik8's first 4 MB hold about this
// many distinct words.
const wordCacheEntries = 1 << 17

// maxCachedWordLen keeps long, rarely repeated words (runs of punctuation,
// base64) out of the cache.
const maxCachedWordLen = 64

// wordCache remembers the ids of words already encoded: natural text repeats
// its words, and BPE is the expensive step. It is safe for concurrent use.
type wordCache struct {
	mu       sync.RWMutex
	ids      map[string][]int
	capacity int
}

func newWordCache(capacity int) *wordCache {
	return &wordCache{ids: make(map[string][]int), capacity: capacity}
}

func (c *wordCache) get(word string) ([]int, bool) {
	c.mu.RLock()
	ids, ok := c.ids[word]
	c.mu.RUnlock()
	return ids, ok
}

// put stores ids for word; a full cache starts over, which keeps it bounded
// without bookkeeping on every hit.
func (c *wordCache) put(word string, ids []int) {
	c.mu.Lock()
	if len(c.ids) >= c.capacity {
		c.ids = make(map[string][]int)
	}
	// The word is a slice of the caller's text; cloning it keeps the cache
	// from pinning whole texts in memory.
	c.ids[strings.Clone(word)] = ids
	c.mu.Unlock()
}
