package notebook

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/figures"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// R2Table checks Section 4.3's "R² > 0.95 across all modalities" on each
// table: the R² of the best least-squares fit and of the paper's Table 1
// coefficients (scaling.Evaluate).
func R2Table(tables []results.Table) Table {
	t := NewTable([]string{"modality", "R², best least-squares fit", "R², paper's Table 1 coefficients", "R² > 0.95?"})
	for _, tab := range tables {
		fit := Must(scaling.FitTable(scaling.PowerLaw{}, tab))
		printed := Must(scaling.Evaluate(scaling.PowerLaw{}, PaperCoef(tab.Modality), scaling.Observations(tab)))
		verdict := map[bool]string{true: "holds", false: "**fails**"}[fit.R2 > 0.95]
		t.Add(tab.Modality, fmt.Sprintf("%.3f", fit.R2), fmt.Sprintf("%.3f", printed.R2), verdict)
	}
	return t
}

// LastCR is a model's CR at a table's last step.
func LastCR(t results.Table, model string) float64 {
	steps := t.Steps()
	cr, _ := t.CR(model, steps[len(steps)-1])
	return cr
}

// Extremes returns a table's cells of lowest and highest CR.
func Extremes(t results.Table) (lowest, highest results.Row) {
	lowest, highest = t.Rows[0], t.Rows[0]
	for _, r := range t.Rows {
		if r.CR < lowest.CR {
			lowest = r
		}
		if r.CR > highest.CR {
			highest = r
		}
	}
	return lowest, highest
}

// ChunkSpreadTable gives, for each computed cell, the spread of its
// chunks' CRs: their standard deviation and the standard error of the mean.
func ChunkSpreadTable(cells []*results.Cell) Table {
	t := NewTable([]string{"modality", "model", "step", "chunks kept", "mean CR", "SD across chunks", "standard error of the mean"})
	for _, c := range cells {
		var crs []float64
		for _, pc := range c.PerChunk {
			if !pc.Dropped {
				crs = append(crs, pc.CR)
			}
		}
		mean, sd := stat.MeanStdDev(crs, nil)
		t.Add(c.Modality, c.Model, fmt.Sprint(c.Step), fmt.Sprint(len(crs)), fmt.Sprintf("%.3f", mean), fmt.Sprintf("%.3f", sd), fmt.Sprintf("%.4f", sd/math.Sqrt(float64(len(crs)))))
	}
	return t
}

// ComputedCellFiles reads the grid's cells of the paper's protocol from the
// first of SeedDirs under results/ (nil when none is there).
func ComputedCellFiles() []*results.Cell {
	root := DefaultPlaces().Repo
	for _, d := range SeedDirs {
		if dir := filepath.Join(root, "results", d); exists(dir) {
			return Must(results.ReadCells(dir))
		}
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Rises lists a table's cells that go up where a decreasing law must go
// down: a model worse after more steps ("70m 32k→128k"), and a bigger
// model worse than the next smaller one at a step ("160m→410m @1k"), with
// how many such pairs there are.
type Rises struct {
	InS, InP       []string
	PairsS, PairsP int
}

// FindRises finds a table's Rises.
func FindRises(t results.Table) Rises {
	models, steps := t.Models(), t.Steps()
	short := func(m string) string { return strings.TrimPrefix(m, "pythia-") }
	count := func(s int) string { return figures.Count(float64(s)) }
	r := Rises{PairsS: len(models) * (len(steps) - 1), PairsP: len(steps) * (len(models) - 1)}
	for i := 1; i < len(steps); i++ {
		for _, g := range Must(scaling.StepGains(scaling.Observations(t), float64(steps[i-1]), float64(steps[i]))) {
			if g.Gain < 0 {
				r.InS = append(r.InS, fmt.Sprintf("%s %s→%s", short(g.Model), count(steps[i-1]), count(steps[i])))
			}
		}
	}
	for _, s := range steps {
		for i := 1; i < len(models); i++ {
			a, _ := t.CR(models[i-1].Name, s)
			b, _ := t.CR(models[i].Name, s)
			if b > a {
				r.InP = append(r.InP, fmt.Sprintf("%s→%s @%s", short(models[i-1].Name), short(models[i].Name), count(s)))
			}
		}
	}
	return r
}

// RisesTable lists each table's Rises.
func RisesTable(tables []results.Table) Table {
	t := NewTable([]string{"modality", "CR rises with more steps", "CR rises with a bigger model"})
	for _, tab := range tables {
		r := FindRises(tab)
		t.Add(tab.Modality, fmt.Sprintf("**%d** of %d: %s", len(r.InS), r.PairsS, strings.Join(r.InS, ", ")), fmt.Sprintf("**%d** of %d: %s", len(r.InP), r.PairsP, strings.Join(r.InP, ", ")))
	}
	return t
}

// MonotoneTable sets, per table, the upper bounds on the R² of any law
// decreasing in S and in P (scaling.MonotoneBound) beside the power law's
// R²; free names the tables whose bounds are both at least 0.995, capped
// the others with their bound in P ("image below 0.966").
func MonotoneTable(tables []results.Table) (t Table, free, capped []string) {
	t = NewTable([]string{"modality", "R² bound, any law decreasing in S", "R² bound, any law decreasing in P", "R², power-law fit"})
	for _, tab := range tables {
		inS, inP := scaling.MonotoneBound(scaling.Observations(tab))
		fit := Must(scaling.FitTable(scaling.PowerLaw{}, tab))
		t.Add(tab.Modality, fmt.Sprintf("%.3f", inS), fmt.Sprintf("%.3f", inP), fmt.Sprintf("%.3f", fit.R2))
		if min(inS, inP) >= 0.995 {
			free = append(free, tab.Modality)
		} else {
			capped = append(capped, fmt.Sprintf("%s below %.3f", tab.Modality, inP))
		}
	}
	return t, free, capped
}

// SizeGain is what the paper's Table 1 says a table's range of model sizes
// buys at its last step, b (P_min^−α − P_max^−α), beside α, β and c, and
// the steps until c·S^−β falls below negligible.
type SizeGain struct {
	Modality                string
	Alpha, Beta, C          float64
	Gain, StepsToNegligible float64
}

// SizeGains measures each table's SizeGain under the paper's coefficients.
func SizeGains(tables []results.Table, negligible float64) []SizeGain {
	var out []SizeGain
	for _, t := range tables {
		coef := PaperCoef(t.Modality)
		models, steps := t.Models(), t.Steps()
		last := float64(steps[len(steps)-1])
		_, small, _ := scaling.PowerLaw{}.Terms(coef, models[0].Params, last)
		_, large, _ := scaling.PowerLaw{}.Terms(coef, models[len(models)-1].Params, last)
		out = append(out, SizeGain{Modality: t.Modality, Alpha: coef[3], Beta: coef[4], C: coef[2], Gain: small - large,
			StepsToNegligible: math.Pow(coef[2]/negligible, 1/coef[4])})
	}
	return out
}

// SizeGainsTable sets out the size gains.
func SizeGainsTable(gs []SizeGain, models []results.ModelSize, negligible float64) Table {
	t := NewTable([]string{"modality", "α", fmt.Sprintf("CR gained %s → %s (Table 1)", figures.Count(models[0].Params), figures.Count(models[len(models)-1].Params)), "β", "c", fmt.Sprintf("steps until $c\\,S^{-\\beta}$ < %g", negligible)})
	for _, g := range gs {
		t.Add(g.Modality, fmt.Sprintf("%.2f", g.Alpha), fmt.Sprintf("%.3f", g.Gain), fmt.Sprintf("%.2f", g.Beta), fmt.Sprintf("%.0f", g.C), figures.Count(g.StepsToNegligible))
	}
	return t
}

// BlogTable sets other Table 1 coefficients (the author's blog post's, by
// modality) beside the paper's: the law's value at the smallest model and
// first step, and each set's RMSE on the tables. lowest is the lowest
// value the other coefficients give over all cells, highest the highest
// CR in the tables.
func BlogTable(tables []results.Table, blog map[string][]float64) (t Table, lowest, highest float64) {
	coefText := func(c []float64, format string) string {
		return fmt.Sprintf("a=%.2f b="+format+" c="+format+" α=%.2f β=%.2f", c[0], c[1], c[2], c[3], c[4])
	}
	models, steps := tables[0].Models(), tables[0].Steps()
	t = NewTable([]string{"modality", "blog", "paper", fmt.Sprintf("blog's CR(%s, step %s)", figures.Count(models[0].Params), figures.Count(float64(steps[0]))), "RMSE on the tables, blog", "RMSE, paper"})
	lowest, highest = math.Inf(1), math.Inf(-1)
	for _, tab := range tables {
		obs := scaling.Observations(tab)
		other, paper := blog[tab.Modality], PaperCoef(tab.Modality)
		otherFit := Must(scaling.Evaluate(scaling.PowerLaw{}, other, obs))
		paperFit := Must(scaling.Evaluate(scaling.PowerLaw{}, paper, obs))
		for _, c := range otherFit.Cells {
			lowest, highest = min(lowest, c.Predicted), max(highest, c.CR)
		}
		m, s := tab.Models(), tab.Steps()
		t.Add(tab.Modality, coefText(other, "%.2f"), coefText(paper, "%.3g"), fmt.Sprintf("%.3f", scaling.PowerLaw{}.Eval(other, m[0].Params, float64(s[0]))),
			fmt.Sprintf("%.3f", otherFit.RMSE), fmt.Sprintf("%.3f", paperFit.RMSE))
	}
	return t, lowest, highest
}

// ParamCountsTable gives each model's size under every count of
// parameters (scaling.Counts: the nominal size the tables use as P, and the
// total and non-embedding counts of its configuration, config(model), as
// scaling.SizeBy takes it: pythia.Parameters), and the non-embedding share
// of the total.
func ParamCountsTable(models []results.ModelSize, config func(model string) (scaling.Parameters, error)) Table {
	head := []string{"model"}
	for _, c := range scaling.Counts() {
		head = append(head, string(c))
	}
	t := NewTable(append(head, "non-embedding share"))
	for _, m := range models {
		row := []string{m.Name}
		size := map[scaling.Count]float64{}
		for _, c := range scaling.Counts() {
			size[c] = Must(scaling.SizeBy(c, config, nil)(m.Name))
			format := "%.1f M" // counts, to a tenth of a million
			if c == scaling.Nominal {
				format = "%g M" // as the name states it
			}
			row = append(row, fmt.Sprintf(format, size[c]/1e6))
		}
		t.Add(append(row, fmt.Sprintf("%.0f%%", 100*size[scaling.NonEmbedding]/size[scaling.Total]))...)
	}
	return t
}

// DescribeCounts lists what P is under each count of parameters
// (scaling.Count.Describe), as Markdown.
func DescribeCounts() string {
	var lines []string
	for _, c := range scaling.Counts() {
		lines = append(lines, fmt.Sprintf("- **%s**: %s", c, c.Describe()))
	}
	return strings.Join(lines, "\n")
}

// AlphaBySizeTable fits the paper's law to each table with P under every
// count of parameters (scaling.TablesWithSizes, the counts from config, as
// for ParamCountsTable): α and R² of each.
func AlphaBySizeTable(tables []results.Table, config func(model string) (scaling.Parameters, error)) Table {
	head := []Cell{{Text: "modality", RowSpan: 2}}
	var sub []Cell
	fits := map[scaling.Count][]*scaling.Result{}
	for _, c := range scaling.Counts() {
		head = append(head, Cell{Text: "P " + string(c), Cols: 2})
		sub = append(sub, Row("α", "R²")...)
		for _, tab := range Must(scaling.TablesWithSizes(tables, c, config)) {
			fits[c] = append(fits[c], Must(scaling.FitTable(scaling.PowerLaw{}, tab)))
		}
	}
	t := Table{Head: [][]Cell{head, sub}}
	for i, tab := range tables {
		row := []string{tab.Modality}
		for _, c := range scaling.Counts() {
			alpha, _ := fits[c][i].Coefficient("alpha")
			row = append(row, fmt.Sprintf("%.3f", alpha), fmt.Sprintf("%.3f", fits[c][i].R2))
		}
		t.Add(row...)
	}
	return t
}

// TokenizerSummary is what a tokenizer.json says of its model.
type TokenizerSummary struct {
	Type                            string
	Vocabulary, Merges, AddedTokens int
}

// ReadTokenizerFile reads a Hugging Face tokenizer.json's model type and
// sizes.
func ReadTokenizerFile(path string) (TokenizerSummary, error) {
	var file struct {
		Model struct {
			Type   string         `json:"type"`
			Vocab  map[string]int `json:"vocab"`
			Merges []any          `json:"merges"`
		} `json:"model"`
		AddedTokens []any `json:"added_tokens"`
	}
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, &file)
	}
	if err != nil {
		return TokenizerSummary{}, fmt.Errorf("reading %s as a tokenizer.json: %w", path, err)
	}
	return TokenizerSummary{Type: file.Model.Type, Vocabulary: len(file.Model.Vocab), Merges: len(file.Model.Merges), AddedTokens: len(file.AddedTokens)}, nil
}

// HighBytes is the share of a source's bytes of 128 or more: those whose
// top bit chr(b % 128) drops.
func HighBytes(src datasets.Source) float64 {
	high, total := 0, 0
	for i := range src.NumChunks() {
		for _, b := range Must(src.Chunk(i)) {
			if b >= 128 {
				high++
			}
			total++
		}
	}
	return float64(high) / float64(total)
}

// Truncation is what the paper's 1024-token cut does to a source's chunks.
type Truncation struct {
	Modality string
	// Tokens are each chunk's token count before the cut, sorted.
	Tokens []int
	// Over counts the chunks past the cut, of Chunks.
	Over, Chunks int
	// Unscored is the share of all bytes after the cut, never scored.
	Unscored float64
	// BytesPerToken is total bytes over total scored tokens.
	BytesPerToken float64
}

// Truncate measures the cut on a source's chunks (protocol.Seed's token
// path, before and after protocol.PaperMaxTokens).
func Truncate(tok *tokenize.Tokenizer, src datasets.Source) Truncation {
	r := Truncation{Modality: src.Modality(), Chunks: src.NumChunks()}
	all := protocol.Seed{Tokenizer: tok, MaxTokens: -1}
	var bytes, unscored, scored int
	for i := range src.NumChunks() {
		chunk := Must(src.Chunk(i))
		ids := Must(all.Tokens(chunk))
		kept := protocol.Truncate(ids, protocol.PaperMaxTokens)
		r.Tokens = append(r.Tokens, len(ids))
		bytes, scored = bytes+len(chunk), scored+len(kept)
		if len(kept) < len(ids) {
			r.Over++
			unscored += len(chunk) - len(Must(tok.DecodeBytes(kept)))
		}
	}
	slices.Sort(r.Tokens)
	r.Unscored, r.BytesPerToken = float64(unscored)/float64(bytes), float64(bytes)/float64(scored)
	return r
}

// TruncationTable sets out truncations.
func TruncationTable(ts []Truncation) Table {
	t := NewTable([]string{"modality", "median tokens per chunk", "range", fmt.Sprintf("chunks over %d tokens", protocol.PaperMaxTokens), "bytes never scored"})
	for _, r := range ts {
		t.Add(r.Modality, fmt.Sprint(r.Tokens[len(r.Tokens)/2]), fmt.Sprintf("%d – %d", r.Tokens[0], r.Tokens[len(r.Tokens)-1]),
			fmt.Sprintf("%d of %d", r.Over, r.Chunks), fmt.Sprintf("%.0f%%", 100*r.Unscored))
	}
	return t
}
