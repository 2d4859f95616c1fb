package tokenize

import (
	"os"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
)

// chunkSize is the paper's chunk of bytes.
const chunkSize = 2048

// enwik8Text returns the shared enwik8 prefix mapped to text with
// chr(b % 128), as the paper does (protocol.Mod128, written out here so this
// package does not depend on a later one).
func enwik8Text(b testing.TB) string {
	raw, err := os.ReadFile(testenv.Shared(b, "data", "enwik8", "enwik8.prefix"))
	if err != nil {
		b.Fatal(err)
	}
	for i, c := range raw {
		raw[i] = c % 128
	}
	return string(raw)
}

// benchmarkEncodeChunks encodes the enwik8 prefix chunk by chunk, as the
// grid does, and reports bytes/s (MB/s) and tokens/s. With cold, each pass
// starts with an empty word cache.
func benchmarkEncodeChunks(b *testing.B, cold bool) {
	text := enwik8Text(b)
	tok := loadPythia(b)
	b.SetBytes(int64(len(text)))
	tokens := 0
	for b.Loop() {
		if cold {
			tok.cache = newWordCache(wordCacheEntries)
		}
		tokens = 0
		for start := 0; start < len(text); start += chunkSize {
			ids, err := tok.Encode(text[start:min(start+chunkSize, len(text))])
			if err != nil {
				b.Fatal(err)
			}
			tokens += len(ids)
		}
	}
	b.ReportMetric(float64(tokens)*float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
	b.ReportMetric(float64(tokens), "tokens/op")
}

// BenchmarkEncodeEnwik8 is the steady state: the word cache is warm after
// the first pass, as it is after the first few hundred chunks of a run.
func BenchmarkEncodeEnwik8(b *testing.B) { benchmarkEncodeChunks(b, false) }

// BenchmarkEncodeEnwik8Cold is one first pass over the prefix.
func BenchmarkEncodeEnwik8Cold(b *testing.B) { benchmarkEncodeChunks(b, true) }

// BenchmarkLoad measures reading Pythia's 2 MB tokenizer.json.
func BenchmarkLoad(b *testing.B) {
	path := testenv.Testdata(b, "tokenizer", "tokenizer.json")
	for b.Loop() {
		if _, err := Load(path); err != nil {
			b.Fatal(err)
		}
	}
}
