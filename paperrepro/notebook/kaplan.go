package notebook

import (
	"fmt"
	"math"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// BytesPerToken is a source's bytes per token the paper's protocol scores
// (protocol.Seed: chr(b % 128), GPT-NeoX BPE, the first 1024 tokens):
// total bytes over total scored tokens.
func BytesPerToken(tok *tokenize.Tokenizer, src datasets.Source) float64 {
	seed := protocol.Seed{Tokenizer: tok}
	var bytes, tokens int
	for i := range src.NumChunks() {
		chunk := Must(src.Chunk(i))
		bytes += len(chunk)
		tokens += len(Must(seed.Tokens(chunk)))
	}
	return float64(bytes) / float64(tokens)
}

// PythiaSize is a Pythia model's parameter count by name (as in the tables'
// rows): all of them, or only those outside the embeddings, as Kaplan et
// al. count them. It suits scaling.WithSizes.
func PythiaSize(nonEmbedding bool) func(model string) (float64, error) {
	return func(model string) (float64, error) {
		c, err := neox.PythiaConfig(model)
		if err != nil {
			return 0, err
		}
		if nonEmbedding {
			return float64(c.NonEmbeddingParameters()), nil
		}
		return float64(c.Parameters()), nil
	}
}

// UnitsTable fits the paper's law to a table's cells in three units: the
// compression ratio, nats per byte, and nats per token at bytesPerToken
// (Kaplan's loss L): the exponents stay, a, b and c scale.
func UnitsTable(obs []scaling.Observation, bytesPerToken float64) Table {
	t := NewTable([]string{"units of Table 2", "a", "b", "c", "α", "β", "R²"})
	for _, u := range []struct {
		name   string
		factor float64
	}{{"compression ratio (bits per bit)", 1}, {"nats per byte", 8 * math.Ln2}, {"nats per token (Kaplan's L)", 8 * math.Ln2 * bytesPerToken}} {
		fit := Must(scaling.Fit(scaling.PowerLaw{}, scaling.Rescaled(obs, u.factor)))
		c := fit.Coef
		t.Add(u.name, fmt.Sprintf("%.3f", c[0]), fmt.Sprintf("%.3g", c[1]), fmt.Sprintf("%.3g", c[2]), fmt.Sprintf("**%.3f**", c[3]), fmt.Sprintf("**%.3f**", c[4]), fmt.Sprintf("%.3f", fit.R2))
	}
	return t
}

// KaplanAlpha is the size exponent of Kaplan et al.'s form, a pure power
// law CR = (P_c/P)^α without a floor (scaling.LogLogFit), fitted to the
// cells at one step.
func KaplanAlpha(obs []scaling.Observation, step float64) float64 {
	var p, cr []float64
	for _, o := range obs {
		if o.S == step {
			p, cr = append(p, o.P), append(cr, o.CR)
		}
	}
	alpha, _, err := scaling.LogLogFit(p, cr)
	Check(err)
	return alpha
}

// PaperAlpha is the size exponent α of the paper's law fitted to obs.
func PaperAlpha(obs []scaling.Observation) float64 {
	alpha, _ := Must(scaling.Fit(scaling.PowerLaw{}, obs)).Coefficient("alpha")
	return alpha
}
