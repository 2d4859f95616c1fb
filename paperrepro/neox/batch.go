package neox

import (
	"errors"
	"fmt"
)

// checkSeqs rejects what the forward pass cannot score: empty sequences,
// sequences longer than max_position_embeddings, ids outside the vocabulary.
func (m *Model) checkSeqs(seqs [][]int) error {
	if m.closed.Load() {
		return errors.New("model is closed")
	}
	for b, s := range seqs {
		if len(s) == 0 {
			return fmt.Errorf("sequence %d is empty", b)
		}
		if len(s) > m.cfg.MaxPositionEmbeddings {
			return fmt.Errorf("sequence %d has %d tokens, more than max_position_embeddings %d", b, len(s), m.cfg.MaxPositionEmbeddings)
		}
		for t, id := range s {
			if id < 0 || id >= m.cfg.VocabSize {
				return fmt.Errorf("sequence %d, position %d: token id %d outside the vocabulary [0, %d)", b, t, id, m.cfg.VocabSize)
			}
		}
	}
	return nil
}

// seqBucket is the granularity of padded lengths: one compiled graph serves
// every length in a bucket.
const seqBucket = 32

// maxTokensPerCall bounds batch x padded length of one graph execution, to
// bound activation memory (attention scores grow with its square).
const maxTokensPerCall = 4096

// span is the half-open range [start, end) of a slice.
type span struct{ start, end int }

// batchGroups splits seqs into consecutive groups whose padded size stays
// within maxTokensPerCall (a longer sequence gets a group of its own).
func batchGroups(seqs [][]int) []span {
	var groups []span
	start, longest := 0, 0
	for i, s := range seqs {
		l := max(longest, bucketLen(len(s)))
		if i > start && l*(i-start+1) > maxTokensPerCall {
			groups = append(groups, span{start, i})
			start, l = i, bucketLen(len(s))
		}
		longest = l
	}
	if start < len(seqs) {
		groups = append(groups, span{start, len(seqs)})
	}
	return groups
}

func bucketLen(n int) int { return (n + seqBucket - 1) / seqBucket * seqBucket }

// padded lays seqs out as a [len(seqs), seq] int32 array, shifted left by
// shift positions (shift 1 gives each position's next token), with zeros
// after each sequence's end; seq is the bucketed longest length.
func padded(seqs [][]int, shift int) ([]int32, int) {
	longest := 0
	for _, s := range seqs {
		longest = max(longest, len(s))
	}
	seq := bucketLen(longest)
	flat := make([]int32, len(seqs)*seq)
	for b, s := range seqs {
		for t := shift; t < len(s); t++ {
			flat[b*seq+t-shift] = int32(s[t])
		}
	}
	return flat, seq
}
