package protocol

import (
	"flag"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/datasets"
	"github.com/paperrepro/paperrepro/paperrepro/internal/testenv"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

var long = flag.Bool("long", false, "run the fixture tests on every tiny checkpoint and every fixture chunk (minutes)")

// tinyCheckpoints are the tiny test grid's (testenv.TinyGrid). The pure-Go backend takes
// seconds per chunk, so by default the tests use the first checkpoint and
// a few chunks; -long runs them all.
var tinyCheckpoints = [][2]string{
	{"pythia-tiny-16", "step1000"}, {"pythia-tiny-16", "step2000"},
	{"pythia-tiny-32", "step1000"}, {"pythia-tiny-32", "step2000"},
}

func checkpoints() [][2]string {
	if *long {
		return tinyCheckpoints
	}
	return tinyCheckpoints[:1]
}

// seedChunksPerModality is how many of the 16 fixture chunks per modality
// the seed test scores.
func seedChunksPerModality() int {
	if *long {
		return 16
	}
	return 1
}

func loadTiny(t *testing.T, model, step string) *neox.Model {
	t.Helper()
	m, err := neox.Load(testenv.TinyCheckpoint(t, model, step))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func loadPythiaTokenizer(t *testing.T) *tokenize.Tokenizer {
	t.Helper()
	tok, err := tokenize.Load(filepath.Join(testenv.SampleData(t), "tokenizer", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// fixtureChunks returns the first n chunks of a modality, cut as the
// reference's were (testdata/pythia-tiny/README.md): text and speech from the
// sample data every clone carries, images from ../shared, or an error saying
// that ../shared is missing.
func fixtureChunks(t *testing.T, modality string, n int) ([][]byte, error) {
	t.Helper()
	data := testenv.SampleData(t)
	if modality == datasets.Image {
		images, err := testenv.LookupShared(t, "data", "imagenet-sample")
		if err != nil {
			return nil, err
		}
		data = filepath.Dir(images)
	}
	src, err := datasets.Open(modality, data, datasets.Options{Count: n})
	if err != nil {
		t.Fatal(err)
	}
	chunks := make([][]byte, n)
	for i := range chunks {
		if chunks[i], err = src.Chunk(i); err != nil {
			t.Fatal(err)
		}
	}
	return chunks, nil
}

// requiredChunks is fixtureChunks for a test that needs the modality: it
// skips without it.
func requiredChunks(t *testing.T, modality string, n int) [][]byte {
	t.Helper()
	chunks, err := fixtureChunks(t, modality, n)
	if err != nil {
		testenv.Unavailable(t, "%v", err)
	}
	return chunks
}

type expectedSeedChunk struct {
	tokens int
	bits   float64
}

// readExpectedSeed reads expected_seed_protocol_chunks.csv, keyed by
// model/step/modality, in chunk order.
func readExpectedSeed(t *testing.T) map[string][]expectedSeedChunk {
	t.Helper()
	out := map[string][]expectedSeedChunk{}
	for i, r := range testenv.CSVRecords(t, testenv.TinyExpected(t, "expected_seed_protocol_chunks.csv")) {
		key := r["model"] + "/" + r["step"] + "/" + r["modality"]
		chunk, err1 := strconv.Atoi(r["chunk"])
		tokens, err2 := strconv.Atoi(r["tokens"])
		bits, err3 := strconv.ParseFloat(r["bits"], 64)
		if err1 != nil || err2 != nil || err3 != nil || chunk != len(out[key]) {
			t.Fatalf("expected_seed_protocol_chunks.csv row %d: %v", i+2, r)
		}
		out[key] = append(out[key], expectedSeedChunk{tokens, bits})
	}
	return out
}

// readExpectedMeans reads expected_seed_protocol.csv: the mean CR over the
// 16 chunks, keyed by model/step/modality, and how many chunks it averages.
func readExpectedMeans(t *testing.T) map[string]expectedSeedMean {
	t.Helper()
	out := map[string]expectedSeedMean{}
	for i, r := range testenv.CSVRecords(t, testenv.TinyExpected(t, "expected_seed_protocol.csv")) {
		chunks, err1 := strconv.Atoi(r["chunks"])
		cr, err2 := strconv.ParseFloat(r["compression_ratio"], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("expected_seed_protocol.csv row %d: %v", i+2, r)
		}
		out[r["model"]+"/step"+r["step"]+"/"+r["modality"]] = expectedSeedMean{chunks, cr}
	}
	return out
}

type expectedSeedMean struct {
	chunks int
	cr     float64
}

var modalities = []string{"text", "image", "speech"}

// TestSeedMatchesFixtures: per chunk, token counts and bits under the seed
// protocol (float16 emulation off) equal the independent float64 reference.
// It also reports what the float16 emulation changes on the same chunks.
// -short scores text only; the mini grid (package paperrepro) checks the
// other modalities against the same reference in -short too.
func TestSeedMatchesFixtures(t *testing.T) {
	expected := readExpectedSeed(t)
	means := readExpectedMeans(t)
	tok := loadPythiaTokenizer(t)
	n := seedChunksPerModality()
	scored := modalities
	if testing.Short() {
		scored = []string{"text"}
	}
	chunks := map[string][][]byte{}
	missing := map[string]error{}
	for _, mod := range scored {
		chunks[mod], missing[mod] = fixtureChunks(t, mod, n)
	}
	for _, ck := range checkpoints() {
		m := loadTiny(t, ck[0], ck[1])
		for _, mod := range scored {
			key := ck[0] + "/" + ck[1] + "/" + mod
			t.Run(key, func(t *testing.T) {
				if missing[mod] != nil {
					testenv.Unavailable(t, "%v", missing[mod])
				}
				want := expected[key]
				if len(want) != 16 {
					t.Fatalf("%s: %d expected chunks, want 16", key, len(want))
				}
				scorer := &recordingScorer{Scorer: m}
				res, err := Seed{Tokenizer: tok, Model: scorer}.Score(chunks[mod])
				if err != nil {
					t.Fatalf("%s: %v", key, err)
				}
				for i, w := range want[:n] {
					got := res.Chunks[i]
					if got.Tokens != w.tokens {
						t.Errorf("%s chunk %d: %d tokens, want %d", key, i, got.Tokens, w.tokens)
					}
					if rel := math.Abs(got.Bits-w.bits) / w.bits; rel > 1e-3 {
						t.Errorf("%s chunk %d: %.6f bits, want %.6f (relative error %.2g)", key, i, got.Bits, w.bits, rel)
					}
				}
				if mean, ok := means[key]; n == 16 && !ok {
					t.Errorf("%s: no row in expected_seed_protocol.csv", key)
				} else if n == 16 && (res.Kept != mean.chunks || math.Abs(res.MeanCR-mean.cr) > 1e-3*mean.cr) {
					t.Errorf("%s: mean CR %.8f over %d chunks, want %.8f over %d", key, res.MeanCR, res.Kept, mean.cr, mean.chunks)
				}
				tokens := make([]int, n)
				sizes := make([]int, n)
				for i, c := range res.Chunks {
					tokens[i], sizes[i] = c.Tokens, len(chunks[mod][i])
				}
				f16 := seedResult(tokens, scorer.bits, sizes, true)
				t.Logf("%s: mean CR %.6f over %d kept (%d dropped); with float16 emulation %.6f (%+.2f%%) over %d kept (%d dropped)",
					key, res.MeanCR, res.Kept, res.Dropped, f16.MeanCR, 100*(f16.MeanCR-res.MeanCR)/res.MeanCR, f16.Kept, f16.Dropped)
			})
		}
	}
}

// recordingScorer keeps the per-token bits it returns, to apply the float16
// emulation to the same numbers.
type recordingScorer struct {
	Scorer
	bits [][]float64
}

func (r *recordingScorer) TokenBits(seqs [][]int) ([][]float64, error) {
	out, err := r.Scorer.TokenBits(seqs)
	r.bits = append(r.bits, out...)
	return out, err
}

// TestLosslessRoundTripRealData compresses real chunks of every modality
// with a tiny checkpoint and Pythia's tokenizer, and decompresses them byte
// for byte, reporting the coder's overhead per token. By default it codes
// the first 128 bytes of each modality's first chunk (a model step over a
// 2048-token cache is slow on the pure-Go backend); -long codes whole
// 2048-byte chunks with every checkpoint.
func TestLosslessRoundTripRealData(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the model for hundreds of steps")
	}
	tok := loadPythiaTokenizer(t)
	size := 128
	if *long {
		size = 2048
	}
	var chunks [][]byte
	var names []string
	for _, mod := range modalities {
		c, err := fixtureChunks(t, mod, 1)
		if err != nil {
			t.Run(mod, func(t *testing.T) { testenv.Unavailable(t, "%v", err) })
			continue
		}
		chunks = append(chunks, c[0][:size])
		names = append(names, mod)
	}
	for _, ck := range checkpoints() {
		m := loadTiny(t, ck[0], ck[1])
		opt := Options{ChunkSize: size, BatchSize: 2}
		enc, err := EncodeChunks(m, tok, chunks, opt)
		if err != nil {
			t.Fatal(err)
		}
		payloads := make([][]byte, len(enc))
		lengths := make([]int, len(enc))
		for i, e := range enc {
			payloads[i], lengths[i] = e.Payload, len(chunks[i])
			s := e.Stats
			rangeCoder := float64(8*s.CompressedBytes) - s.QuantisedTokenBits - s.HighBits
			t.Logf("%s/%s %s: %d tokens%s, %d bytes (CR %.4f); ideal %.1f token bits + %.1f top-bit bits; overhead %.1f bits = %.4f bits/token, of which quantisation %.4f and range coder %.4f",
				ck[0], ck[1], names[i], s.Tokens, fallbackNote(s), s.CompressedBytes, s.CR(), s.TokenBits, s.HighBits,
				s.OverheadBits(), s.OverheadBits()/float64(s.Tokens), (s.QuantisedTokenBits-s.TokenBits)/float64(s.Tokens), rangeCoder/float64(s.Tokens))
			if s.OverheadBits() > 8*4 {
				t.Errorf("%s: overhead %.1f bits, more than 4 bytes", names[i], s.OverheadBits())
			}
		}
		got, err := DecodeChunks(m, tok, payloads, lengths, opt)
		if err != nil {
			t.Fatal(err)
		}
		for i := range chunks {
			t.Run(names[i], func(t *testing.T) {
				if string(got[i]) != string(chunks[i]) {
					t.Errorf("%s/%s %s: decompressed chunk differs from the original", ck[0], ck[1], names[i])
				}
			})
		}
	}
}

func fallbackNote(s ChunkStats) string {
	if s.Fallback {
		return " (per-character fallback)"
	}
	return ""
}

// TestLosslessGroupsRealModel runs TestLosslessGroups' cases with a tiny
// checkpoint of Pythia's vocabulary and Pythia's tokenizer on real text: 1,
// 2 and 9 chunks of 32 bytes at batch 8 round-trip, with the streams' CDFs
// built in parallel giving the very bytes of the serial build.
func TestLosslessGroupsRealModel(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the model for a few hundred steps")
	}
	tok := loadPythiaTokenizer(t)
	m := loadTiny(t, "pythia-tiny-16", "step1000")
	var all [][]byte
	for _, c := range requiredChunks(t, "text", 3) {
		for i := 0; i < 3; i++ {
			all = append(all, c[32*i:32*(i+1)])
		}
	}
	opt := Options{ChunkSize: 32, BatchSize: 8}
	for _, n := range []int{1, 2, 9} {
		chunks := all[:n]
		serial, err := encodeChunks(m, tok, chunks, opt, 1)
		if err != nil {
			t.Fatal(err)
		}
		parallel, err := encodeChunks(m, tok, chunks, opt, 4)
		if err != nil {
			t.Fatal(err)
		}
		payloads, lengths := make([][]byte, n), make([]int, n)
		for i := range chunks {
			if string(serial[i].Payload) != string(parallel[i].Payload) {
				t.Errorf("%d chunks: chunk %d codes differently with parallel CDFs", n, i)
			}
			payloads[i], lengths[i] = parallel[i].Payload, len(chunks[i])
		}
		got, err := decodeChunks(m, tok, payloads, lengths, opt, 4)
		if err != nil {
			t.Fatalf("%d chunks: %v", n, err)
		}
		for i := range chunks {
			if string(got[i]) != string(chunks[i]) {
				t.Errorf("%d chunks: chunk %d decoded to %q, want %q", n, i, got[i], chunks[i])
			}
		}
	}
}
