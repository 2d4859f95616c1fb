// Package pythia is what the notebooks' cells call to load and run a
// GPT-NeoX model or to count a Pythia model's parameters. It is apart from
// package notebook because it links GoMLX (through package neox), which
// adds seconds to the build of every cell that imports it; the cells that
// do neither import package notebook alone.
package pythia

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"

	"github.com/paperrepro/paperrepro/paperrepro/neox"
	nb "github.com/paperrepro/paperrepro/paperrepro/notebook"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// Parameters is a Pythia model's configuration by name (as in the tables'
// rows), as scaling.SizeBy and scaling.TablesWithSizes take it:
// scaling.SizeBy(scaling.NonEmbedding, pythia.Parameters, nil) is a
// model's non-embedding parameter count, as Kaplan et al. count N.
func Parameters(model string) (scaling.Parameters, error) {
	return neox.PythiaConfig(model)
}

// VocabRows is the number of rows of Pythia's (padded) embedding.
func VocabRows() int {
	return nb.Must(neox.PythiaConfig("pythia-70m")).VocabSize
}

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
	encoded := nb.Must(protocol.EncodeChunks(model, tok, chunks, opt))
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
	decoded := nb.Must(protocol.DecodeChunks(model, tok, payloads, lengths, opt))
	c.Exact = len(decoded) == len(chunks)
	for i := range decoded {
		c.Exact = c.Exact && bytes.Equal(decoded[i], chunks[i])
	}
	return c
}

// Table sets out each chunk's coding, the chunks numbered from first.
func (c ModelCoding) Table(first int) nb.Table {
	t := nb.NewTable([]string{"chunk", "tokens", "token bits Σ −log₂ p", "quantised Σ −log₂ q", "top bits", "coded bits", "coded − (q + top bits)", "compression ratio"})
	for i, s := range c.Stats {
		coded := float64(8 * s.CompressedBytes)
		t.Add(fmt.Sprint(first+i), fmt.Sprint(s.Tokens), fmt.Sprintf("%.1f", s.TokenBits), fmt.Sprintf("%.1f", s.QuantisedTokenBits), fmt.Sprintf("%.1f", s.HighBits),
			fmt.Sprintf("%.0f", coded), fmt.Sprintf("%+.1f", coded-s.QuantisedTokenBits-s.HighBits), fmt.Sprintf("%.3f", s.CR()))
	}
	return t
}

// LoadModel loads the model Model finds and says which it is, as "pythia-70m
// at step 143000; 6 layers, width 512"; when it cannot, it shows why and
// returns ok false. The caller closes the model.
func LoadModel() (model *neox.Model, which string, ok bool) {
	found, real, ok := nb.Model()
	if !ok {
		return nil, "", false
	}
	model, err := neox.Load(found.Path)
	if !nb.Available(err) {
		return nil, "", false
	}
	cfg := nb.Must(neox.ReadConfig(filepath.Join(found.Path, "config.json")))
	which = "pythia-70m at step 143000"
	if !real {
		which = "the tests' tiny random GPT-NeoX with Pythia's vocabulary (`make data-model` brings pythia-70m)"
	}
	return model, fmt.Sprintf("%s; %d layers, width %d", which, cfg.NumHiddenLayers, cfg.HiddenSize), true
}
