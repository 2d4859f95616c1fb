package figures

import (
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// registered returns the project's registered prediction.
func registered(t *testing.T) scaling.Predictions {
	t.Helper()
	ps, err := scaling.ReadPredictions(testenv.Expected(t, "registered_predictions.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestBeyond draws the registered prediction with made-up computed cells
// (test data, never results): one panel per step and modality, the computed
// cells' source in the key, every size and step labelled.
func TestBeyond(t *testing.T) {
	tables, laws := paper(t)
	ps := registered(t)
	computed := []results.Table{{Modality: "text", Source: "this project, computed 2026-01-02, test", Rows: []results.Row{
		{Model: "pythia-2.8b", Params: 2.8e9, Step: 143000, CR: 0.116},
		{Model: "pythia-12b", Params: 12e9, Step: 143000, CR: 0.13},
		{Model: "pythia-1.4b", Params: 1.4e9, Step: 143000, CR: 0.115}, // not predicted: not drawn as computed
	}}}
	f, err := Beyond(tables, laws, ps, computed)
	if err != nil {
		t.Fatal(err)
	}
	if len(f.grid.cells) != 5 || len(f.grid.cells[0]) != 3 {
		t.Fatalf("%d x %d panels, want 5 steps x 3 modalities", len(f.grid.cells), len(f.grid.cells[0]))
	}
	text := strings.Join(strs(drawText(t, f)), "\n")
	for _, want := range []string{
		"this project's refit of paper, Tables 2-4, P as nominal parameter counts",
		"cells the law was fitted to (paper, Tables 2-4)",
		"registered prediction, bootstrap interval", "spread over 5 forms",
		"computed: this project, computed 2026-01-02, test",
		"text, step 1k", "speech, step 143k", "70M", "1.4B", "2.8B", "6.9B", "12B",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the figure does not say %q:\n%s", want, text)
		}
	}
	if strings.Contains(strings.ToLower(text), "measured") {
		t.Errorf("the figure calls cells measured:\n%s", text)
	}

	// Without computed cells there is nothing computed in the key.
	f, err = Beyond(tables, laws, ps, nil)
	if err != nil {
		t.Fatal(err)
	}
	if text := strings.Join(strs(drawText(t, f)), "\n"); strings.Contains(text, "computed:") {
		t.Errorf("a figure without computed cells has a key for them:\n%s", text)
	}

	// A prediction of no modality drawn is an error, not an empty figure.
	other := scaling.Predictions{Law: "law", Rows: []scaling.Prediction{{Modality: "video", Point: scaling.Point{P: 1e9, Step: 1}, CR: 0.5}}}
	if _, err := Beyond(tables, laws, other, nil); err == nil || !strings.Contains(err.Error(), "covers none of the tables' modalities") {
		t.Errorf("prediction of another modality: %v", err)
	}
}
