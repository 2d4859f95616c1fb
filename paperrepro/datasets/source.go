package datasets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// Modality names, as Source.Modality returns them and Open accepts them.
const (
	Text   = "text"
	Image  = "image"
	Speech = "speech"
)

// Defaults of the paper: 2048 chunks of 2048 bytes per modality.
const (
	DefaultChunkSize = 2048
	DefaultCount     = 2048
)

// Source yields numbered fixed-size byte chunks of one modality,
// deterministically: the same files and options always give the same bytes.
// The Sources Open returns hold their chunks in memory and are safe for
// concurrent use.
type Source interface {
	// Modality is "text", "image" or "speech".
	Modality() string
	// NumChunks is the number of chunks, Options.Count.
	NumChunks() int
	// ChunkSize is the length of every chunk in bytes.
	ChunkSize() int
	// Chunk returns a copy of chunk i, for 0 <= i < NumChunks().
	Chunk(i int) ([]byte, error)
	// Provenance says where the chunks came from.
	Provenance() Provenance
}

// Provenance records where a Source's chunks came from, for the results'
// provenance: enough to rebuild the same bytes from the same files.
// It marshals to JSON as is.
type Provenance struct {
	Modality  string `json:"modality"`
	Rule      string `json:"rule"`
	ChunkSize int    `json:"chunk_size"`
	Count     int    `json:"count"`
	// Parameters holds the rule's settings, e.g. "seed" for random-crop.
	Parameters map[string]any `json:"parameters,omitempty"`
	// Root is the file or directory the chunks were read from.
	Root string `json:"root"`
	// Files lists the files that contributed bytes, in the order used.
	Files []FileRecord `json:"files"`
	// Skipped lists files passed over (too small, unreadable), in order.
	Skipped []SkippedFile `json:"skipped,omitempty"`
	// ChunksSHA256 is the sha256 of the chunks themselves, one after
	// another: the bytes scored, whatever decoded them from the files.
	ChunksSHA256 string `json:"chunks_sha256,omitempty"`
}

// FileRecord identifies one input file by its path and content.
type FileRecord struct {
	// Path is relative to Provenance.Root (just the name when Root is a file).
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int64  `json:"bytes"`
}

// SkippedFile is an input file that contributed no chunks, and why.
type SkippedFile struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// memorySource holds all chunks in memory: count x size bytes (4 MiB at the
// paper's defaults), built once by a modality's loader. The grid asks for
// Chunk(i) in order many times over (once per model and step), so decoding
// once up front is cheaper than decoding lazily.
type memorySource struct {
	modality string
	size     int
	data     []byte
	prov     Provenance
}

// newMemorySource holds data, chunk after chunk of size bytes, with their
// provenance, to which it adds the chunks' sha256.
func newMemorySource(modality string, size int, data []byte, prov Provenance) *memorySource {
	prov.ChunksSHA256 = sha256Hex(data)
	return &memorySource{modality: modality, size: size, data: data, prov: prov}
}

func (s *memorySource) Modality() string       { return s.modality }
func (s *memorySource) NumChunks() int         { return len(s.data) / s.size }
func (s *memorySource) ChunkSize() int         { return s.size }
func (s *memorySource) Provenance() Provenance { return s.prov }

func (s *memorySource) Chunk(i int) ([]byte, error) {
	if i < 0 || i >= s.NumChunks() {
		return nil, fmt.Errorf("%s chunk %d: out of range [0, %d)", s.modality, i, s.NumChunks())
	}
	return append([]byte(nil), s.data[i*s.size:(i+1)*s.size]...), nil
}

// WriteChunks writes every chunk of src to w, raw bytes, chunk after chunk,
// so that a reader can look at exactly what was compressed (the command
// `paperrepro chunks` is a thin layer over it).
func WriteChunks(w io.Writer, src Source) error {
	for i := range src.NumChunks() {
		chunk, err := src.Chunk(i)
		if err != nil {
			return err
		}
		if _, err := w.Write(chunk); err != nil {
			return fmt.Errorf("writing %s chunk %d: %w", src.Modality(), i, err)
		}
	}
	return nil
}

// sha256Hex returns the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
