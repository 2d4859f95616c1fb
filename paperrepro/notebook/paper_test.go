package notebook

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

func TestPaperNumbersFromTheCheckout(t *testing.T) {
	if got := len(Paper().Tables); got != len(results.Modalities) {
		t.Fatalf("Paper() has %d tables, want %d", got, len(results.Modalities))
	}
	text := PaperTable("text")
	if cr, ok := text.CR("pythia-1.4b", 143000); !ok || cr != 0.115 {
		t.Errorf("Table 2, pythia-1.4b at step 143000: %v, %v; want 0.115", cr, ok)
	}
	// Table 1's text row: a=0.10, b=60, c=10, alpha=0.38, beta=0.75.
	if got, want := PaperCoef("text"), []float64{0.10, 60, 10, 0.38, 0.75}; len(got) != 5 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] || got[4] != want[4] {
		t.Errorf("PaperCoef(text) = %v, want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("PaperTable of an unknown modality did not stop the cell")
		}
	}()
	PaperTable("smell")
}

func TestComputedReadsTheFirstFolderThere(t *testing.T) {
	root := t.TempDir()
	if tables, dir := computed(root, SeedDirs...); tables != nil || dir != "" {
		t.Errorf("no results/: %v, %q", tables, dir)
	}
	// A float32 run's folder, holding a table as CSV.
	seed := filepath.Join(root, "results", "seed")
	if err := os.MkdirAll(seed, 0o755); err != nil {
		t.Fatal(err)
	}
	csv := "model,params,step,compression_ratio\npythia-70m,70000000,1000,0.25\n"
	if err := os.WriteFile(filepath.Join(seed, "table2_text.csv"), []byte(csv), 0o644); err != nil {
		t.Fatal(err)
	}
	tables, dir := computed(root, SeedDirs...)
	if dir != filepath.Join("results", "seed") || len(InOrder(tables)) != 1 {
		t.Fatalf("computed = %v, %q", tables, dir)
	}
	if cr, ok := tables["text"].CR("pythia-70m", 1000); !ok || cr != 0.25 {
		t.Errorf("the text cell: %v, %v", cr, ok)
	}
}
