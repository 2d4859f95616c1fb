package notebook

import (
	"bytes"
	"fmt"
	"math"

	"github.com/paperrepro/paperrepro/paperrepro/arith"
)

// ContextModel is notebook 1's small byte model: it predicts the next byte
// from counts of what followed the last Order bytes so far, mixing in
// shorter contexts for bytes a context has not seen (Witten–Bell
// smoothing): with the context of length k followed N_k times, by d_k
// distinct bytes,
//
//	p_k(s) = (n_k(s) + d_k p_{k-1}(s)) / (N_k + d_k),
//
// from p_{-1}(s) = 1/256. It learns as it goes (Update), so a decoder that
// sees the same bytes makes the same predictions.
type ContextModel struct {
	Order  int
	counts []map[string]*[256]float64 // counts[k][context of length k]
}

// NewContextModel returns a model of contexts up to order bytes, knowing
// nothing yet.
func NewContextModel(order int) *ContextModel {
	m := &ContextModel{Order: order}
	for range order + 1 {
		m.counts = append(m.counts, map[string]*[256]float64{})
	}
	return m
}

// LogProbs returns the natural-log probability of every byte after history.
func (m *ContextModel) LogProbs(history []byte) []float32 {
	p := make([]float64, 256)
	for s := range p {
		p[s] = 1.0 / 256
	}
	for k := 0; k <= m.Order && k <= len(history); k++ {
		c := m.counts[k][string(history[len(history)-k:])]
		if c == nil {
			break
		}
		var total, distinct float64
		for _, n := range c {
			total += n
			if n > 0 {
				distinct++
			}
		}
		for s := range p {
			p[s] = (c[s] + distinct*p[s]) / (total + distinct)
		}
	}
	out := make([]float32, 256)
	for s, v := range p {
		out[s] = float32(math.Log(v))
	}
	return out
}

// Update records that b followed history.
func (m *ContextModel) Update(history []byte, b byte) {
	for k := 0; k <= m.Order && k <= len(history); k++ {
		ctx := string(history[len(history)-k:])
		if m.counts[k][ctx] == nil {
			m.counts[k][ctx] = new([256]float64)
		}
		m.counts[k][ctx][b]++
	}
}

// Coded is what coding bytes with a ContextModel and the range coder gave.
type Coded struct {
	// IdealBits is Σ −log₂ p under the model's float distribution, and
	// QuantisedBits the same under the integer frequencies the coder uses.
	IdealBits, QuantisedBits float64
	// Stream is the coder's output.
	Stream []byte
	// Surprise is each byte's −log₂ p.
	Surprise []float64
}

// Bits is the coded stream's length in bits.
func (c Coded) Bits() float64 { return 8 * float64(len(c.Stream)) }

// CompressBytes codes data with a fresh ContextModel of the given order:
// each byte with the model's distribution quantised to integer
// frequencies (arith.CDF), the model learning it after.
func CompressBytes(data []byte, order int) Coded {
	m, enc := NewContextModel(order), arith.NewEncoder()
	var cdf arith.CDF
	var r Coded
	for i, b := range data {
		logp := m.LogProbs(data[:i])
		Check(cdf.SetLogProbs(logp))
		Check(cdf.Encode(enc, int(b)))
		var sum float64
		for _, l := range logp {
			sum += math.Exp(float64(l))
		}
		bits := -(float64(logp[b]) - math.Log(sum)) / math.Ln2
		r.IdealBits += bits
		r.QuantisedBits += cdf.Bits(int(b))
		r.Surprise = append(r.Surprise, bits)
		m.Update(data[:i], b)
	}
	r.Stream = enc.Finish()
	return r
}

// DecompressBytes decodes n bytes from stream with a fresh ContextModel of
// the order that coded them.
func DecompressBytes(stream []byte, n, order int) []byte {
	m, dec := NewContextModel(order), arith.NewDecoder(stream)
	var cdf arith.CDF
	out := make([]byte, 0, n)
	for range n {
		Check(cdf.SetLogProbs(m.LogProbs(out)))
		s := Must(cdf.Decode(dec))
		m.Update(out, byte(s))
		out = append(out, byte(s))
	}
	return out
}

// ContextCodingTable codes data with ContextModels of each order, decodes
// each stream back, and sets out the ideal, quantised and coded bits and
// the ratio; worst is the largest |coded − ideal| bits, exact whether every
// stream decoded, ratios the CR by order.
func ContextCodingTable(data []byte, orders []int) (t Table, worst float64, exact bool, ratios map[int]float64) {
	t = NewTable([]string{"context (bytes)", "ideal bits Σ −log₂ p", "quantised Σ −log₂ q", "coded bits", "coded − ideal", "compression ratio", "decodes exactly"})
	exact, ratios = true, map[int]float64{}
	for _, order := range orders {
		r := CompressBytes(data, order)
		ok := bytes.Equal(DecompressBytes(r.Stream, len(data), order), data)
		worst, exact = max(worst, math.Abs(r.Bits()-r.IdealBits)), exact && ok
		ratios[order] = r.Bits() / (8 * float64(len(data)))
		t.Add(fmt.Sprint(order), fmt.Sprintf("%.1f", r.IdealBits), fmt.Sprintf("%.1f", r.QuantisedBits), fmt.Sprintf("%.0f", r.Bits()),
			fmt.Sprintf("%+.1f", r.Bits()-r.IdealBits), fmt.Sprintf("%.3f", ratios[order]), fmt.Sprint(ok))
	}
	return t, worst, exact, ratios
}
