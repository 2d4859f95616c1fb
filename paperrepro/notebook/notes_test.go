package notebook

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/cite"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

func TestNotesOnThePapersTables(t *testing.T) {
	tables := Paper().Tables
	if got := R2Table(tables).Text(); !strings.Contains(got, "text\t0.965\t0.877\tholds") || !strings.Contains(got, "image\t0.912\t0.787\t**fails**") {
		t.Errorf("R2Table:\n%s", got)
	}
	text := PaperTable("text")
	if got := LastCR(text, "pythia-70m"); got != 0.175 {
		t.Errorf("LastCR(text, pythia-70m) = %v, want 0.175", got)
	}
	lo, hi := Extremes(PaperTable("image"))
	if lo.CR != 0.434 || hi.CR != 0.668 || hi.Model != "pythia-410m" || hi.Step != 1000 {
		t.Errorf("image's extremes: %+v, %+v", lo, hi)
	}
	r := FindRises(text)
	if len(r.InS) != 3 || r.PairsS != 20 || len(r.InP) != 1 || r.InP[0] != "160m→410m @1k" {
		t.Errorf("text's rises: %+v", r)
	}
	bounds, free, capped := MonotoneTable(tables)
	if len(bounds.Rows) != 3 || strings.Join(free, ",") != "text" || strings.Join(capped, "; ") != "image below 0.966; speech below 0.967" {
		t.Errorf("MonotoneTable: free %q, capped %q", free, capped)
	}
	gains := SizeGains(tables, 0.005)
	if g := gains[2]; g.Modality != "speech" || math.Abs(g.Gain-0.032) > 5e-4 || math.Abs(g.StepsToNegligible-115e3) > 1e3 {
		t.Errorf("speech's size gain: %+v; want 0.032 of CR and about 115k steps", g)
	}
	if got := SizeGainsTable(gains, text.Models(), 0.005).Text(); !strings.Contains(got, "text\t0.38\t0.043\t0.75\t10\t25.2k") {
		t.Errorf("SizeGainsTable:\n%s", got)
	}
	blog := map[string][]float64{"text": {1, 0.44, 0.14, 0.38, 0.75}, "image": {1, 0.2, 0.2, 0.15, 0.61}, "speech": {1, 0.17, 0.11, 0.17, 0.45}}
	bt, lowest, highest := BlogTable(tables, blog)
	if len(bt.Rows) != 3 || lowest <= 1 || highest != 0.770 {
		t.Errorf("BlogTable: lowest prediction %v (want above 1), highest cell %v (want 0.770)", lowest, highest)
	}
}

func TestTokenizerFileAndPythiasVocabulary(t *testing.T) {
	f, err := ReadTokenizerFile(filepath.Join(DefaultPlaces().Repo, "testdata", "tokenizer", "tokenizer.json"))
	if err != nil || f.Type != "BPE" || f.Vocabulary != 50254 || f.Merges != 50009 || f.AddedTokens != 25 {
		t.Errorf("ReadTokenizerFile = %+v, %v", f, err)
	}
	if _, err := ReadTokenizerFile("nope.json"); err == nil || !strings.Contains(err.Error(), "nope.json") {
		t.Errorf("a missing file: %v", err)
	}
}

func TestChunkSpreadTable(t *testing.T) {
	c := &results.Cell{Modality: "text", Model: "pythia-70m", Step: 1000, PerChunk: []results.ChunkResult{{CR: 0.1}, {CR: 0.3}, {CR: 9, Dropped: true}}}
	// Two chunks kept: mean 0.2, SD 0.141, standard error 0.1.
	if got := ChunkSpreadTable([]*results.Cell{c}).Text(); !strings.Contains(got, "text\tpythia-70m\t1000\t2\t0.200\t0.141\t0.1000") {
		t.Errorf("ChunkSpreadTable:\n%s", got)
	}
}

func TestKaplansFormAndUnits(t *testing.T) {
	text := PaperTable("text")
	obs := scaling.Observations(text)
	exact, err := scaling.WithSizes(obs, scaling.SizeBy(scaling.NonEmbedding, pythiaConfig, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := KaplanAlpha(exact, 143000); math.Abs(got-0.102) > 5e-4 {
		t.Errorf("Kaplan's form on non-embedding sizes: α = %.4f, want 0.102", got)
	}
	if alpha, r2 := PaperAlpha(obs); math.Abs(alpha-0.393) > 5e-4 || math.Abs(r2-0.965) > 5e-4 {
		t.Errorf("the paper's form: α = %.4f, R² %.4f; want 0.393, 0.965", alpha, r2)
	}
	if alpha, r2 := PaperAlpha(exact); math.Abs(alpha-0.0985) > 5e-5 || math.Abs(r2-0.9657) > 5e-5 {
		t.Errorf("the paper's form on non-embedding sizes: α = %.4f, R² %.4f; want 0.0985, 0.9657", alpha, r2)
	}
	units := UnitsTable(obs, 3.59).Text()
	// Units change a, b and c, and leave the exponents.
	if strings.Count(units, "**0.393**\t**0.759**") != 3 {
		t.Errorf("UnitsTable: α and β must stay in every unit:\n%s", units)
	}
}

func TestParameterCounts(t *testing.T) {
	models := PaperTable("text").Models()
	if got := ParamCountsTable(models, pythiaConfig).Text(); !strings.Contains(got, "model\tnominal\ttotal\tnon-embedding\tnon-embedding share\npythia-70m\t70 M\t70.4 M\t18.9 M\t27%") {
		t.Errorf("ParamCountsTable:\n%s", got)
	}
	if got := AlphaBySizeTable(Paper().Tables, pythiaConfig).Text(); !strings.Contains(got, "text\t0.393\t0.965\t0.397\t0.966\t0.099\t0.966") {
		t.Errorf("AlphaBySizeTable:\n%s", got)
	}
	described := DescribeCounts()
	for _, c := range scaling.Counts() {
		if !strings.Contains(described, "- **"+string(c)+"**: "+c.Describe()) {
			t.Errorf("DescribeCounts lacks %s:\n%s", c, described)
		}
	}
}

func TestCitedNumber(t *testing.T) {
	if got := CitedNumber(KaplanAlphaN); got != 0.076 {
		t.Errorf("CitedNumber(KaplanAlphaN) = %g", got)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "not a number") {
			t.Errorf("a fact that is no number: recovered %v", r)
		}
	}()
	CitedNumber(cite.Fact{Value: "2025-07-09", Source: "x"})
}

// pythiaConfig is pythia.Parameters, which imports this package.
func pythiaConfig(model string) (scaling.Parameters, error) { return neox.PythiaConfig(model) }
