package notebook

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// ModelCoding is the lossless protocol's coding of chunks with a GPT-NeoX
// model (protocol.EncodeChunks), decoded back (protocol.DecodeChunks).
type ModelCoding struct {
	// Stats are each chunk's.
	Stats []protocol.ChunkStats
	// Exact says every chunk decoded to its bytes.
	Exact bool
	// Gap is the largest |coded bits − (quantised token bits + top bits)|,
	// and BelowFloat the largest amount by which the quantised token bits
	// fall below the float ones.
	Gap, BelowFloat float64
}

// CodeWithModel codes chunks under the lossless protocol, one at a time,
// and decodes them.
func CodeWithModel(model *neox.Model, tok *tokenize.Tokenizer, chunks [][]byte) ModelCoding {
	opt := protocol.Options{BatchSize: 1}
	encoded := Must(protocol.EncodeChunks(model, tok, chunks, opt))
	var c ModelCoding
	var payloads [][]byte
	var lengths []int
	for _, e := range encoded {
		s := e.Stats
		c.Stats = append(c.Stats, s)
		payloads, lengths = append(payloads, e.Payload), append(lengths, s.Bytes)
		c.Gap = max(c.Gap, math.Abs(float64(8*s.CompressedBytes)-s.QuantisedTokenBits-s.HighBits))
		c.BelowFloat = max(c.BelowFloat, s.TokenBits-s.QuantisedTokenBits)
	}
	decoded := Must(protocol.DecodeChunks(model, tok, payloads, lengths, opt))
	c.Exact = len(decoded) == len(chunks)
	for i := range decoded {
		c.Exact = c.Exact && bytes.Equal(decoded[i], chunks[i])
	}
	return c
}

// Table sets out each chunk's coding, the chunks numbered from first.
func (c ModelCoding) Table(first int) Table {
	t := NewTable([]string{"chunk", "tokens", "token bits Σ −log₂ p", "quantised Σ −log₂ q", "top bits", "coded bits", "coded − (q + top bits)", "compression ratio"})
	for i, s := range c.Stats {
		coded := float64(8 * s.CompressedBytes)
		t.Add(fmt.Sprint(first+i), fmt.Sprint(s.Tokens), fmt.Sprintf("%.1f", s.TokenBits), fmt.Sprintf("%.1f", s.QuantisedTokenBits), fmt.Sprintf("%.1f", s.HighBits),
			fmt.Sprintf("%.0f", coded), fmt.Sprintf("%+.1f", coded-s.QuantisedTokenBits-s.HighBits), fmt.Sprintf("%.3f", s.CR()))
	}
	return t
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

// LoadModel loads the model Model finds and says which it is, as "pythia-70m
// at step 143000; 6 layers, width 512"; when it cannot, it shows why and
// returns ok false. The caller closes the model.
func LoadModel() (model *neox.Model, which string, ok bool) {
	found, real, ok := Model()
	if !ok {
		return nil, "", false
	}
	model, err := neox.Load(found.Path)
	if !Available(err) {
		return nil, "", false
	}
	cfg := Must(neox.ReadConfig(filepath.Join(found.Path, "config.json")))
	which = "pythia-70m at step 143000"
	if !real {
		which = "the tests' tiny random GPT-NeoX with Pythia's vocabulary (`make data-model` brings pythia-70m)"
	}
	return model, fmt.Sprintf("%s; %d layers, width %d", which, cfg.NumHiddenLayers, cfg.HiddenSize), true
}
