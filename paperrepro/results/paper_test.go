package results

import (
	"fmt"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

func TestLoadPaper(t *testing.T) {
	p, err := LoadPaper(testenv.Expected(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Modalities {
		tab, ok := p.Table(m)
		if !ok {
			t.Fatalf("no %s table", m)
		}
		// The paper's grid: 5 Pythia sizes x 5 checkpoints = 25 cells.
		if len(tab.Models()) != 5 || len(tab.Steps()) != 5 || len(tab.Rows) != 25 {
			t.Errorf("%s: %d models x %d steps, %d rows; want 5 x 5, 25", m, len(tab.Models()), len(tab.Steps()), len(tab.Rows))
		}
		for _, ms := range tab.Models() {
			if nominal, ok := NominalParams(ms.Name); !ok || nominal != ms.Params {
				t.Errorf("%s: %s has params %g, its name says %g", m, ms.Name, ms.Params, nominal)
			}
		}
		if _, ok := p.Coefficients(m); !ok {
			t.Errorf("no Table 1 row for %s", m)
		}
	}
	if p.Prediction.Modality != "text" || p.Prediction.Params != 5e9 || p.Prediction.Step != 2e5 {
		t.Errorf("prediction %+v, want text at P=5e9, S=2e5", p.Prediction)
	}
}

// Example loads the paper's numbers and looks one up.
func ExampleLoadPaper() {
	paper, err := LoadPaper("../../expected")
	if err != nil {
		fmt.Println(err)
		return
	}
	text, _ := paper.Table("text")
	cr, _ := text.CR("pythia-1.4b", 143000)
	coef, _ := paper.Coefficients("text")
	fmt.Printf("text, pythia-1.4b at step 143000: CR %.3f\n", cr)
	fmt.Printf("Table 1 text: a=%.2f alpha=%.2f beta=%.2f\n", coef.A, coef.Alpha, coef.Beta)
	fmt.Printf("models: %d, steps: %v\n", len(text.Models()), text.Steps())
	// Output:
	// text, pythia-1.4b at step 143000: CR 0.115
	// Table 1 text: a=0.10 alpha=0.38 beta=0.75
	// models: 5, steps: [1000 8000 32000 128000 143000]
}
