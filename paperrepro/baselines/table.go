package baselines

import (
	"fmt"
	"slices"
)

// Accounting is how a result adds up compressed bytes over the chunks.
type Accounting string

// The accountings of Deletang et al., in the order tables list them.
const (
	// Stream compresses all chunks concatenated, as one input.
	Stream Accounting = "stream"
	// PerChunk compresses every chunk on its own and sums the sizes, each
	// with its format's fixed header and trailer.
	PerChunk Accounting = "chunk"
	// PerChunkHeaderOnce is PerChunk with the header counted once:
	// sum - (chunks-1) * header bytes.
	PerChunkHeaderOnce Accounting = "chunk-header-once"
)

// Accountings lists the accountings in table order.
var Accountings = []Accounting{Stream, PerChunk, PerChunkHeaderOnce}

// Result is one codec's compressed size of one source's chunks under one
// accounting, with the provenance needed to reproduce it.
type Result struct {
	// Modality and Rule name the chunks (datasets.Provenance).
	Modality, Rule string
	// Codec, Setting and Implementation name the compressor (Codec).
	Codec, Setting, Implementation string
	Accounting                     Accounting
	// Chunks is the number of chunks of ChunkSize bytes compressed.
	Chunks, ChunkSize int
	// CompressedBytes is the total compressed size under Accounting.
	CompressedBytes int64
	// HeaderBytes is the measured header: the compressed size of one unit
	// (one zero byte, sample or pixel) on its own.
	HeaderBytes int
	// DataSHA256 is the hex SHA-256 of all chunks concatenated: the exact
	// bytes compressed.
	DataSHA256 string
}

// InputBytes is the number of original bytes, Chunks * ChunkSize.
func (r Result) InputBytes() int64 { return int64(r.Chunks) * int64(r.ChunkSize) }

// CR is the compression ratio, compressed bytes / original bytes (the
// paper's CR: lower is better).
func (r Result) CR() float64 { return float64(r.CompressedBytes) / float64(r.InputBytes()) }

// BitsPerByte is compressed bits per original byte, 8 CR.
func (r Result) BitsPerByte() float64 { return 8 * r.CR() }

// validate checks that the numbers make a ratio, naming the field at fault.
func (r Result) validate() error {
	switch {
	case r.Modality == "":
		return fmt.Errorf("field modality: empty")
	case r.Codec == "":
		return fmt.Errorf("field codec: empty")
	case !slices.Contains(Accountings, r.Accounting):
		return fmt.Errorf("field accounting: %q, want one of %v", r.Accounting, Accountings)
	case r.Chunks < 1:
		return fmt.Errorf("field chunks: %d, want at least 1", r.Chunks)
	case r.ChunkSize < 1:
		return fmt.Errorf("field chunk_size: %d, want at least 1", r.ChunkSize)
	case r.CompressedBytes < 1:
		return fmt.Errorf("field compressed_bytes: %d, want at least 1", r.CompressedBytes)
	case r.HeaderBytes < 0:
		return fmt.Errorf("field header_bytes: %d is negative", r.HeaderBytes)
	}
	return nil
}

// Table is the results of a run, in the order Run produced them: by
// source, then codec, then accounting.
type Table struct {
	Rows []Result
}

// Find returns the result of codec on modality's chunks cut by rule under
// accounting, and whether the table has it.
func (t Table) Find(modality, rule, codec string, a Accounting) (Result, bool) {
	for _, r := range t.Rows {
		if r.Modality == modality && r.Rule == rule && r.Codec == codec && r.Accounting == a {
			return r, true
		}
	}
	return Result{}, false
}

// Select returns the results of modality's chunks cut by rule under
// accounting, in table order.
func (t Table) Select(modality, rule string, a Accounting) []Result {
	var out []Result
	for _, r := range t.Rows {
		if r.Modality == modality && r.Rule == rule && r.Accounting == a {
			out = append(out, r)
		}
	}
	return out
}
