package scaling

import (
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/results"
)

// BenchmarkFitTable measures what `paperrepro fit` does per table: the fit
// from the whole start grid plus 1000 bootstrap refits (target: under 2 s on
// a 2-core machine).
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
