package protocol

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// fixedScorer charges each token a cost that depends only on the token id:
// ids >= 64 cost 3 bits, others 1 bit. It records the sequences it scored.
type fixedScorer struct {
	seen [][]int
	err  error
}

func (s *fixedScorer) TokenBits(seqs [][]int) ([][]float64, error) {
	if s.err != nil {
		return nil, s.err
	}
	out := make([][]float64, len(seqs))
	for b, seq := range seqs {
		s.seen = append(s.seen, seq)
		for _, id := range seq[min(1, len(seq)):] {
			cost := 1.0
			if id >= 64 {
				cost = 3
			}
			out[b] = append(out[b], cost)
		}
	}
	return out, nil
}

func TestSeedScore(t *testing.T) {
	tok := newStandinTokenizer()
	// 'A'+128 maps to 'A' under mod 128: id 66 (>= 64, 3 bits).
	chunks := [][]byte{
		[]byte(strings.Repeat("A", 2048)),              // 2048 tokens, truncated to 1024
		append([]byte{'A' + 128}, make([]byte, 99)...), // 100 tokens: 'A' is free, 99 NULs cost 1 bit
		[]byte("A"), // one token: 0 bits, CR 0: dropped
	}
	scorer := &fixedScorer{}
	res, err := Seed{Tokenizer: tok, Model: scorer, BatchSize: 2}.Score(chunks)
	if err != nil {
		t.Fatal(err)
	}
	want := []SeedChunk{
		{Tokens: 1024, Bits: 1023 * 3, CR: 1023 * 3 / (8 * 2048.0)},
		{Tokens: 100, Bits: 99, CR: 99 / 800.0},
		{Tokens: 1, Bits: 0, CR: 0, Dropped: true},
	}
	for i, w := range want {
		if res.Chunks[i] != w {
			t.Errorf("chunk %d: %+v, want %+v", i, res.Chunks[i], w)
		}
	}
	if res.Kept != 2 || res.Dropped != 1 {
		t.Errorf("kept %d, dropped %d; want 2 and 1", res.Kept, res.Dropped)
	}
	if wantMean := (want[0].CR + want[1].CR) / 2; math.Abs(res.MeanCR-wantMean) > 1e-15 {
		t.Errorf("mean CR %v, want %v", res.MeanCR, wantMean)
	}
	if len(scorer.seen) != 3 || scorer.seen[1][0] != 66 {
		t.Errorf("scored %d sequences, the second starting %v; want 3, the second starting with 'A' (66)", len(scorer.seen), scorer.seen[1][:1])
	}
}

func TestSeedMaxTokens(t *testing.T) {
	chunk := [][]byte{[]byte(strings.Repeat("A", 2048))}
	for _, c := range []struct{ max, want int }{{0, 1024}, {10, 10}, {-1, 2048}} {
		res, err := Seed{Tokenizer: newStandinTokenizer(), Model: &fixedScorer{}, MaxTokens: c.max}.Score(chunk)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Chunks[0].Tokens; got != c.want {
			t.Errorf("MaxTokens %d: scored %d tokens, want %d", c.max, got, c.want)
		}
	}
}

func TestSeedDropsOutsideRange(t *testing.T) {
	cases := []struct {
		bits    float64
		dropped bool
	}{
		{0.01 * 8 * 2048, true}, // CR exactly 0.01: outside the open interval
		{0.011 * 8 * 2048, false},
		{9.99 * 8 * 2048, false},
		{10 * 8 * 2048, true},
	}
	for _, c := range cases {
		res, err := Seed{Tokenizer: newStandinTokenizer(), Model: constScorer(c.bits)}.Score([][]byte{make([]byte, 2048)})
		if err != nil {
			t.Fatal(err)
		}
		if res.Chunks[0].Dropped != c.dropped {
			t.Errorf("CR %v: dropped = %v, want %v", res.Chunks[0].CR, res.Chunks[0].Dropped, c.dropped)
		}
		if c.dropped && !math.IsNaN(res.MeanCR) {
			t.Errorf("CR %v: every chunk dropped but mean CR is %v, want NaN", res.Chunks[0].CR, res.MeanCR)
		}
	}
}

// constScorer puts all of a chunk's bits on its second token.
type constScorer float64

func (s constScorer) TokenBits(seqs [][]int) ([][]float64, error) {
	out := make([][]float64, len(seqs))
	for b, seq := range seqs {
		out[b] = make([]float64, len(seq)-1)
		out[b][0] = float64(s)
	}
	return out, nil
}

func TestSeedErrors(t *testing.T) {
	boom := errors.New("boom")
	if _, err := (Seed{Tokenizer: newStandinTokenizer(), Model: &fixedScorer{err: boom}}).Score([][]byte{[]byte("ab")}); !errors.Is(err, boom) {
		t.Errorf("scorer failure: err = %v, want it wrapped", err)
	}
	if _, err := (Seed{Model: &fixedScorer{}}).Score(nil); err == nil {
		t.Error("no tokenizer: no error")
	}
}

func TestFloat16Bits(t *testing.T) {
	floor := -math.Log2(1e-10)
	cases := []struct {
		bits, want float64
	}{
		{1, 1},
		{10, 10},
		{24, 24},                               // 2^-24, the smallest float16 subnormal
		{24.5, 24},                             // rounds to it
		{25.5, floor},                          // below half of it: 0, floored at 1e-10
		{40, floor},                            // 33.2 bits
		{0.0001, 0},                            // 0.99993 rounds to 1 in float16
		{math.Log2(3), -math.Log2(0.33325195)}, // 1/3 to float16's 11 significant bits
	}
	for _, c := range cases {
		if got := Float16Bits(c.bits); math.Abs(got-c.want) > 1e-6 {
			t.Errorf("Float16Bits(%v) = %v, want %v", c.bits, got, c.want)
		}
	}
	if math.Abs(floor-33.2193) > 1e-4 {
		t.Errorf("floor is %v bits, want 33.2193", floor)
	}
}

func TestSumBitsFloat16(t *testing.T) {
	bits := []float64{1, 2, 40}
	if got := SumBits(bits, false); got != 43 {
		t.Errorf("plain sum %v, want 43", got)
	}
	if got, want := SumBits(bits, true), 3-math.Log2(1e-10); math.Abs(got-want) > 1e-9 {
		t.Errorf("float16 sum %v, want %v", got, want)
	}
}
