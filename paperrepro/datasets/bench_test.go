package datasets_test

import (
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// BenchmarkOpen measures chunks/s of building a modality's chunks from the
// shared samples, at the paper's 2048 chunks (2028 for text: the shared
// enwik8 prefix holds no more). Opening decodes everything; reading the
// chunks afterwards is a copy.
func BenchmarkOpen(b *testing.B) {
	dataDir := sharedData(b)
	for _, bc := range []struct {
		name, modality, rule string
		count                int
	}{
		{"text", datasets.Text, "", 2028},
		{"image-random-crop", datasets.Image, datasets.RuleRandomCrop, 2048},
		{"image-tiles", datasets.Image, datasets.RuleTiles, 2048},
		{"speech-pcm16", datasets.Speech, datasets.RulePCM16, 2048},
		{"speech-pcm8", datasets.Speech, datasets.RulePCM8, 2048},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				src, err := datasets.Open(bc.modality, dataDir, datasets.Options{Rule: bc.rule, Count: bc.count})
				if err != nil {
					b.Fatal(err)
				}
				for i := range src.NumChunks() {
					if _, err := src.Chunk(i); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64(bc.count*b.N)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}
