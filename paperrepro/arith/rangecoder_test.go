package arith

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

const pythiaVocab = 50304

// skewedLogProbs returns a fixed Zipf-like distribution over n symbols
// (p_k proportional to 1/(k+1)^1.1, in a shuffled order), as natural logs.
func skewedLogProbs(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	perm := rng.Perm(n)
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = math.Pow(float64(perm[i]+1), -1.1)
		sum += w[i]
	}
	logp := make([]float32, n)
	for i := range w {
		logp[i] = float32(math.Log(w[i] / sum))
	}
	return logp
}

// sampler draws symbols from a distribution given as natural-log probabilities.
type sampler struct {
	cum []float64
	rng *rand.Rand
}

func newSampler(logp []float32, seed uint64) *sampler {
	s := &sampler{cum: make([]float64, len(logp)), rng: rand.New(rand.NewPCG(seed, 2))}
	acc := 0.0
	for i, x := range logp {
		acc += math.Exp(float64(x))
		s.cum[i] = acc
	}
	return s
}

func (s *sampler) draw() int {
	u := s.rng.Float64() * s.cum[len(s.cum)-1]
	lo, hi := 0, len(s.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if s.cum[mid] > u {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func TestRoundTripFixedSkewed(t *testing.T) {
	logp := skewedLogProbs(pythiaVocab, 7)
	src := newSampler(logp, 8)
	const n = 20000
	syms := make([]int, n)
	ideal := 0.0
	for i := range syms {
		syms[i] = src.draw()
		ideal -= float64(logp[syms[i]]) / math.Ln2
	}
	var cdf CDF
	if err := cdf.SetLogProbs(logp); err != nil {
		t.Fatal(err)
	}
	enc := NewEncoder()
	for _, s := range syms {
		if err := cdf.Encode(enc, s); err != nil {
			t.Fatal(err)
		}
	}
	out := enc.Finish()
	dec := NewDecoder(out)
	for i, want := range syms {
		got, err := cdf.Decode(dec)
		if err != nil {
			t.Fatalf("symbol %d: %v", i, err)
		}
		if got != want {
			t.Fatalf("symbol %d: decoded %d, want %d", i, got, want)
		}
	}
	if dec.Unread() != 0 {
		t.Errorf("%d bytes unread after the last symbol", dec.Unread())
	}
	actual := float64(8 * len(out))
	t.Logf("%d symbols over %d: ideal %.1f bits, actual %.0f bits, overhead %.5f bits/symbol",
		n, pythiaVocab, ideal, actual, (actual-ideal)/n)
	if limit := ideal*1.001 + 8*4; actual > limit {
		t.Errorf("compressed to %.0f bits, more than 0.1%% over the ideal %.1f plus 4 bytes", actual, ideal)
	}
}

// TestRoundTripAdaptiveOrder0 codes with a model that learns symbol counts as
// it goes, so every symbol has its own table, as with a language model.
func TestRoundTripAdaptiveOrder0(t *testing.T) {
	const n, alpha = 3000, 0.05
	src := newSampler(skewedLogProbs(pythiaVocab, 3), 4)
	syms := make([]int, n)
	for i := range syms {
		syms[i] = src.draw()
	}
	// The model's weights are log(count + alpha), unnormalised: SetLogProbs
	// only looks at differences, so each step changes one entry.
	newModel := func() []float32 {
		logw := make([]float32, pythiaVocab)
		for j := range logw {
			logw[j] = float32(math.Log(alpha))
		}
		return logw
	}
	counts := make([]float64, pythiaVocab)
	logw := newModel()
	var cdf CDF
	enc := NewEncoder()
	ideal := 0.0
	for i, s := range syms {
		if err := cdf.SetLogProbs(logw); err != nil {
			t.Fatal(err)
		}
		ideal -= math.Log2((counts[s] + alpha) / (float64(i) + alpha*pythiaVocab))
		if err := cdf.Encode(enc, s); err != nil {
			t.Fatal(err)
		}
		counts[s]++
		logw[s] = float32(math.Log(counts[s] + alpha))
	}
	out := enc.Finish()

	clear(counts)
	logw = newModel()
	dec := NewDecoder(out)
	for i, want := range syms {
		if err := cdf.SetLogProbs(logw); err != nil {
			t.Fatal(err)
		}
		got, err := cdf.Decode(dec)
		if err != nil || got != want {
			t.Fatalf("symbol %d: decoded %d (%v), want %d", i, got, err, want)
		}
		counts[got]++
		logw[got] = float32(math.Log(counts[got] + alpha))
	}
	actual := float64(8 * len(out))
	t.Logf("adaptive order-0: ideal %.1f bits, actual %.0f bits, overhead %.5f bits/symbol", ideal, actual, (actual-ideal)/n)
	if limit := ideal*1.001 + 8*4; actual > limit {
		t.Errorf("compressed to %.0f bits, more than 0.1%% over the ideal %.1f plus 4 bytes", actual, ideal)
	}
}

// TestNearCertainSymbols checks the two extremes: a symbol of probability
// almost 1 costs almost nothing, and one of probability e^-80 (quantised to
// frequency 1, i.e. 30 bits) can still be coded.
func TestNearCertainSymbols(t *testing.T) {
	logp := make([]float32, pythiaVocab)
	for i := range logp {
		logp[i] = -80
	}
	logp[42] = 0
	var cdf CDF
	if err := cdf.SetLogProbs(logp); err != nil {
		t.Fatal(err)
	}
	syms := make([]int, 10000)
	for i := range syms {
		syms[i] = 42
	}
	syms[5000] = 7
	enc := NewEncoder()
	for _, s := range syms {
		if err := cdf.Encode(enc, s); err != nil {
			t.Fatal(err)
		}
	}
	out := enc.Finish()
	want := cdf.Bits(7) + 9999*cdf.Bits(42)
	if got := float64(8 * len(out)); got > want+8*3 {
		t.Errorf("compressed to %.0f bits, want at most the quantised ideal %.2f plus 3 bytes", got, want)
	}
	dec := NewDecoder(out)
	for i, s := range syms {
		got, err := cdf.Decode(dec)
		if err != nil || got != s {
			t.Fatalf("symbol %d: decoded %d (%v), want %d", i, got, err, s)
		}
	}
}

func TestBitsAndSymbolsInterleaved(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	logp := skewedLogProbs(300, 2)
	var cdf CDF
	if err := cdf.SetLogProbs(logp); err != nil {
		t.Fatal(err)
	}
	type event struct{ sym, bit int }
	events := make([]event, 5000)
	for i := range events {
		events[i] = event{rng.IntN(300), 0}
		if rng.IntN(10) == 0 {
			events[i].bit = 1
		}
	}
	enc := NewEncoder()
	m := NewBitModel()
	bitIdeal := 0.0
	for _, ev := range events {
		if err := cdf.Encode(enc, ev.sym); err != nil {
			t.Fatal(err)
		}
		bitIdeal += m.Bits(ev.bit)
		if err := enc.EncodeBit(&m, ev.bit); err != nil {
			t.Fatal(err)
		}
	}
	out := enc.Finish()
	dec := NewDecoder(out)
	m = NewBitModel()
	for i, ev := range events {
		s, err := cdf.Decode(dec)
		if err != nil || s != ev.sym {
			t.Fatalf("event %d: symbol %d (%v), want %d", i, s, err, ev.sym)
		}
		b, err := dec.DecodeBit(&m)
		if err != nil || b != ev.bit {
			t.Fatalf("event %d: bit %d (%v), want %d", i, b, err, ev.bit)
		}
	}
	// The adaptive bit model on a 10% source should cost close to its entropy.
	entropy := -(0.1*math.Log2(0.1) + 0.9*math.Log2(0.9))
	if perBit := bitIdeal / float64(len(events)); perBit > entropy*1.1 {
		t.Errorf("bit model costs %.4f bits per bit on a 10%% source, want near the entropy %.4f", perBit, entropy)
	}
}

func TestEmptyStream(t *testing.T) {
	out := NewEncoder().Finish()
	if len(out) != 0 {
		t.Errorf("no symbols compressed to %d bytes, want 0", len(out))
	}
	// A one-symbol alphabet costs nothing.
	var cdf CDF
	if err := cdf.SetLogProbs([]float32{0}); err != nil {
		t.Fatal(err)
	}
	enc := NewEncoder()
	for range 100 {
		if err := cdf.Encode(enc, 0); err != nil {
			t.Fatal(err)
		}
	}
	if out := enc.Finish(); len(out) != 0 {
		t.Errorf("100 certain symbols compressed to %d bytes, want 0", len(out))
	}
}

func TestEncodeRejectsBadIntervals(t *testing.T) {
	for _, c := range []struct{ start, size, total uint32 }{
		{0, 0, 10}, {5, 6, 10}, {0, 1, 0}, {math.MaxUint32, 2, math.MaxUint32},
	} {
		if err := NewEncoder().Encode(c.start, c.size, c.total); err == nil {
			t.Errorf("Encode(%d, %d, %d) succeeded, want an error", c.start, c.size, c.total)
		}
	}
}

func TestDecoderDetectsImpossibleStream(t *testing.T) {
	var cdf CDF
	if err := cdf.SetLogProbs(skewedLogProbs(100, 1)); err != nil {
		t.Fatal(err)
	}
	dec := NewDecoder(bytes.Repeat([]byte{0xFF}, 16))
	if _, err := cdf.Decode(dec); !errors.Is(err, ErrCorrupt) {
		t.Errorf("decoding all-0xFF input: err = %v, want ErrCorrupt", err)
	}
}
