package grid

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/paperrepro/paperrepro/paperrepro/hub"
	"github.com/paperrepro/paperrepro/paperrepro/neox"
	"github.com/paperrepro/paperrepro/paperrepro/protocol"
	"github.com/paperrepro/paperrepro/paperrepro/results"
	"github.com/paperrepro/paperrepro/paperrepro/tokenize"
)

// Protocol names.
const (
	// ProtocolSeed is the paper's scoring: sum of -log2 p over the first 1024
	// tokens of chr(b % 128), no coder.
	ProtocolSeed = "seed"
	// ProtocolLossless really compresses every chunk with a range coder and
	// checks that it decompresses to the same bytes.
	ProtocolLossless = "lossless"
)

// EngineOptions configure the real engine.
type EngineOptions struct {
	// Protocol is ProtocolSeed or ProtocolLossless.
	Protocol string
	// Float16 emulates the paper's float16 softmax output (seed only).
	Float16 bool
	// Tokenizer is the tokenizer.json to use; empty means the checkpoint's
	// own tokenizer.json, else FallbackTokenizer.
	Tokenizer string
	// FallbackTokenizer is used for checkpoints without a tokenizer.json
	// when Tokenizer is empty.
	FallbackTokenizer string
	// DType is the models' compute dtype (see neox.Options); empty means
	// float32.
	DType string
	// Batch is the most chunks the run scores at once; when set, Open
	// refuses a model that cannot run that many at once in memory (see
	// WorkloadOf), with a *neox.BatchTooLargeError.
	Batch int
}

// NewEngine returns the engine the command line and the reproducibility
// tests use: each checkpoint is loaded with neox.Load, chunks are tokenized
// with tokenize and scored by package protocol.
func NewEngine(opts EngineOptions) (Engine, error) {
	switch opts.Protocol {
	case ProtocolSeed:
	case ProtocolLossless:
		if opts.Float16 {
			return nil, errors.New("the float16 emulation belongs to the seed protocol; the lossless protocol codes with the model's own floats")
		}
	default:
		return nil, fmt.Errorf("unknown protocol %q: use %q (the paper's) or %q", opts.Protocol, ProtocolSeed, ProtocolLossless)
	}
	if opts.Tokenizer != "" {
		if _, err := os.Stat(opts.Tokenizer); err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
	}
	dtype, err := neox.CheckDType(opts.DType)
	if err != nil {
		return nil, err
	}
	opts.DType = dtype
	return &engine{opts: opts}, nil
}

type engine struct {
	opts EngineOptions
}

func (e *engine) Protocol() results.ProtocolInfo {
	info := results.ProtocolInfo{Name: e.opts.Protocol, Options: map[string]any{}, ComputeDType: e.opts.DType}
	if e.opts.Protocol == ProtocolSeed {
		info.Options["float16"] = e.opts.Float16
		info.Options["max_tokens"] = protocol.PaperMaxTokens
	}
	return info
}

// WorkloadOf is what a batch of chunks costs the model under a protocol: a
// forward pass over sequences of up to 1024 tokens (seed), or a decoder
// with a stream of up to a chunk's 2048 tokens per chunk (lossless).
func WorkloadOf(protocolName string) neox.Workload {
	if protocolName == ProtocolLossless {
		return neox.Workload{Decoder: true, Len: protocol.DefaultChunkSize}
	}
	return neox.Workload{Len: protocol.PaperMaxTokens}
}

func (e *engine) Tokenizer(ckpt *hub.Checkpoint) (results.TokenizerInfo, error) {
	return ChooseTokenizer(ckpt.Dir, e.opts.Tokenizer, e.opts.FallbackTokenizer)
}

func (e *engine) Open(ckpt *hub.Checkpoint, tokenizer results.TokenizerInfo) (Session, error) {
	model, tok, err := Load(ckpt.Dir, tokenizer, neox.Options{DType: e.opts.DType})
	if err != nil {
		return nil, err
	}
	if e.opts.Batch > 0 {
		if err := model.CheckBatch(e.opts.Batch, WorkloadOf(e.opts.Protocol)); err != nil {
			model.Close()
			return nil, err
		}
	}
	return &session{model: model, tok: tok, opts: e.opts}, nil
}

// session is one loaded checkpoint with its tokenizer.
type session struct {
	model *neox.Model
	tok   *tokenize.Tokenizer
	opts  EngineOptions
}

func (s *session) Backend() string { return s.model.Backend() }

func (s *session) Engine() string { return s.model.Engine() }

func (s *session) Params() float64 { return float64(s.model.Config().Parameters()) }

func (s *session) Close() error {
	s.model.Close()
	return nil
}

func (s *session) Score(chunks [][]byte) ([]results.ChunkResult, error) {
	if s.opts.Protocol == ProtocolLossless {
		return s.lossless(chunks)
	}
	// All chunks go to the model at once: TokenBits sorts them by length and
	// runs them in as few executions as memory allows.
	seed := protocol.Seed{Tokenizer: s.tok, Model: s.model, Float16: s.opts.Float16, BatchSize: len(chunks)}
	res, err := seed.Score(chunks)
	if err != nil {
		return nil, err
	}
	out := make([]results.ChunkResult, len(res.Chunks))
	for i, c := range res.Chunks {
		out[i] = results.ChunkResult{Tokens: c.Tokens, Bits: c.Bits, CR: c.CR, Dropped: c.Dropped}
	}
	return out, nil
}

// lossless compresses the chunks with the range coder, decompresses them
// again and checks every byte: a result is only recorded for a chunk that
// round-trips. The batch is coded in lockstep as one group, as the
// compress command codes a file's chunks.
func (s *session) lossless(chunks [][]byte) ([]results.ChunkResult, error) {
	opt := protocol.Options{ChunkSize: 1, BatchSize: len(chunks)}
	for _, c := range chunks {
		opt.ChunkSize = max(opt.ChunkSize, len(c))
	}
	encoded, err := protocol.EncodeChunks(s.model, s.tok, chunks, opt)
	if err != nil {
		return nil, err
	}
	payloads := make([][]byte, len(encoded))
	lengths := make([]int, len(encoded))
	for i, e := range encoded {
		payloads[i], lengths[i] = e.Payload, len(chunks[i])
	}
	decoded, err := protocol.DecodeChunks(s.model, s.tok, payloads, lengths, opt)
	if err != nil {
		return nil, fmt.Errorf("decompressing what was just compressed: %w", err)
	}
	out := make([]results.ChunkResult, len(chunks))
	for i, e := range encoded {
		if !bytes.Equal(decoded[i], chunks[i]) {
			return nil, fmt.Errorf("chunk %d of the batch did not round-trip: %d bytes decompressed to %d different bytes", i, len(chunks[i]), len(decoded[i]))
		}
		st := e.Stats
		out[i] = results.ChunkResult{Tokens: st.Tokens, Bits: st.IdealBits(), CompressedBytes: st.CompressedBytes, CR: st.CR(), RoundTrip: true}
	}
	return out, nil
}
