package results

import (
	"math"
	"strings"
	"testing"
)

func TestCompareAndPrint(t *testing.T) {
	paper := Table{Modality: "image", Rows: []Row{
		{Model: "pythia-160m", Params: 160e6, Step: 1000, CR: 0.60},
		{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.62},
		{Model: "pythia-70m", Params: 70e6, Step: 8000, CR: 0.58},
	}}
	ours := Table{Modality: "image", Rows: []Row{
		{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.64},
		{Model: "pythia-160m", Params: 160e6, Step: 1000, CR: 0.70},
	}}
	cmp := Compare(paper, ours)
	if len(cmp) != 3 || cmp[0].Model != "pythia-70m" || cmp[0].Step != 1000 || cmp[2].Model != "pythia-160m" {
		t.Fatalf("Compare order: %+v, want the paper's cells by size then step", cmp)
	}
	if math.Abs(cmp[0].Diff()-0.02) > 1e-12 || cmp[1].Have() || !cmp[2].Have() {
		t.Errorf("Compare = %+v", cmp)
	}
	var out strings.Builder
	compared, within := PrintComparison(&out, "image", cmp, PaperTolerance("image"))
	if compared != 2 || within != 1 {
		t.Errorf("PrintComparison counted %d compared, %d within; want 2, 1", compared, within)
	}
	for _, want := range []string{"+0.0200", "not computed", "off by more than 0.03", "image: 2 of 3 cells computed, 1 of them within 0.03"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed comparison lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	PrintComparison(&out, "image", cmp, 1e-4) // the mini grid's tolerance against PyTorch
	if !strings.Contains(out.String(), "off by more than 0.0001") || !strings.Contains(out.String(), "within 0.0001 of") {
		t.Errorf("a tolerance of 1e-4 is not printed as such:\n%s", out.String())
	}
	if PaperTolerance("text") != 0.01 || PaperTolerance("speech") != 0.03 {
		t.Errorf("tolerances text %v speech %v", PaperTolerance("text"), PaperTolerance("speech"))
	}
}
