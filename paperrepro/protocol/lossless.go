package protocol

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/paperrepro/paperrepro/paperrepro/arith"
	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// endOfText is the token the first token of every chunk is conditioned on.
const endOfText = 0

// Options are the lossless protocol's settings. Both are stored in the
// container: decompression must use the compressor's values, since they
// shape the model's computation.
type Options struct {
	// ChunkSize is the number of bytes coded as one independent stream, and
	// the Decoder's maximum length; 0 means 2048, the paper's chunk.
	ChunkSize int
	// BatchSize is how many chunks run through the model in lockstep; 0
	// means 8. A file of fewer chunks (and the last group of a file) runs
	// only the chunks it has.
	BatchSize int
}

func (o Options) withDefaults() Options {
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.BatchSize == 0 {
		o.BatchSize = 8
	}
	return o
}

func (o Options) validate() error {
	if o.ChunkSize < 1 || o.ChunkSize > maxChunkSize {
		return fmt.Errorf("chunk size %d: want 1 to %d", o.ChunkSize, maxChunkSize)
	}
	if o.BatchSize < 1 || o.BatchSize > maxBatchSize {
		return fmt.Errorf("batch size %d: want 1 to %d", o.BatchSize, maxBatchSize)
	}
	return nil
}

const (
	maxChunkSize = 1 << 16
	maxBatchSize = 1024
)

// ChunkStats describes one chunk compressed by the lossless protocol.
type ChunkStats struct {
	Bytes           int  // original length
	Tokens          int  // tokens coded (every one, the first too)
	Fallback        bool // tokenizer ids did not rebuild the text; one token per character was coded
	CompressedBytes int  // the chunk's payload
	// TokenBits is the ideal cost of the tokens: sum of -log2 p under the
	// model's float distribution.
	TokenBits float64
	// QuantisedTokenBits is the same under the quantised integer
	// distribution the coder actually uses.
	QuantisedTokenBits float64
	// HighBits is the ideal cost of the top bits under their adaptive models.
	HighBits float64
}

// IdealBits is what a perfect coder would spend: TokenBits + HighBits.
func (s ChunkStats) IdealBits() float64 { return s.TokenBits + s.HighBits }

// OverheadBits is what the real coder spends beyond IdealBits: quantisation,
// range-coder precision, and the final flush.
func (s ChunkStats) OverheadBits() float64 { return float64(8*s.CompressedBytes) - s.IdealBits() }

// CR is the compression ratio, compressed over original size.
func (s ChunkStats) CR() float64 { return float64(s.CompressedBytes) / float64(s.Bytes) }

// EncodedChunk is one chunk's compressed payload and its statistics.
type EncodedChunk struct {
	Payload []byte
	Stats   ChunkStats
}

// ErrCorrupt reports compressed data that does not decode: damaged, or made
// with another model, tokenizer, backend or options.
var ErrCorrupt = errors.New("corrupt compressed data")

// EncodeChunks compresses each chunk (at most opt.ChunkSize bytes)
// independently under the lossless protocol. The streams of a group build
// their CDFs and code in parallel, on up to GOMAXPROCS goroutines.
func EncodeChunks[D StepDecoder](m Model[D], tok Tokenizer, chunks [][]byte, opt Options) ([]EncodedChunk, error) {
	return encodeChunks(m, tok, chunks, opt, runtime.GOMAXPROCS(0))
}

// encodeChunks is EncodeChunks with the streams coded on up to workers
// goroutines; the bytes do not depend on it.
func encodeChunks[D StepDecoder](m Model[D], tok Tokenizer, chunks [][]byte, opt Options, workers int) (_ []EncodedChunk, err error) {
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("lossless protocol: %w", err)
	}
	defer panics.Recover(&err, "lossless protocol: encoding")
	p := newPieces(tok)
	out := make([]EncodedChunk, len(chunks))
	for start := 0; start < len(chunks); start += opt.BatchSize {
		end := min(start+opt.BatchSize, len(chunks))
		if err := encodeGroup(m, p, chunks[start:end], out[start:end], opt, workers); err != nil {
			return nil, fmt.Errorf("lossless protocol: chunks %d..%d: %w", start, end-1, err)
		}
	}
	return out, nil
}

func encodeGroup[D StepDecoder](m Model[D], p *pieces, chunks [][]byte, out []EncodedChunk, opt Options, workers int) error {
	ids := make([][]int, len(chunks))
	encs := make([]*arith.Encoder, len(chunks))
	for b, chunk := range chunks {
		if len(chunk) > opt.ChunkSize {
			return fmt.Errorf("chunk %d has %d bytes, more than the chunk size %d", b, len(chunk), opt.ChunkSize)
		}
		var err error
		var fallback bool
		ids[b], fallback, err = tokensFor(p, Mod128(chunk))
		if err != nil {
			return fmt.Errorf("chunk %d: %w", b, err)
		}
		out[b].Stats = ChunkStats{Bytes: len(chunk), Tokens: len(ids[b]), Fallback: fallback}
		encs[b] = arith.NewEncoder()
	}
	active := make([]bool, len(chunks))
	for b := range active {
		active[b] = len(ids[b]) > 0
	}
	err := runLockstep(m, opt, active, workers, func(b, t int, logp []float32, cdf *arith.CDF) (int, bool, error) {
		id := ids[b][t]
		if err := cdf.SetLogProbs(logp); err != nil {
			return 0, false, fmt.Errorf("chunk %d, token %d: %w", b, t, err)
		}
		if err := cdf.Encode(encs[b], id); err != nil {
			return 0, false, fmt.Errorf("chunk %d, token %d (id %d): %w", b, t, id, err)
		}
		st := &out[b].Stats
		st.TokenBits -= float64(logp[id]) / math.Ln2
		st.QuantisedTokenBits += cdf.Bits(id)
		return id, t == len(ids[b])-1, nil
	})
	if err != nil {
		return err
	}
	for b, chunk := range chunks {
		models := newHighBitContexts()
		for i, c := range chunk {
			bm := &models[highBitContext(chunk, i)]
			out[b].Stats.HighBits += bm.Bits(int(c >> 7))
			if err := encs[b].EncodeBit(bm, int(c>>7)); err != nil {
				return fmt.Errorf("chunk %d, byte %d: %w", b, i, err)
			}
		}
		out[b].Payload = encs[b].Finish()
		out[b].Stats.CompressedBytes = len(out[b].Payload)
	}
	return nil
}

// runLockstep drives one Decoder of len(active) streams, one per chunk of
// the group (never more: a group of 2 chunks runs 2 streams), until no
// stream is active. Every stream is fed <|endoftext|> first. At each step,
// code(b, t, logp, cdf) handles active stream b's t-th distribution and
// returns the token it coded, which the stream is fed next, and whether that
// was the stream's last token; ended streams are fed EndedStream. Streams
// are independent (each its own coder), so code runs for them on up to
// workers goroutines at once, each goroutine with its own CDF to fill.
// Encoder and decoder call this with the same activity pattern, so the model
// sees the same inputs.
func runLockstep[D StepDecoder](m Model[D], opt Options, active []bool, workers int, code func(b, t int, logp []float32, cdf *arith.CDF) (id int, last bool, err error)) error {
	remaining := 0
	for _, a := range active {
		if a {
			remaining++
		}
	}
	if remaining == 0 {
		return nil
	}
	streams := len(active)
	dec, err := m.NewDecoder(streams, opt.ChunkSize)
	if err != nil {
		return fmt.Errorf("starting the model's decoder: %w", err)
	}
	defer closeDecoder(dec)
	workers = max(1, min(workers, streams))
	cdfs := make([]arith.CDF, workers)
	feed := make([]int, streams)
	coded := make([]codedToken, streams)
	for t := 0; remaining > 0; t++ {
		if t >= opt.ChunkSize {
			return fmt.Errorf("%w: a chunk did not end within %d tokens", ErrCorrupt, opt.ChunkSize)
		}
		logps, err := dec.Next(feed)
		if err != nil {
			return fmt.Errorf("model step %d: %w", t, err)
		}
		if len(logps) != streams {
			return fmt.Errorf("model step %d: got %d distributions for %d streams", t, len(logps), streams)
		}
		forEachActive(active, workers, func(b, worker int) {
			coded[b] = codeToken(code, b, t, logps[b], &cdfs[worker])
		})
		for b := range feed {
			if !active[b] {
				feed[b] = EndedStream
				continue
			}
			c := coded[b]
			if c.err != nil {
				return c.err
			}
			feed[b] = c.id
			if c.last {
				active[b] = false
				remaining--
			}
		}
	}
	return nil
}

// codedToken is what code returned for one stream at one step.
type codedToken struct {
	id   int
	last bool
	err  error
}

// codeToken calls code for stream b at step t. It runs on a worker
// goroutine, beyond the recover of EncodeChunks and DecodeChunks, so it
// turns a panic there (the tokenizer's or the coder's) into the token's
// error itself.
func codeToken(code func(b, t int, logp []float32, cdf *arith.CDF) (int, bool, error), b, t int, logp []float32, cdf *arith.CDF) (c codedToken) {
	defer panics.Recover(&c.err, "chunk %d, token %d", b, t)
	c.id, c.last, c.err = code(b, t, logp, cdf)
	return c
}

// forEachActive calls fn(b, worker) for every b with active[b], on up to
// workers goroutines; worker (0..workers-1) names the goroutine, so fn can
// use per-goroutine scratch space.
func forEachActive(active []bool, workers int, fn func(b, worker int)) {
	if workers <= 1 {
		for b, a := range active {
			if a {
				fn(b, 0)
			}
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				b := int(next.Add(1) - 1)
				if b >= len(active) {
					return
				}
				if active[b] {
					fn(b, w)
				}
			}
		}()
	}
	wg.Wait()
}

// DecodeChunks reverses EncodeChunks: payloads[i] decodes to a chunk of
// lengths[i] bytes. The model, tokenizer and options must be the
// compressor's.
func DecodeChunks[D StepDecoder](m Model[D], tok Tokenizer, payloads [][]byte, lengths []int, opt Options) ([][]byte, error) {
	return decodeChunks(m, tok, payloads, lengths, opt, runtime.GOMAXPROCS(0))
}

// decodeChunks is DecodeChunks with the streams decoded on up to workers
// goroutines.
func decodeChunks[D StepDecoder](m Model[D], tok Tokenizer, payloads [][]byte, lengths []int, opt Options, workers int) (_ [][]byte, err error) {
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return nil, fmt.Errorf("lossless protocol: %w", err)
	}
	if len(payloads) != len(lengths) {
		return nil, fmt.Errorf("lossless protocol: %d payloads but %d lengths", len(payloads), len(lengths))
	}
	defer panics.Recover(&err, "lossless protocol: decoding")
	p := newPieces(tok)
	out := make([][]byte, len(payloads))
	for start := 0; start < len(payloads); start += opt.BatchSize {
		end := min(start+opt.BatchSize, len(payloads))
		if err := decodeGroup(m, p, payloads[start:end], lengths[start:end], out[start:end], opt, workers); err != nil {
			return nil, fmt.Errorf("lossless protocol: chunks %d..%d: %w", start, end-1, err)
		}
	}
	return out, nil
}

func decodeGroup[D StepDecoder](m Model[D], p *pieces, payloads [][]byte, lengths []int, out [][]byte, opt Options, workers int) error {
	decs := make([]*arith.Decoder, len(payloads))
	for b, n := range lengths {
		if n < 0 || n > opt.ChunkSize {
			return fmt.Errorf("%w: chunk %d has length %d, want 0 to %d", ErrCorrupt, b, n, opt.ChunkSize)
		}
		out[b] = make([]byte, 0, n)
		decs[b] = arith.NewDecoder(payloads[b])
	}
	active := make([]bool, len(payloads))
	for b := range active {
		active[b] = lengths[b] > 0
	}
	err := runLockstep(m, opt, active, workers, func(b, t int, logp []float32, cdf *arith.CDF) (int, bool, error) {
		if err := cdf.SetLogProbs(logp); err != nil {
			return 0, false, fmt.Errorf("chunk %d, token %d: %w", b, t, err)
		}
		id, err := cdf.Decode(decs[b])
		if err != nil {
			return 0, false, fmt.Errorf("%w: chunk %d, token %d: %v", ErrCorrupt, b, t, err)
		}
		piece, err := p.of(id)
		if err != nil {
			return 0, false, fmt.Errorf("%w: chunk %d, token %d: %v", ErrCorrupt, b, t, err)
		}
		if piece == "" || len(out[b])+len(piece) > lengths[b] || !isASCII(piece) {
			return 0, false, fmt.Errorf("%w: chunk %d, token %d (id %d, %q) does not fit the remaining %d ASCII bytes",
				ErrCorrupt, b, t, id, piece, lengths[b]-len(out[b]))
		}
		out[b] = append(out[b], piece...)
		return id, len(out[b]) == lengths[b], nil
	})
	if err != nil {
		return err
	}
	for b, chunk := range out {
		models := newHighBitContexts()
		for i := range chunk {
			bit, err := decs[b].DecodeBit(&models[highBitContext(chunk, i)])
			if err != nil {
				return fmt.Errorf("%w: chunk %d, top bit of byte %d: %v", ErrCorrupt, b, i, err)
			}
			chunk[i] |= byte(bit << 7)
		}
		if n := decs[b].Unread(); n != 0 {
			return fmt.Errorf("%w: chunk %d: %d bytes left after the last symbol", ErrCorrupt, b, n)
		}
	}
	return nil
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
