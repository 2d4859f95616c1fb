package results

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/paperrepro/paperrepro/paperrepro/internal/csvtable"
)

// Files of the expected/ folder that LoadPaper reads.
const (
	PaperTable1File     = "table1_fit.csv"
	PaperPredictionFile = "prediction.csv"
)

// PaperTableFiles names the CSV of each modality's compression-ratio table
// (the paper's appendix Tables 2-4) in the expected/ folder.
var PaperTableFiles = map[string]string{
	"text":   "table2_text.csv",
	"image":  "table3_image.csv",
	"speech": "table4_speech.csv",
}

// paperTableNumbers numbers each modality's table as the paper does.
var paperTableNumbers = map[string]int{"text": 2, "image": 3, "speech": 4}

// PaperSource is the Source of the paper's table of modality as LoadPaper
// reads it: "paper, Table 2" for text, 3 for image, 4 for speech.
func PaperSource(modality string) string {
	return fmt.Sprintf("paper, Table %d", paperTableNumbers[modality])
}

// JoinSources names the distinct sources of tables once each, in order,
// joined by "; ", and the paper's tables together: "paper, Tables 2-4" for
// all three, "paper, Tables 3-4", "paper, Table 2". Tables without a source
// are left out; none at all gives "".
func JoinSources(tables []Table) string {
	var sources []string
	var numbers []int
	for _, t := range tables {
		if t.Source == "" || slices.Contains(sources, t.Source) {
			continue
		}
		sources = append(sources, t.Source)
		if n, ok := paperTableNumbers[t.Modality]; ok && t.Source == PaperSource(t.Modality) {
			numbers = append(numbers, n)
		}
	}
	if len(numbers) > 1 && len(numbers) == len(sources) {
		slices.Sort(numbers)
		if numbers[len(numbers)-1]-numbers[0] == len(numbers)-1 {
			return fmt.Sprintf("paper, Tables %d-%d", numbers[0], numbers[len(numbers)-1])
		}
		words := make([]string, len(numbers))
		for i, n := range numbers {
			words[i] = strconv.Itoa(n)
		}
		return "paper, Tables " + strings.Join(words, " and ")
	}
	return strings.Join(sources, "; ")
}

// Coefficients are one modality's row of the paper's Table 1: the fitted
// CR(P, S) = A + B P^-Alpha + C S^-Beta.
type Coefficients struct {
	Modality string
	Dataset  string
	A, B, C  float64
	Alpha    float64
	Beta     float64
}

// Prediction is the paper's Section 4.6 extrapolation: the compression ratio
// its fit predicts for a model of Params parameters after Step steps.
type Prediction struct {
	Modality string
	Params   float64
	Step     float64
	CR       float64
	Source   string
}

// Paper is everything the paper reports that the reproduction checks.
type Paper struct {
	// Tables are the compression-ratio tables (appendix Tables 2-4) in the
	// order of Modalities.
	Tables []Table
	// Table1 is the fitted coefficients, one entry per modality.
	Table1 []Coefficients
	// Prediction is the Section 4.6 example.
	Prediction Prediction
}

// Table returns the paper's table of modality, and whether there is one.
func (p Paper) Table(modality string) (Table, bool) {
	for _, t := range p.Tables {
		if t.Modality == modality {
			return t, true
		}
	}
	return Table{}, false
}

// Coefficients returns the paper's Table 1 row of modality, and whether
// there is one.
func (p Paper) Coefficients(modality string) (Coefficients, bool) {
	for _, c := range p.Table1 {
		if c.Modality == modality {
			return c, true
		}
	}
	return Coefficients{}, false
}

// LoadPaper reads the paper's numbers from the expected/ folder dir.
func LoadPaper(dir string) (Paper, error) {
	var p Paper
	for _, m := range Modalities {
		t, err := ReadTableCSV(filepath.Join(dir, PaperTableFiles[m]))
		if err != nil {
			return Paper{}, fmt.Errorf("loading the paper's tables: %w", err)
		}
		if t.Modality != m {
			return Paper{}, fmt.Errorf("loading the paper's tables: %s holds modality %q, expected %q", PaperTableFiles[m], t.Modality, m)
		}
		t.Source = PaperSource(m)
		p.Tables = append(p.Tables, t)
	}
	var err error
	if p.Table1, err = readTable1(filepath.Join(dir, PaperTable1File)); err != nil {
		return Paper{}, fmt.Errorf("loading the paper's Table 1: %w", err)
	}
	if p.Prediction, err = readPrediction(filepath.Join(dir, PaperPredictionFile)); err != nil {
		return Paper{}, fmt.Errorf("loading the paper's prediction: %w", err)
	}
	return p, nil
}

// readRows reads a small CSV of the paper's with a header and at least one
// row.
func readRows(path string) ([]csvtable.Record, error) {
	t, err := csvtable.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if len(t.Records) == 0 {
		return nil, fmt.Errorf("%s: no rows after the header", path)
	}
	return t.Records, nil
}

func readTable1(path string) ([]Coefficients, error) {
	recs, err := readRows(path)
	if err != nil {
		return nil, err
	}
	var out []Coefficients
	for _, r := range recs {
		var c Coefficients
		if c.Modality, err = r.String("modality"); err != nil {
			return nil, err
		}
		if c.Dataset, err = r.String("dataset"); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			name string
			dst  *float64
		}{{"a", &c.A}, {"b", &c.B}, {"c", &c.C}, {"alpha", &c.Alpha}, {"beta", &c.Beta}} {
			if *f.dst, err = r.Float(f.name); err != nil {
				return nil, err
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func readPrediction(path string) (Prediction, error) {
	recs, err := readRows(path)
	if err != nil {
		return Prediction{}, err
	}
	if len(recs) != 1 {
		return Prediction{}, fmt.Errorf("%s: expected one prediction row, found %d", path, len(recs))
	}
	r := recs[0]
	var p Prediction
	if p.Modality, err = r.String("modality"); err != nil {
		return Prediction{}, err
	}
	if p.Params, err = r.Float("params"); err != nil {
		return Prediction{}, err
	}
	if p.Step, err = r.Float("step"); err != nil {
		return Prediction{}, err
	}
	if p.CR, err = r.Float("predicted_compression_ratio"); err != nil {
		return Prediction{}, err
	}
	if p.Source, err = r.String("source"); err != nil {
		return Prediction{}, err
	}
	return p, nil
}
