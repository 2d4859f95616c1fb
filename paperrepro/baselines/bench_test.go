package baselines

import (
	"context"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
)

// BenchmarkRun measures what `paperrepro baselines` does: opening the
// shared data's chunks (2028 of text, all the enwik8 prefix holds; 2048 of
// image and speech) and running every codec on them under the paper's
// rules, and under both rule sets (the command's default). On an idle
// machine:
//
//	go test ./paperrepro/baselines -run '^$' -bench Run -benchtime 3x
func BenchmarkRun(b *testing.B) {
	gridRules := map[string]string{} // every modality opened as the grid opens it
	counts := map[string]int{datasets.Text: 2028, datasets.Image: 2048, datasets.Speech: 2048}
	for _, bc := range []struct {
		name  string
		rules []map[string]string
	}{
		{"paper-rules", []map[string]string{gridRules}},
		{"both-rules", []map[string]string{gridRules, DeletangRules}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for _, c := range append(generalCodecs(), FLAC(SampleFormat{Bits: 16, Signed: true, Rate: 16000})) {
				if cli, ok := c.(*cliCodec); ok {
					if _, err := cli.path(); err != nil {
						b.Skip(err)
					}
				}
			}
			var chunks int64
			for b.Loop() {
				var sources []datasets.Source
				seen := map[string]bool{}
				for _, rules := range bc.rules {
					for _, m := range []string{datasets.Text, datasets.Image, datasets.Speech} {
						src := sharedSource(b, m, rules[m], counts[m])
						if key := m + src.Provenance().Rule; !seen[key] {
							seen[key] = true
							sources = append(sources, src)
						}
					}
				}
				if _, err := Run(context.Background(), sources, Options{}); err != nil {
					b.Fatal(err)
				}
				chunks = 0
				for _, s := range sources {
					chunks += int64(s.NumChunks())
				}
			}
			b.ReportMetric(float64(chunks)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}
