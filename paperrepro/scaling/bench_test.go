package scaling

import (
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// BenchmarkFitTable measures what `paperrepro fit` does per table: the fit
// (start profile and descents) plus 1000 bootstrap refits (target: under
// 2 s on a 2-core machine).
func BenchmarkFitTable(b *testing.B) {
	paper, err := results.LoadPaper(testenv.Expected(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, tab := range paper.Tables {
		b.Run(tab.Modality, func(b *testing.B) {
			for b.Loop() {
				fit, err := FitTable(PowerLaw{}, tab)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Bootstrap(fit, BootstrapOptions{Resamples: 1000, Seed: 1}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCompareForms measures what `paperrepro fit -forms` adds per
// table: the five forms of Forms() fitted, each with its leave-one-size-out
// check, on all cells and without step 1000.
func BenchmarkCompareForms(b *testing.B) {
	paper, err := results.LoadPaper(testenv.Expected(b))
	if err != nil {
		b.Fatal(err)
	}
	for _, tab := range paper.Tables {
		b.Run(tab.Modality, func(b *testing.B) {
			obs := Observations(tab)
			for b.Loop() {
				for _, cells := range [][]Observation{obs, WithoutSteps(obs, 1000)} {
					if _, err := CompareForms(Forms(), cells); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
