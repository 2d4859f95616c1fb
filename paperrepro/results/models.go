package results

import (
	"slices"
	"strconv"
	"strings"
)

// knownModels are the model names a table may hold: the Pythia suite (the
// paper uses 70m to 1.4b) and the tiny random checkpoints the tests use.
var knownModels = []string{
	"pythia-14m", "pythia-31m", "pythia-70m", "pythia-160m", "pythia-410m",
	"pythia-1b", "pythia-1.4b", "pythia-2.8b", "pythia-6.9b", "pythia-12b",
	"pythia-tiny-16", "pythia-tiny-32",
}

// KnownModels returns the model names a table may hold, smallest first.
func KnownModels() []string { return slices.Clone(knownModels) }

// IsKnownModel reports whether name is one of KnownModels. A "-deduped"
// suffix (Pythia's models trained on the deduplicated Pile) is accepted too.
func IsKnownModel(name string) bool {
	return slices.Contains(knownModels, strings.TrimSuffix(name, "-deduped"))
}

// NominalParams returns the nominal size a Pythia model's name states, e.g.
// 1.4e9 for "pythia-1.4b", and false for names without one (the tiny test
// models, whose size the table must give).
func NominalParams(name string) (float64, bool) {
	if !IsKnownModel(name) {
		return 0, false
	}
	size := strings.TrimPrefix(strings.TrimSuffix(name, "-deduped"), "pythia-")
	scale := map[byte]float64{'m': 1e6, 'b': 1e9}[size[len(size)-1]]
	if scale == 0 {
		return 0, false
	}
	v, err := strconv.ParseFloat(size[:len(size)-1], 64)
	if err != nil {
		return 0, false
	}
	return v * scale, true
}
