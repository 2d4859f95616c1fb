package protocol

import (
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// benchInputs loads the smallest tiny checkpoint (closed when b ends), the
// Pythia tokenizer and the first count text chunks of chunkSize bytes from
// the sample data.
func benchInputs(b *testing.B, chunkSize, count int) (*neox.Model, *tokenize.Tokenizer, [][]byte) {
	m, err := neox.Load(testenv.TinyCheckpoint(b, "pythia-tiny-16", "step1000"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(m.Close)
	tok, err := tokenize.Load(filepath.Join(testenv.SampleData(b), "tokenizer", "tokenizer.json"))
	if err != nil {
		b.Fatal(err)
	}
	src, err := datasets.Open("text", testenv.SampleData(b), datasets.Options{ChunkSize: chunkSize, Count: count})
	if err != nil {
		b.Fatal(err)
	}
	chunks := make([][]byte, count)
	for i := range chunks {
		if chunks[i], err = src.Chunk(i); err != nil {
			b.Fatal(err)
		}
	}
	return m, tok, chunks
}

// BenchmarkEncodeChunksTiny measures the lossless protocol end to end
// (tokenizing, model steps, table building, coding) with the smallest tiny
// checkpoint: tokens per second over 4 text chunks of 512 bytes coded as 4
// lockstep streams. Decoding costs the same model steps.
func BenchmarkEncodeChunksTiny(b *testing.B) {
	m, tok, chunks := benchInputs(b, 512, 4)
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

// timedModel wraps a model and adds up the time its decoders spend in Next.
type timedModel struct {
	m     *neox.Model
	spent *time.Duration
}

func (t timedModel) Backend() string { return t.m.Backend() }
func (t timedModel) Engine() string  { return t.m.Engine() }

func (t timedModel) NewDecoder(batch, maxLen int) (timedDecoder, error) {
	d, err := t.m.NewDecoder(batch, maxLen)
	return timedDecoder{d, t.spent}, err
}

type timedDecoder struct {
	d     *neox.Decoder
	spent *time.Duration
}

func (t timedDecoder) Next(ids []int) ([][]float32, error) {
	start := time.Now()
	defer func() { *t.spent += time.Since(start) }()
	return t.d.Next(ids)
}

func (t timedDecoder) Close() { t.d.Close() }

// BenchmarkLosslessTimeSplit says where the lossless protocol's time goes
// with Pythia's 50,304-word vocabulary: in the model's decoder steps, or in
// building the CDFs and coding (the rest). The tiny checkpoint makes the
// model cheap, as a GPU would; 8 text chunks of 256 bytes, batch 8.
func BenchmarkLosslessTimeSplit(b *testing.B) {
	m, tok, chunks := benchInputs(b, 256, 8)
	var inModel time.Duration
	model := timedModel{m, &inModel}
	for _, workers := range []int{1, runtime.GOMAXPROCS(0)} {
		b.Run(fmt.Sprintf("cdf-workers=%d", workers), func(b *testing.B) {
			inModel = 0
			tokens := 0
			for b.Loop() {
				enc, err := encodeChunks(model, tok, chunks, Options{ChunkSize: 256, BatchSize: 8}, workers)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range enc {
					tokens += e.Stats.Tokens
				}
			}
			total := b.Elapsed()
			b.ReportMetric(float64(tokens)/total.Seconds(), "tokens/s")
			b.ReportMetric(float64(inModel.Microseconds())/float64(tokens), "model-µs/token")
			b.ReportMetric(float64((total-inModel).Microseconds())/float64(tokens), "cdf+code-µs/token")
		})
	}
}
