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

// longWordBytes is the length from which encodeWord switches from scanning
// all pairs for each merge (fast for short words, quadratic in the length) to
// a priority queue of pairs (n log n).
const longWordBytes = 256

// encodeWord appends the ids of one pre-tokenized word to dst. It starts from
// the word's bytes and repeatedly merges the adjacent pair of lowest rank,
// the leftmost one among equals, until no pair has a merge. That is the order
// in which Hugging Face's priority queue of (rank, position) merges pops.
func (m *bpeModel) encodeWord(word string, dst []int) []int {
	if len(word) >= longWordBytes {
		return m.encodeLongWord(word, dst)
	}
	return m.encodeShortWord(word, dst)
}

// encodeShortWord keeps the ranks of adjacent pairs beside the symbols, so
// each merge costs a scan of small integers and two table lookups.
func (m *bpeModel) encodeShortWord(word string, dst []int) []int {
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

// encodeLongWord is Hugging Face's algorithm: symbols in a linked list and a
// heap of candidate merges ordered by (rank, position). Entries go stale when
// a neighbour merges first; they are recognised by the pair at their
// position no longer having their rank, and skipped.
func (m *bpeModel) encodeLongWord(word string, dst []int) []int {
	n := len(word)
	syms := make([]int32, n)
	next := make([]int32, n) // -1: last symbol
	prev := make([]int32, n) // -1: first symbol
	alive := make([]bool, n)
	for i := range n {
		syms[i], next[i], prev[i], alive[i] = m.byteID[word[i]], int32(i+1), int32(i-1), true
	}
	next[n-1] = -1
	queue := &mergeQueue{}
	push := func(pos int32) {
		if right := next[pos]; right >= 0 {
			if r := m.rank(syms[pos], syms[right]); r != noMerge {
				queue.push(candidate{rank: r, pos: pos})
			}
		}
	}
	for i := range int32(n - 1) {
		push(i)
	}
	for queue.len() > 0 {
		c := queue.pop()
		right := next[c.pos]
		if !alive[c.pos] || right < 0 || m.rank(syms[c.pos], syms[right]) != c.rank {
			continue
		}
		syms[c.pos] = m.merges[pairKey(syms[c.pos], syms[right])].id
		alive[right] = false
		next[c.pos] = next[right]
		if next[right] >= 0 {
			prev[next[right]] = c.pos
		}
		if prev[c.pos] >= 0 {
			push(prev[c.pos])
		}
		push(c.pos)
	}
	for i := int32(0); i >= 0; i = next[i] {
		dst = append(dst, int(syms[i]))
	}
	return dst
}

// candidate is a possible merge of the symbol at pos with its right
// neighbour.
type candidate struct {
	rank, pos int32
}

func (a candidate) before(b candidate) bool {
	return a.rank < b.rank || (a.rank == b.rank && a.pos < b.pos)
}

// mergeQueue is a binary min-heap of candidates.
type mergeQueue struct {
	items []candidate
}

func (q *mergeQueue) len() int { return len(q.items) }

func (q *mergeQueue) push(c candidate) {
	q.items = append(q.items, c)
	i := len(q.items) - 1
	for i > 0 {
		parent := (i - 1) / 2
		if !q.items[i].before(q.items[parent]) {
			break
		}
		q.items[i], q.items[parent] = q.items[parent], q.items[i]
		i = parent
	}
}

func (q *mergeQueue) pop() candidate {
	top := q.items[0]
	last := len(q.items) - 1
	q.items[0] = q.items[last]
	q.items = q.items[:last]
	for i := 0; ; {
		smallest, left, right := i, 2*i+1, 2*i+2
		if left < last && q.items[left].before(q.items[smallest]) {
			smallest = left
		}
		if right < last && q.items[right].before(q.items[smallest]) {
			smallest = right
		}
		if smallest == i {
			break
		}
		q.items[i], q.items[smallest] = q.items[smallest], q.items[i]
		i = smallest
	}
	return top
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
// (A map under a read-write lock measured about twice as fast here as
// sync.Map.)
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
