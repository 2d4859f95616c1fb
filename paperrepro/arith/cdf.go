package arith

import (
	"fmt"
	"math"
	"sort"
)

// TotalBits is log2 of the frequency total of every CDF built by
// SetLogProbs: 2^30, far above the 2^24 the lossless protocol requires.
const TotalBits = 30

// Total is the frequency total of every CDF built by SetLogProbs.
const Total = 1 << TotalBits

// MaxSymbols is the largest alphabet SetLogProbs accepts; every symbol needs
// frequency at least 1 and the rest must still resolve the distribution.
const MaxSymbols = 1 << 20

// expCutoff: exp(x)*Total < 1 for x below it, so such a symbol would get only
// its minimum frequency of 1 anyway; skipping its exp makes building fast on
// peaked distributions.
var expCutoff = -(TotalBits*math.Ln2 + 1)

// CDF is a quantised distribution over symbols 0..n-1: symbol s occupies
// [Cum[s], Cum[s+1]) of the total Cum[n]. Reuse one CDF across tokens to
// avoid allocating.
type CDF struct {
	Cum     []uint32
	weights []float64
}

// Len returns the number of symbols.
func (c *CDF) Len() int { return max(0, len(c.Cum)-1) }

// Freq returns symbol s's frequency and the total.
func (c *CDF) Freq(s int) (freq, total uint32) {
	return c.Cum[s+1] - c.Cum[s], c.Cum[len(c.Cum)-1]
}

// Bits returns -log2 of symbol s's quantised probability: what coding it
// costs with this table.
func (c *CDF) Bits(s int) float64 {
	f, t := c.Freq(s)
	return math.Log2(float64(t)) - math.Log2(float64(f))
}

// SetLogProbs fills c from natural-log probabilities (they need not be
// normalised: only differences matter). It is a pure function of logp:
// weights w = exp(logp - max) (0 when logp - max is below about -21.8, where
// the symbol would get the minimum frequency anyway), summed in index order
// in float64, then freq = 1 + floor(w * (Total - n) / sum), with whatever
// rounding leaves over or under Total given to the most probable symbol (the
// first, on ties). It fails on an empty slice, more than MaxSymbols
// symbols, NaN or +Inf, or when every entry is -Inf.
func (c *CDF) SetLogProbs(logp []float32) error {
	n := len(logp)
	if n == 0 || n > MaxSymbols {
		return fmt.Errorf("arith: distribution over %d symbols: need 1 to %d", n, MaxSymbols)
	}
	best := 0
	for i, x := range logp {
		if x != x || math.IsInf(float64(x), 1) {
			return fmt.Errorf("arith: log-probability of symbol %d is %v", i, x)
		}
		if x > logp[best] {
			best = i
		}
	}
	top := float64(logp[best])
	if math.IsInf(top, -1) {
		return fmt.Errorf("arith: every one of %d log-probabilities is -Inf", n)
	}
	if cap(c.weights) < n {
		c.weights = make([]float64, n)
	}
	w := c.weights[:n]
	sum := 0.0
	for i, x := range logp {
		d := float64(x) - top
		if d < expCutoff {
			w[i] = 0
			continue
		}
		w[i] = expNonPositive(d)
		sum += w[i]
	}
	if cap(c.Cum) < n+1 {
		c.Cum = make([]uint32, n+1)
	}
	c.Cum = c.Cum[:n+1]
	scale := float64(Total-n) / sum
	var acc uint64
	for i := range w {
		c.Cum[i] = uint32(acc)
		acc += 1 + uint64(w[i]*scale)
	}
	// acc is within a few units of Total; move the difference onto the
	// most probable symbol, whose frequency is at least (Total-n)/n.
	diff := int64(Total) - int64(acc)
	for i := best + 1; i < n; i++ {
		c.Cum[i] = uint32(int64(c.Cum[i]) + diff)
	}
	c.Cum[n] = Total
	return nil
}

// Encode codes symbol s with the table.
func (c *CDF) Encode(e *Encoder, s int) error {
	if s < 0 || s >= c.Len() {
		return fmt.Errorf("arith: symbol %d outside the table's %d symbols", s, c.Len())
	}
	f, t := c.Freq(s)
	return e.Encode(c.Cum[s], f, t)
}

// Decode decodes one symbol with the table.
func (c *CDF) Decode(d *Decoder) (int, error) {
	n := c.Len()
	if n == 0 {
		return 0, fmt.Errorf("arith: decoding with an empty table")
	}
	v, err := d.Target(c.Cum[n])
	if err != nil {
		return 0, err
	}
	// The symbol is the last s with Cum[s] <= v.
	s := sort.Search(n, func(i int) bool { return c.Cum[i+1] > v })
	f, _ := c.Freq(s)
	d.Consume(c.Cum[s], f)
	return s, nil
}
