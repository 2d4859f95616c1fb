package notebook

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// grid is a 2-model, 4-step table whose small model gets worse at the end
// and whose large one is no better than the small one at the last step.
func grid() results.Table {
	return results.Table{Modality: "text", Rows: []results.Row{
		{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.30},
		{Model: "pythia-70m", Params: 70e6, Step: 8000, CR: 0.20},
		{Model: "pythia-70m", Params: 70e6, Step: 32000, CR: 0.19},
		{Model: "pythia-70m", Params: 70e6, Step: 143000, CR: 0.21},
		{Model: "pythia-160m", Params: 160e6, Step: 1000, CR: 0.32},
		{Model: "pythia-160m", Params: 160e6, Step: 8000, CR: 0.22},
		{Model: "pythia-160m", Params: 160e6, Step: 32000, CR: 0.215},
		{Model: "pythia-160m", Params: 160e6, Step: 143000, CR: 0.21},
	}}
}

func TestReadTable(t *testing.T) {
	r := ReadTable(grid())
	if len(r.LastCRs) != 2 || r.LastCRs[0] != 0.21 || r.LastCRs[1] != 0.21 {
		t.Errorf("LastCRs = %v", r.LastCRs)
	}
	if len(r.NotBetter) != 1 || r.NotBetter[0] != "pythia-70m → pythia-160m (0.210 → 0.210)" {
		t.Errorf("NotBetter = %q", r.NotBetter)
	}
	// Only the 70m's last step makes it worse.
	if r.WorseSteps != 1 || r.StepPairs != 6 {
		t.Errorf("WorseSteps = %d of %d, want 1 of 6", r.WorseSteps, r.StepPairs)
	}
	rs := Readings{r, r}
	if got := rs.LateWorse(); len(got) != 2 || got[0] != "text: pythia-70m" {
		t.Errorf("LateWorse = %q", got)
	}
	if worse, of := rs.WorseSteps(); worse != 2 || of != 12 {
		t.Errorf("Readings.WorseSteps = %d of %d, want 2 of 12", worse, of)
	}
	tab := ReadingsTable(rs)
	if got := tab.Text(); !strings.Contains(got, "text\t0.210 → 0.210\t+0.100, +0.100 (0.100)\t-0.020, +0.005") {
		t.Errorf("ReadingsTable:\n%s", got)
	}
}

func TestHeatTableShadesWithinTheTableAndShowsOurs(t *testing.T) {
	ours := results.Table{Modality: "text", Rows: []results.Row{{Model: "pythia-70m", Params: 70e6, Step: 1000, CR: 0.31}}}
	tab := HeatTable(grid(), ours)
	if tab.Caption != "Table 2 · text (enwik8)" || len(tab.Rows) != 2 || len(tab.Rows[0]) != 5 {
		t.Fatalf("heat table %+v", tab)
	}
	if got := tab.Rows[0][1].Text; got != "0.310 / 0.300" {
		t.Errorf("a computed cell reads %q, want ours / paper", got)
	}
	// The lowest CR (0.19) is the darkest, the highest (0.32) the palest.
	html := tab.HTML()
	if !strings.Contains(html, `bgcolor="#1e3c78"><font color="white">0.190</font>`) || !strings.Contains(html, `bgcolor="#f0f5fa">0.320<`) {
		t.Errorf("shading:\n%s", html)
	}
}
