package notebook

import (
	"math"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// The numbers below are the fits of the paper's own Tables 2-4, as
// notebooks 4 and 6 print them (scaling's tests check the fitter itself).

func TestTable1OfThePapersTables(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: three fits with 1000 bootstrap resamples each take seconds")
	}
	all := Analyses(Paper().Tables)
	tab := Table1Table(all)
	text := tab.Rows[0]
	if text[0].Text != "text" || !strings.HasPrefix(text[7].Text, "**0.393**") || text[8].Text != "0.38" || text[11].Text != "0.965" {
		t.Errorf("text's row: α %q (paper %q), R² %q; want 0.393, 0.38, 0.965", text[7].Text, text[8].Text, text[11].Text)
	}
	r := ReadTable1(all)
	if r.MaxDiff[3] > 0.02 || r.MaxDiff[4] > 0.01 || r.MaxDiff[0] > 0.006 {
		t.Errorf("the fit does not give back Table 1's exponents and a: %v", r.MaxDiff)
	}
	if len(r.TightAlpha) != 1 || !strings.HasPrefix(r.TightAlpha[0], "text [") || len(r.LooseAlpha) != 2 {
		t.Errorf("α clear of the bound: %q; on it: %q; want text alone clear", r.TightAlpha, r.LooseAlpha)
	}
	if strings.Join(r.LowR2, ", ") != "image (0.912), speech (0.933)" {
		t.Errorf("LowR2 = %q", r.LowR2)
	}
	holdouts := HoldoutTable(all)
	if len(holdouts.Rows) != 6 || holdouts.Rows[0][0].Text != "pythia-70m" || holdouts.Rows[5][0].Text != "all cells (in-sample)" {
		t.Errorf("holdout rows:\n%s", holdouts.Text())
	}
	effects := SizeEffects(all)
	if e := effects[0]; e.Modality != "text" || math.Abs(e.InTable-0.060) > 1e-9 || e.Worst != "pythia-70m" {
		t.Errorf("text's size effect: %+v; want 0.175 − 0.115 measured, worst held out pythia-70m", e)
	}
	if got := SizeEffectTable(effects).Text(); !strings.Contains(got, "text\t0.65 – 2.29 (largest for pythia-70m)") {
		t.Errorf("SizeEffectTable:\n%s", got)
	}
}

func TestFormsAndTheirSpreadAtThePrediction(t *testing.T) {
	pred, table := Paper().Prediction, PredictionTable()
	if table.Modality != datasets.Text || At(pred) != "CR(5B, 200k)" {
		t.Fatalf("prediction of %s at %s", table.Modality, At(pred))
	}
	cmps := CompareForms(table)
	if len(cmps) != 2 || cmps[0].Forms[0].Cells != 25 || cmps[1].Forms[0].Cells != 20 {
		t.Fatalf("comparisons on all 25 cells and the 20 without step 1000: %d", len(cmps))
	}
	forms := FormsTable(table, cmps)
	if forms.Caption != "text" || len(forms.Rows) != len(cmps[0].Forms) || !strings.Contains(forms.Head[0][3].Text, "without step 1k (20 cells)") {
		t.Errorf("FormsTable:\n%s", forms.Text())
	}
	s := Spread(cmps[0], pred.Params, pred.Step)
	if math.Abs(s.Estimate-0.1127) > 5e-5 || math.Abs(s.BootLo-0.1028) > 5e-5 || math.Abs(s.BootHi-0.1215) > 5e-5 {
		t.Errorf("the paper's form predicts %.4f [%.4f, %.4f]; want 0.1127 [0.1028, 0.1215]", s.Estimate, s.BootLo, s.BootHi)
	}
	if s.Lo > s.CloseLo || s.Hi < s.CloseHi || len(s.Close) < 2 {
		t.Errorf("spread %.4f–%.4f should hold the close forms' %.4f–%.4f (%q)", s.Lo, s.Hi, s.CloseLo, s.CloseHi, s.Close)
	}
	if got := PredictionFormsTable(table, cmps, pred).Text(); !strings.Contains(got, "CR(5B, 200k)") || !strings.Contains(got, "**0.1127**") {
		t.Errorf("PredictionFormsTable:\n%s", got)
	}
}

func TestTermsOfThePapersPrediction(t *testing.T) {
	pred := Paper().Prediction
	terms, total := TermsTable(PaperCoef(pred.Modality), pred)
	// 0.10 + 60 (5e9)^-0.38 + 10 (2e5)^-0.75 = 0.1134.
	if math.Abs(total-0.1134) > 5e-5 {
		t.Errorf("total %.4f, want 0.1134", total)
	}
	if got := terms.Text(); !strings.Contains(got, "$a$ (irreducible)\t0.1000\t88%") || !strings.Contains(got, "paper, Section 4.6, states\t≈ 0.115") {
		t.Errorf("TermsTable:\n%s", got)
	}
}

func TestOnBoundAndLastCell(t *testing.T) {
	b := &scaling.BootstrapResult{Options: scaling.BootstrapOptions{Resamples: 1000}, AtBound: []int{143, 0, 2}}
	if got := OnBound(b, []string{"a", "b", "c"}); got != "a in 143, c in 2 of the 1000" {
		t.Errorf("OnBound = %q", got)
	}
	b.AtBound = []int{0, 0, 0}
	if got := OnBound(b, []string{"a", "b", "c"}); got != "none" {
		t.Errorf("OnBound, none on a bound = %q", got)
	}
	h := scaling.Holdout{Cells: []scaling.Cell{{S: 8000, CR: 0.2}, {S: 143000, CR: 0.1}, {S: 1000, CR: 0.3}}}
	if got := LastCell(h); got.S != 143000 || got.CR != 0.1 {
		t.Errorf("LastCell = %+v", got)
	}
}

// Text's fit under each count of parameters: α 0.3934 nominal, 0.3967
// total, 0.0985 non-embedding, at nearly the same R² (`paperrepro fit
// -params` prints the same).
func TestCountAnalysesOfThePapersTables(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: nine fits with 1000 bootstrap resamples each take seconds")
	}
	cas := CountAnalyses(Paper().Tables, pythiaConfig)
	if len(cas) != 3 || cas[0].Count != scaling.Nominal || cas[2].Count != scaling.NonEmbedding {
		t.Fatalf("counts %v", cas)
	}
	want := "text: α 0.3934 (nominal), 0.3967 (total), 0.0985 (non-embedding); R² 0.9655 to 0.9657"
	if got := CountsReading(cas); len(got) != 3 || got[0] != want {
		t.Errorf("CountsReading = %q, want first %q", got, want)
	}
	if got := CountsR2Spread(cas); got <= 0 || got > 0.01 {
		t.Errorf("CountsR2Spread = %.4f, want R² to move by less than 0.01 between counts", got)
	}
	tab := CountsTable(cas)
	if len(tab.Rows) != 12 || tab.Rows[8][0].Cols != 5 || !strings.Contains(tab.Rows[8][0].Text, scaling.NonEmbedding.Describe()) {
		t.Fatalf("CountsTable: a heading row and three tables per count:\n%s", tab.Text())
	}
	if text := tab.Rows[9]; text[0].Text != "text" || !strings.HasPrefix(text[1].Text, "**0.0985** [") || text[3].Text != "0.9657" {
		t.Errorf("text's row under non-embedding counts: %v", text)
	}
}

func TestBestByAICcReportsTiesAsTies(t *testing.T) {
	cmps := CompareForms(PaperTable(datasets.Text))
	// All cells: ln(P) and the paper's form are 0.13 apart, a tie.
	if got := BestByAICc(cmps[0]); got != "tie: `CR = a + b*ln(P) + c*S^-beta`, `CR = a + b*P^-alpha + c*S^-beta`" {
		t.Errorf("text, all cells: %q", got)
	}
	// Without step 1000 the paper's form is clear of the next by 11.
	if got := BestByAICc(cmps[1]); got != "`CR = a + b*P^-alpha + c*S^-beta`" {
		t.Errorf("text, without step 1000: %q", got)
	}
	if clear, tied := PaperFormBest(cmps); clear != 1 || tied != 1 {
		t.Errorf("PaperFormBest: clear in %d, tied in %d; want 1 and 1", clear, tied)
	}
	forms := FormsTable(PaperTable(datasets.Text), cmps)
	if forms.Head[0][1].Text != "K = k + 1 (σ²)" || forms.Rows[0][1].Text != "6" || forms.Rows[1][1].Text != "4" {
		t.Errorf("K counts the five coefficients and σ² of the paper's form: %q, %q", forms.Head[0][1].Text, forms.Rows[0][1].Text)
	}
}

func TestRegisteredAndTable1Predictions(t *testing.T) {
	ps := RegisteredPredictions()
	if len(ps.Rows) != 45 || ps.Sizes != "nominal" || ps.Bootstrap.Resamples != 1000 {
		t.Errorf("registered predictions: %d rows, sizes %q, %d resamples; want 3 sizes × 5 steps × 3 modalities, nominal, 1000", len(ps.Rows), ps.Sizes, ps.Bootstrap.Resamples)
	}
	if p, ok := ps.Find(datasets.Text, "pythia-2.8b", 1000); !ok || p.CR != 0.194339 {
		t.Errorf("text, pythia-2.8b, step 1000: %+v", p)
	}
	cmds := PredictionCommands(ps)
	if len(cmds) != 3 || cmds[0] != "go run ./paperrepro/cmd/paperrepro run -float16 -models 2.8b,6.9b,12b" || !strings.HasSuffix(cmds[2], " figures") {
		t.Errorf("PredictionCommands = %q", cmds)
	}
	// 0.10 + 60 (5e9)^-0.38 + 10 (2e5)^-0.75 = 0.1134.
	if p := PaperPrediction(); math.Abs(p.CR-0.1134) > 5e-5 || p.P != 5e9 || p.Step != 200000 || p.HasInterval() {
		t.Errorf("PaperPrediction = %+v, want 0.1134 at (5e9, 200000) without an interval", p)
	}
}
