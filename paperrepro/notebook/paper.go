package notebook

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/scaling"
)

// Paper returns the paper's numbers (its Tables 1-4 and Section 4.6's
// prediction) from the checkout's expected/ folder, which every clone has.
// A checkout without them is broken, and the cell stops.
func Paper() results.Paper {
	paperOnce.Do(func() {
		paper, paperErr = results.LoadPaper(filepath.Join(DefaultPlaces().Repo, "expected"))
	})
	Check(paperErr)
	return paper
}

var (
	paperOnce sync.Once
	paper     results.Paper
	paperErr  error
)

// PaperTable returns the paper's table of a modality (Tables 2-4).
func PaperTable(modality string) results.Table {
	t, ok := Paper().Table(modality)
	if !ok {
		Check(fmt.Errorf("expected/ holds no paper table for %q", modality))
	}
	return t
}

// PaperCoef returns the paper's Table 1 row of a modality as the
// coefficients of scaling.PowerLaw (a, b, c, alpha, beta).
func PaperCoef(modality string) []float64 {
	c, ok := Paper().Coefficients(modality)
	if !ok {
		Check(fmt.Errorf("expected/ holds no Table 1 row for %q", modality))
	}
	return scaling.PowerLawCoef(c)
}

// The folders `paperrepro run` writes the grid's cells to, under the
// checkout's results/: the paper's protocol with its float16 model (what
// `make reproduce` runs), the same in float32, and the lossless protocol.
var (
	SeedDirs    = []string{"seed+float16", "seed"}
	LosslessDir = "lossless"
)

// Computed returns the grid's tables from the first of dirs (folders under
// results/) that exists, by modality, and that folder relative to the
// checkout ("" when none exists: nothing computed yet).
func Computed(dirs ...string) (tables map[string]results.Table, dir string) {
	return computed(DefaultPlaces().Repo, dirs...)
}

// computed is Computed for the checkout at root.
func computed(root string, dirs ...string) (tables map[string]results.Table, dir string) {
	for _, d := range dirs {
		path := filepath.Join(root, "results", d)
		if _, err := os.Stat(path); err != nil {
			continue
		}
		tables = map[string]results.Table{}
		for _, t := range Must(results.Read(path)) {
			tables[t.Modality] = t
		}
		return tables, filepath.Join("results", d)
	}
	return nil, ""
}

// InOrder returns the tables of by, in the order of results.Modalities,
// leaving out modalities it lacks.
func InOrder(by map[string]results.Table) []results.Table {
	var out []results.Table
	for _, m := range results.Modalities {
		if t, ok := by[m]; ok {
			out = append(out, t)
		}
	}
	return out
}
