package protocol

import (
	"fmt"
	"math"

	"github.com/x448/float16"
)

// The paper's code dropped chunks whose CR fell outside (SeedMinCR, SeedMaxCR).
const (
	SeedMinCR = 0.01
	SeedMaxCR = 10
)

// float16FloorProb is what the paper's code replaced a zero float16
// probability with: 1e-10, i.e. 33.2 bits.
const float16FloorProb = 1e-10

// Seed is the paper's scoring protocol. Tokenizer and Model are required.
type Seed struct {
	Tokenizer Encoder
	Model     Scorer
	// MaxTokens truncates each chunk's tokens; 0 means PaperMaxTokens and a
	// negative value keeps every token.
	MaxTokens int
	// Float16 emulates the paper's float16 softmax output: each token's
	// probability is rounded to float16, and 0 becomes 1e-10.
	Float16 bool
	// BatchSize is how many chunks go to Model.TokenBits at once; 0 means 8.
	BatchSize int
}

// SeedChunk is one chunk's score under the seed protocol.
type SeedChunk struct {
	Tokens  int     // tokens scored, after truncation (the first is free)
	Bits    float64 // sum of -log2 p over tokens 2..Tokens
	CR      float64 // Bits / (8 * chunk bytes)
	Dropped bool    // CR outside (SeedMinCR, SeedMaxCR): left out of MeanCR
}

// SeedResult is the seed protocol's score of a set of chunks.
type SeedResult struct {
	Chunks  []SeedChunk
	MeanCR  float64 // mean CR of the kept chunks; NaN when none was kept
	Kept    int
	Dropped int
}

// Score scores chunks under the seed protocol.
func (s Seed) Score(chunks [][]byte) (SeedResult, error) {
	if s.Tokenizer == nil || s.Model == nil {
		return SeedResult{}, fmt.Errorf("seed protocol: Tokenizer and Model are required")
	}
	batch := s.BatchSize
	if batch <= 0 {
		batch = 8
	}
	tokens := make([]int, len(chunks))
	bits := make([][]float64, len(chunks))
	sizes := make([]int, len(chunks))
	for start := 0; start < len(chunks); start += batch {
		end := min(start+batch, len(chunks))
		seqs := make([][]int, 0, end-start)
		for i := start; i < end; i++ {
			ids, err := s.Tokens(chunks[i])
			if err != nil {
				return SeedResult{}, fmt.Errorf("seed protocol: chunk %d: %w", i, err)
			}
			seqs = append(seqs, ids)
		}
		out, err := s.Model.TokenBits(seqs)
		if err != nil {
			return SeedResult{}, fmt.Errorf("seed protocol: scoring chunks %d..%d: %w", start, end-1, err)
		}
		if len(out) != len(seqs) {
			return SeedResult{}, fmt.Errorf("seed protocol: scoring chunks %d..%d: got %d results for %d sequences", start, end-1, len(out), len(seqs))
		}
		for j, seq := range seqs {
			if want := max(0, len(seq)-1); len(out[j]) != want {
				return SeedResult{}, fmt.Errorf("seed protocol: chunk %d: got %d token scores for %d tokens, want %d", start+j, len(out[j]), len(seq), want)
			}
			tokens[start+j], bits[start+j], sizes[start+j] = len(seq), out[j], len(chunks[start+j])
		}
	}
	return seedResult(tokens, bits, sizes, s.Float16), nil
}

// Tokens returns the ids the seed protocol scores for a chunk: its bytes
// mapped with Mod128, tokenized without special tokens, truncated to
// MaxTokens. Only Tokenizer is needed.
func (s Seed) Tokens(chunk []byte) ([]int, error) {
	ids, err := s.Tokenizer.Encode(Mod128(chunk))
	if err != nil {
		return nil, fmt.Errorf("tokenizing: %w", err)
	}
	maxTokens := s.MaxTokens
	if maxTokens == 0 {
		maxTokens = PaperMaxTokens
	}
	return Truncate(ids, maxTokens), nil
}

// seedResult totals per-token bits into chunk scores (CR = bits / (8 *
// size)) and averages the chunks whose CR lies in (SeedMinCR, SeedMaxCR).
func seedResult(tokens []int, bits [][]float64, sizes []int, float16 bool) SeedResult {
	res := SeedResult{Chunks: make([]SeedChunk, len(tokens))}
	for i := range tokens {
		total := SumBits(bits[i], float16)
		cr := total / float64(8*sizes[i])
		res.Chunks[i] = SeedChunk{Tokens: tokens[i], Bits: total, CR: cr, Dropped: !(cr > SeedMinCR && cr < SeedMaxCR)}
	}
	res.MeanCR, res.Kept, res.Dropped = MeanCR(len(res.Chunks), func(i int) (float64, bool) { return res.Chunks[i].CR, res.Chunks[i].Dropped })
	return res
}

// SumBits adds per-token costs in bits, in order. With float16 set it first
// applies the paper's float16 output: Float16Bits of each.
func SumBits(bits []float64, float16 bool) float64 {
	total := 0.0
	for _, b := range bits {
		if float16 {
			b = Float16Bits(b)
		}
		total += b
	}
	return total
}

// Float16Bits returns the cost in bits of a token of cost b after its
// probability 2^-b went through float16 as in the paper's code: rounded to
// the nearest float16, and floored at 1e-10 when that is 0 (below about
// 3e-8, half of float16's smallest subnormal 2^-24).
func Float16Bits(b float64) float64 {
	p := float16.Fromfloat32(float32(math.Exp2(-b))).Float32()
	if p == 0 {
		return -math.Log2(float16FloorProb)
	}
	return -math.Log2(float64(p))
}
