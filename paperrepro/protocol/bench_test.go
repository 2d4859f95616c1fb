package protocol

import (
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// BenchmarkEncodeChunksTiny measures the lossless protocol end to end
// (tokenizing, model steps, table building, coding) with the smallest tiny
// checkpoint: tokens per second over 4 text chunks of 512 bytes coded as 4
// lockstep streams. Decoding costs the same model steps.
func BenchmarkEncodeChunksTiny(b *testing.B) {
	m, err := neox.Load(testenv.Shared(b, "fixtures", "pythia-tiny", "pythia-tiny-16", "step1000"))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	tok, err := tokenize.Load(testenv.Shared(b, "data", "tokenizer", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	src, err := datasets.Open("text", testenv.Shared(b, "data"), datasets.Options{ChunkSize: 512, Count: 4})
	if err != nil {
		b.Fatal(err)
	}
	chunks := make([][]byte, 4)
	for i := range chunks {
		if chunks[i], err = src.Chunk(i); err != nil {
			b.Fatal(err)
		}
	}
	opt := Options{ChunkSize: 512, BatchSize: 4}
	tokens := 0
	for b.Loop() {
		enc, err := EncodeChunks(m, tok, chunks, opt)
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range enc {
			tokens += e.Stats.Tokens
		}
	}
	b.ReportMetric(float64(tokens)/b.Elapsed().Seconds(), "tokens/s")
}
