package scaling

import (
	"fmt"

	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// Count names which count of a model's parameters a fit takes as its size
// P. The paper calls its sizes non-embedding parameters but fits the
// nominal ones (70e6 ... 1.4e9); the choice moves the size exponent, not
// the quality of the fit.
type Count string

// The counts of parameters a model's size P may be.
const (
	// Nominal is the size a Pythia name states (70e6 for pythia-70m), as
	// the paper's Table 1 fits them.
	Nominal Count = "nominal"
	// Total counts every parameter, embeddings included: the "total
	// params" of the Pythia model cards (70,426,624 for pythia-70m).
	Total Count = "total"
	// NonEmbedding leaves out the input and output embeddings, as Kaplan et
	// al. (2020) count N (18,915,328 for pythia-70m).
	NonEmbedding Count = "non-embedding"
)

// Counts lists the counts, in the order the fit command offers them.
func Counts() []Count { return []Count{Nominal, Total, NonEmbedding} }

// ParseCount reads a Count from its name.
func ParseCount(name string) (Count, error) {
	for _, c := range Counts() {
		if string(c) == name {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown parameter count %q (want %s, %s or %s)", name, Nominal, Total, NonEmbedding)
}

// Describe says what P is under c, for reports.
func (c Count) Describe() string {
	switch c {
	case Total:
		return "total parameter counts from the Pythia configs, embeddings included (70,426,624 for pythia-70m); the paper's Table 1 fits nominal sizes"
	case NonEmbedding:
		return "non-embedding parameter counts from the Pythia configs (18,915,328 for pythia-70m), as Kaplan et al. count them; the paper's Table 1 fits nominal sizes"
	}
	return "nominal sizes, as the model names state them (70e6 for pythia-70m), as the paper's Table 1 fits them"
}

// Parameters is what a model configuration counts: neox.Config, which
// PythiaConfig returns for a Pythia name.
type Parameters interface {
	Parameters() int
	NonEmbeddingParameters() int
}

// SizeBy returns a model's size P under count c, for WithSizes and
// TableWithSizes: for Nominal the size its name states (results.NominalParams),
// else given's size for it (a local model, whose name states none); for
// Total and NonEmbedding the count of config(model), such as
//
//	func(m string) (scaling.Parameters, error) { return neox.PythiaConfig(m) }
//
// (config may be nil for Nominal).
func SizeBy(c Count, config func(model string) (Parameters, error), given map[string]float64) func(model string) (float64, error) {
	return func(model string) (float64, error) {
		if c == Nominal {
			if p, ok := results.NominalParams(model); ok {
				return p, nil
			}
			if p, ok := given[model]; ok {
				return p, nil
			}
			return 0, fmt.Errorf("its name states no size: give it as a parameter count")
		}
		if c != Total && c != NonEmbedding {
			return 0, fmt.Errorf("unknown parameter count %q", c)
		}
		if config == nil {
			return 0, fmt.Errorf("counting %s parameters needs the model's configuration", c)
		}
		m, err := config(model)
		if err != nil {
			return 0, fmt.Errorf("counting %s parameters: %w", c, err)
		}
		if c == Total {
			return float64(m.Parameters()), nil
		}
		return float64(m.NonEmbeddingParameters()), nil
	}
}

// TablesWithSizes returns tables with every model's size P under count c
// (see SizeBy; each table's own sizes serve as given).
func TablesWithSizes(tables []results.Table, c Count, config func(model string) (Parameters, error)) ([]results.Table, error) {
	out := make([]results.Table, len(tables))
	for i, t := range tables {
		given := map[string]float64{}
		for _, r := range t.Rows {
			given[r.Model] = r.Params
		}
		var err error
		if out[i], err = TableWithSizes(t, SizeBy(c, config, given)); err != nil {
			return nil, err
		}
	}
	return out, nil
}
