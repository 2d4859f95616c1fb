package protocol

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"runtime"
)

// Report describes a compressed file.
type Report struct {
	Header Header
	Chunks []ChunkStats
	// CompressedBytes is the whole container: header, lengths and payloads.
	CompressedBytes int
}

// BackendID is the backend string recorded in the container for a model:
// the model's own backend name and the CPU architecture.
func BackendID(modelBackend string) string {
	return modelBackend + "/" + runtime.GOARCH
}

// Compress reads all of r, compresses it under the lossless protocol with
// model m (whose identity is id) and tokenizer tok, and writes the container
// to w.
func Compress[D StepDecoder](w io.Writer, r io.Reader, m Model[D], tok Tokenizer, id ModelIdentity, opt Options) (Report, error) {
	opt = opt.withDefaults()
	if err := opt.validate(); err != nil {
		return Report{}, fmt.Errorf("compressing: %w", err)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return Report{}, fmt.Errorf("compressing: reading input: %w", err)
	}
	var chunks [][]byte
	for start := 0; start < len(data); start += opt.ChunkSize {
		chunks = append(chunks, data[start:min(start+opt.ChunkSize, len(data))])
	}
	encoded, err := EncodeChunks(m, tok, chunks, opt)
	if err != nil {
		return Report{}, fmt.Errorf("compressing: %w", err)
	}
	h := Header{
		Version: FormatVersion, Protocol: LosslessName, Model: id, Backend: BackendID(m.Backend()), Engine: m.Engine(),
		Options: opt, Length: len(data), CRC32: crc32.ChecksumIEEE(data), NumChunks: len(chunks),
	}
	out := marshalHeader(nil, h)
	rep := Report{Header: h, Chunks: make([]ChunkStats, len(encoded))}
	for i, e := range encoded {
		out = binary.AppendUvarint(out, uint64(len(e.Payload)))
		rep.Chunks[i] = e.Stats
	}
	for _, e := range encoded {
		out = append(out, e.Payload...)
	}
	rep.CompressedBytes = len(out)
	if _, err := w.Write(out); err != nil {
		return Report{}, fmt.Errorf("compressing: writing output: %w", err)
	}
	return rep, nil
}

// Decompress reads a container from r, checks that m is the model (id:
// weights, config and tokenizer) and backend that compressed it, decodes it
// with m and tok, checks the length and CRC-32, and only then writes the
// original to w. A decoding that fails with another engine than the one
// that compressed says so.
func Decompress[D StepDecoder](w io.Writer, r io.Reader, m Model[D], tok Tokenizer, id ModelIdentity) (Header, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return Header{}, fmt.Errorf("decompressing: reading input: %w", err)
	}
	rd := &reader{data: data}
	h := parseHeader(rd)
	if rd.err != nil {
		return h, fmt.Errorf("decompressing: %w", rd.err)
	}
	backend := BackendID(m.Backend())
	if err := checkIdentity(h, id, backend); err != nil {
		return h, fmt.Errorf("decompressing: %w", err)
	}
	// Every chunk has at least a one-byte length, which bounds what a
	// damaged length field can make us allocate.
	if h.NumChunks > len(data)-rd.pos {
		return h, fmt.Errorf("decompressing: %w: %d chunks announced but only %d bytes follow the header", ErrFormat, h.NumChunks, len(data)-rd.pos)
	}
	sizes := make([]int, h.NumChunks)
	total := 0
	for i := range sizes {
		sizes[i] = int(rd.uvarint(fmt.Sprintf("chunk %d payload length", i), uint64(len(data))))
		total += sizes[i]
	}
	if rd.err != nil {
		return h, fmt.Errorf("decompressing: %w", rd.err)
	}
	if left := len(data) - rd.pos; total != left {
		return h, fmt.Errorf("decompressing: %w: payloads total %d bytes but %d bytes follow (truncated or extended file)", ErrFormat, total, left)
	}
	payloads := make([][]byte, h.NumChunks)
	lengths := make([]int, h.NumChunks)
	for i := range payloads {
		payloads[i] = rd.bytes(sizes[i], "payload")
		lengths[i] = min(h.Options.ChunkSize, h.Length-i*h.Options.ChunkSize)
	}
	withEngine := func(err error) error {
		if note := engineNote(h, m.Engine()); note != "" {
			return fmt.Errorf("decompressing: %w; %s", err, note)
		}
		return fmt.Errorf("decompressing: %w", err)
	}
	chunks, err := DecodeChunks(m, tok, payloads, lengths, h.Options)
	if err != nil {
		return h, withEngine(err)
	}
	out := make([]byte, 0, h.Length)
	for _, c := range chunks {
		out = append(out, c...)
	}
	if sum := crc32.ChecksumIEEE(out); len(out) != h.Length || sum != h.CRC32 {
		return h, withEngine(fmt.Errorf("%w: decoded %d bytes with CRC-32 %08x, the original had %d bytes with CRC-32 %08x", ErrCorrupt, len(out), sum, h.Length, h.CRC32))
	}
	if _, err := w.Write(out); err != nil {
		return h, fmt.Errorf("decompressing: writing output: %w", err)
	}
	return h, nil
}
