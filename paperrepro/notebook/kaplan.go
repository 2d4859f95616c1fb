package notebook

import (
	"fmt"
	"math"
	"strconv"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/datasets"
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

// KaplanAlphaN is Kaplan et al.'s exponent of loss against non-embedding
// parameters, L(N) = (N_c/N)^α_N, which Section 4.5 of the paper sets its
// α beside. It is cited, not computed here.
var KaplanAlphaN = cite.Fact{Value: "0.076", Source: "Kaplan et al. (2020), Eq. 1.1"}

// CitedNumber is the number a cited fact states, for arithmetic with it
// (how many times a computed exponent is the cited one); a fact that
// states no plain number stops the cell.
func CitedNumber(f cite.Fact) float64 {
	v, err := strconv.ParseFloat(f.Value, 64)
	if err != nil {
		Check(fmt.Errorf("the cited fact %s is not a number: %w", f, err))
	}
	return v
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

// PaperAlpha is the size exponent α of the paper's law fitted to obs, and
// the fit's R².
func PaperAlpha(obs []scaling.Observation) (alpha, r2 float64) {
	fit := Must(scaling.Fit(scaling.PowerLaw{}, obs))
	alpha, _ = fit.Coefficient("alpha")
	return alpha, fit.R2
}
