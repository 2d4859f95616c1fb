package results

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Row is one cell of a compression-ratio table: one checkpoint of one model
// compressing one modality.
type Row struct {
	// Model is the model name, e.g. "pythia-410m" or a local model's name.
	Model string
	// Params is the model size used as P in the scaling law. The paper uses
	// the nominal size (70e6 for pythia-70m); a table may hold exact counts.
	Params float64
	// Step is the training step of the checkpoint, used as S.
	Step int
	// CR is the compression ratio: compressed bits / (8 * original bytes).
	CR float64
}

// Table is the compression ratios of one modality over a grid of model sizes
// and training steps. Rows are in no particular order; Sort orders them by
// size, then step.
type Table struct {
	// Modality is "text", "image" or "speech" (or empty when unknown).
	Modality string
	// Rows holds one entry per (model, step) cell.
	Rows []Row
	// Source says where the numbers come from, for legends and reports:
	// "paper, Table 2" for the paper's transcribed tables (LoadPaper),
	// "this project, computed 2025-08-01, xla:cuda" for cells of a run
	// (CellTables), "" when the reader cannot tell (a table CSV).
	Source string
}

// Modalities lists the paper's modalities in the order it presents them.
var Modalities = []string{"text", "image", "speech"}

// ModelSize is one model of a table and its size.
type ModelSize struct {
	Name   string
	Params float64
}

// Models returns the table's distinct models, smallest first.
func (t Table) Models() []ModelSize {
	var ms []ModelSize
	seen := map[string]bool{}
	for _, r := range t.Rows {
		if !seen[r.Model] {
			seen[r.Model] = true
			ms = append(ms, ModelSize{Name: r.Model, Params: r.Params})
		}
	}
	slices.SortFunc(ms, func(x, y ModelSize) int {
		return cmp.Or(cmp.Compare(x.Params, y.Params), cmp.Compare(x.Name, y.Name))
	})
	return ms
}

// Steps returns the table's distinct training steps, in increasing order.
func (t Table) Steps() []int {
	var steps []int
	for _, r := range t.Rows {
		if !slices.Contains(steps, r.Step) {
			steps = append(steps, r.Step)
		}
	}
	slices.Sort(steps)
	return steps
}

// CR returns the compression ratio of model at step, and whether the table
// has that cell.
func (t Table) CR(model string, step int) (float64, bool) {
	for _, r := range t.Rows {
		if r.Model == model && r.Step == step {
			return r.CR, true
		}
	}
	return 0, false
}

// Sort orders the rows by model size, then model name, then step.
func (t Table) Sort() {
	slices.SortFunc(t.Rows, func(x, y Row) int {
		return cmp.Or(cmp.Compare(x.Params, y.Params), cmp.Compare(x.Model, y.Model), cmp.Compare(x.Step, y.Step))
	})
}

// Validate checks that the table is a usable grid: every value finite and in
// range, each model with one size, no cell twice, and no cell missing (every
// model has every step). Errors name the offending model and step.
func (t Table) Validate() error {
	if len(t.Rows) == 0 {
		return fmt.Errorf("%s table has no rows", t.label())
	}
	size := map[string]float64{}
	type key struct {
		model string
		step  int
	}
	seen := map[key]bool{}
	for _, r := range t.Rows {
		if err := r.validate(); err != nil {
			return fmt.Errorf("%s table: %w", t.label(), err)
		}
		if p, ok := size[r.Model]; ok && p != r.Params {
			return fmt.Errorf("%s table: model %s has two sizes, %g and %g", t.label(), r.Model, p, r.Params)
		}
		size[r.Model] = r.Params
		k := key{r.Model, r.Step}
		if seen[k] {
			return fmt.Errorf("%s table: model %s step %d appears twice", t.label(), r.Model, r.Step)
		}
		seen[k] = true
	}
	for _, m := range t.Models() {
		for _, s := range t.Steps() {
			if !seen[key{m.Name, s}] {
				return fmt.Errorf("%s table: missing cell for model %s at step %d (other models have it)", t.label(), m.Name, s)
			}
		}
	}
	return nil
}

func (t Table) label() string {
	if t.Modality == "" {
		return "unnamed"
	}
	return t.Modality
}

// validate checks one row's values, naming the field at fault.
func (r Row) validate() error {
	switch {
	case strings.TrimSpace(r.Model) == "":
		return errors.New("field model: empty")
	case !(r.Params > 0) || math.IsInf(r.Params, 0):
		return fmt.Errorf("model %s: field params: %g is not a positive size", r.Model, r.Params)
	case r.Step < 1:
		return fmt.Errorf("model %s: field step: %d: the scaling law needs a training step of at least 1 (S^-beta); "+
			"for a local checkpoint give its step with -step", r.Model, r.Step)
	case !(r.CR > 0) || math.IsInf(r.CR, 0):
		return fmt.Errorf("model %s step %d: field compression_ratio: %g is not a positive ratio", r.Model, r.Step, r.CR)
	}
	return nil
}
