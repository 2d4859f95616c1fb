package protocol

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/paperrepro/paperrepro/paperrepro/arith"
)

func randomBytes(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 5))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	return b
}

// testChunks covers the byte patterns the protocol must survive.
func testChunks() map[string][]byte {
	text := []byte(strings.Repeat("the cat sat on the mat, and then the [[dog]] ran in.\n", 6))
	withUTF8 := []byte("caf\u00e9 na\u00efve \u65e5\u672c <page>text</page>")
	pcm := make([]byte, 600)
	for i := 0; i < len(pcm); i += 2 {
		v := int16(3000 * ((i / 2 % 40) - 20))
		pcm[i], pcm[i+1] = byte(v), byte(v>>8)
	}
	return map[string][]byte{
		"english":          text,
		"utf8":             withUTF8,
		"random":           randomBytes(700, 1),
		"pcm16":            pcm,
		"all high":         bytes.Repeat([]byte{0xFF}, 100),
		"nul":              make([]byte, 50),
		"empty":            {},
		"one byte":         {0xC3},
		"crlf (fallback)":  []byte("line one\r\nline two\r\n"),
		"literal special":  []byte("a <|endoftext|> b"),
		"high-bit special": []byte("\xbc|endoftext|\xbe"),
	}
}

func TestLosslessRoundTrip(t *testing.T) {
	tok := newStandinTokenizer()
	model := &standinModel{vocab: 200, backend: "standin"}
	cases := testChunks()
	var names []string
	var chunks [][]byte
	for name, c := range cases {
		names = append(names, name)
		chunks = append(chunks, c)
	}
	for _, batch := range []int{1, 3, 8} {
		opt := Options{ChunkSize: 1024, BatchSize: batch}
		enc, err := EncodeChunks(model, tok, chunks, opt)
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		payloads := make([][]byte, len(enc))
		lengths := make([]int, len(enc))
		for i, e := range enc {
			payloads[i], lengths[i] = e.Payload, len(chunks[i])
			st := e.Stats
			if st.CompressedBytes != len(e.Payload) || st.Bytes != len(chunks[i]) {
				t.Errorf("%s: stats %+v disagree with payload %d bytes, chunk %d bytes", names[i], st, len(e.Payload), len(chunks[i]))
			}
			// At most the ideal size plus a few bytes. It can be less: a run of
			// likely symbols at the very end of a stream costs nothing, as
			// the decoder reads zeros past the payload.
			if over := st.OverheadBits(); over > 8*4 || float64(8*st.CompressedBytes) < 0.9*st.QuantisedTokenBits-16 {
				t.Errorf("%s: %d bytes against an ideal of %.1f bits: overhead %.1f bits", names[i], st.CompressedBytes, st.IdealBits(), over)
			}
			wantFallback := strings.Contains(names[i], "fallback")
			if st.Fallback != wantFallback {
				t.Errorf("%s: Fallback = %v, want %v", names[i], st.Fallback, wantFallback)
			}
		}
		got, err := DecodeChunks(model, tok, payloads, lengths, opt)
		if err != nil {
			t.Fatalf("batch %d: decoding: %v", batch, err)
		}
		for i := range chunks {
			if !bytes.Equal(got[i], chunks[i]) {
				t.Errorf("batch %d, %s: decoded %q, want %q", batch, names[i], got[i], chunks[i])
			}
		}
	}
}

// TestLockstepBatching checks that a group of chunks costs as many model
// steps as its longest chunk has tokens, at encode and decode alike.
func TestLockstepBatching(t *testing.T) {
	tok := newStandinTokenizer()
	chunks := [][]byte{[]byte("abc"), []byte("a much longer chunk of text"), {}, []byte("xy")}
	model := &standinModel{vocab: 200, backend: "standin"}
	opt := Options{ChunkSize: 64, BatchSize: 4}
	enc, err := EncodeChunks(model, tok, chunks, opt)
	if err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, e := range enc {
		longest = max(longest, e.Stats.Tokens)
	}
	if model.steps != longest {
		t.Errorf("encoding took %d model steps, want %d (the longest chunk's tokens)", model.steps, longest)
	}
	model.steps = 0
	payloads := [][]byte{enc[0].Payload, enc[1].Payload, enc[2].Payload, enc[3].Payload}
	if _, err := DecodeChunks(model, tok, payloads, []int{3, 27, 0, 2}, opt); err != nil {
		t.Fatal(err)
	}
	if model.steps != longest {
		t.Errorf("decoding took %d model steps, want %d", model.steps, longest)
	}
}

// TestChunkFillsDecoder: a chunk of ChunkSize bytes that tokenizes to one
// token per byte needs exactly ChunkSize model steps, which must fit.
func TestChunkFillsDecoder(t *testing.T) {
	tok := newStandinTokenizer()
	model := &standinModel{vocab: 200, backend: "standin"}
	chunk := bytes.Repeat([]byte{'q', 'z'}, 32)
	opt := Options{ChunkSize: len(chunk), BatchSize: 2}
	enc, err := EncodeChunks(model, tok, [][]byte{chunk}, opt)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeChunks(model, tok, [][]byte{enc[0].Payload}, []int{len(chunk)}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[0], chunk) {
		t.Errorf("decoded %q, want %q", got[0], chunk)
	}
}

func TestEncodeChunksRejectsOversizedChunk(t *testing.T) {
	_, err := EncodeChunks(&standinModel{vocab: 200}, newStandinTokenizer(), [][]byte{make([]byte, 10)}, Options{ChunkSize: 8, BatchSize: 1})
	if err == nil || !strings.Contains(err.Error(), "more than the chunk size") {
		t.Errorf("err = %v, want one about the chunk size", err)
	}
}

// TestLosslessGroups: 1, 2 and 9 chunks at batch 8 run decoders of as many
// streams as the group has chunks (1; 2; 8 then 1), round-trip, and give
// the same bytes whether the streams' CDFs are built one after the other
// or in parallel.
func TestLosslessGroups(t *testing.T) {
	tok := newStandinTokenizer()
	all := [][]byte{}
	for i := range 9 {
		all = append(all, []byte(strings.Repeat("the cat and the dog "[i:], 3)))
	}
	opt := Options{ChunkSize: 128, BatchSize: 8}
	for _, tc := range []struct {
		chunks  int
		streams []int
	}{{1, []int{1}}, {2, []int{2}}, {9, []int{8, 1}}} {
		chunks := all[:tc.chunks]
		var reference []EncodedChunk
		for _, workers := range []int{1, 4} {
			model := &standinModel{vocab: 200, backend: "standin"}
			enc, err := encodeChunks(model, tok, chunks, opt, workers)
			if err != nil {
				t.Fatalf("%d chunks, %d workers: %v", tc.chunks, workers, err)
			}
			if !slices.Equal(model.streams, tc.streams) {
				t.Errorf("%d chunks at batch 8: decoders of %v streams, want %v", tc.chunks, model.streams, tc.streams)
			}
			if reference == nil {
				reference = enc
			}
			payloads, lengths := make([][]byte, len(enc)), make([]int, len(enc))
			for i, e := range enc {
				if !bytes.Equal(e.Payload, reference[i].Payload) {
					t.Errorf("%d chunks: chunk %d codes differently with %d workers", tc.chunks, i, workers)
				}
				payloads[i], lengths[i] = e.Payload, len(chunks[i])
			}
			got, err := decodeChunks(model, tok, payloads, lengths, opt, workers)
			if err != nil {
				t.Fatalf("%d chunks, %d workers: decoding: %v", tc.chunks, workers, err)
			}
			for i := range chunks {
				if !bytes.Equal(got[i], chunks[i]) {
					t.Errorf("%d chunks, %d workers: chunk %d decoded to %q", tc.chunks, workers, i, got[i])
				}
			}
		}
	}
}

// TestLockstepTurnsAWorkersPanicIntoAnError: coding runs on worker
// goroutines, where a panic (in the tokenizer or the coder) would otherwise
// end the process; it must come back as the chunk's error.
func TestLockstepTurnsAWorkersPanicIntoAnError(t *testing.T) {
	model := &standinModel{vocab: 200, backend: "standin"}
	for _, workers := range []int{1, 4} {
		err := runLockstep(model, Options{ChunkSize: 8}, []bool{true, true, true}, workers,
			func(b, step int, logp []float32, cdf *arith.CDF) (int, bool, error) {
				if b == 1 {
					panic("index out of range")
				}
				return 0, true, nil
			})
		if err == nil || !strings.Contains(err.Error(), "chunk 1, token 0: index out of range") {
			t.Errorf("%d workers: error %v, want chunk 1's panic as an error", workers, err)
		}
	}
}
