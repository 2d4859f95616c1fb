package neox

import (
	"errors"
	"fmt"
	"slices"
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

// span is the half-open range [start, end) of a slice.
type span struct{ start, end int }

// seqBucket is the granularity of padded lengths: one compiled graph serves
// every length in a bucket.
const seqBucket = 32

// unknownMemoryTokens bounds the padded tokens of one graph execution when
// the available memory cannot be read (see Model.execBatch).
const unknownMemoryTokens = 4096

// batchGroups splits seqs into the groups that run as one graph execution
// each, as lists of indices into seqs: sequences sorted by length (stably),
// so that each group pads its members to a similar length, and each group
// at most limit(its padded length) long (at least one sequence).
func batchGroups(seqs [][]int, limit func(seqLen int) int) [][]int {
	order := make([]int, len(seqs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return len(seqs[a]) - len(seqs[b]) })
	var groups [][]int
	var group []int
	for _, i := range order {
		if len(group) > 0 && len(group)+1 > limit(bucketLen(len(seqs[i]))) {
			groups = append(groups, group)
			group = nil
		}
		group = append(group, i)
	}
	if len(group) > 0 {
		groups = append(groups, group)
	}
	return groups
}

// pick returns seqs[i] for each index of group.
func pick(seqs [][]int, group []int) [][]int {
	out := make([][]int, len(group))
	for k, i := range group {
		out[k] = seqs[i]
	}
	return out
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
