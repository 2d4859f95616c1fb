package protocol

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Magic starts every compressed file.
const Magic = "PPRZ"

// FormatVersion is the container version this package writes. Version 3
// added the sha256 of the model's config.json and the engine (the software
// versions that computed the floats) to the header; version 2 added the
// tokenizer's sha256; version 1 files were also coded with the CDF of an
// earlier exp table, so their bytes would not decode with this program even
// without the header change.
const FormatVersion = 3

// oldestReadable is the oldest version this package reads. A version-2
// container records neither the config nor the engine; it decodes when the
// floats are still the same, and an error otherwise names the engine that
// wrote it (version2Engine).
const oldestReadable = 2

// version2Engine is the engine of every version-2 container: go.mod pinned
// these versions from before version 2 was introduced until version 3.
const version2Engine = "gomlx v0.26.0, go-xla v0.1.4"

// LosslessName is the protocol name recorded in the container.
const LosslessName = "lossless"

const maxHeaderString = 1024

// ModelIdentity names the exact checkpoint whose probabilities coded the
// data, e.g. {"EleutherAI/pythia-70m", "step143000", "<hex sha256 of the
// weights>", "<hex sha256 of tokenizer.json>", "<hex sha256 of
// config.json>"}, and the tokenizer that turned the bytes into tokens.
// Decompression requires the same content: weights, config and tokenizer;
// Repo and Revision only say where it came from (a hub checkpoint decodes
// with the same files in a local folder).
type ModelIdentity struct {
	Repo          string
	Revision      string
	WeightsSHA256 string
	// TokenizerSHA256 is the sha256 of the tokenizer.json: another
	// tokenizer splits the text into other tokens, which do not decode.
	TokenizerSHA256 string
	// ConfigSHA256 is the sha256 of the model's config.json: another
	// configuration computes other probabilities from the same weights.
	ConfigSHA256 string
}

// String names the checkpoint for messages: "repo@revision (weights sha256 …)",
// or "a local checkpoint (weights sha256 …)" when it came from a folder; the
// tokenizer is named separately.
func (id ModelIdentity) String() string {
	if id.Repo == "" {
		return fmt.Sprintf("a local checkpoint (weights sha256 %s)", id.WeightsSHA256)
	}
	return fmt.Sprintf("%s@%s (weights sha256 %s)", id.Repo, id.Revision, id.WeightsSHA256)
}

// Header is the container's description of its contents.
type Header struct {
	Version  int
	Protocol string
	Model    ModelIdentity
	Backend  string // the model's backend and the CPU architecture, e.g. "go/amd64"
	// Engine is the software that computed the floats, with its versions,
	// e.g. "gomlx v0.28.16, compute v0.1.14, go-xla v0.4.13"; empty in
	// version 2.
	Engine    string
	Options   Options
	Length    int    // original length in bytes
	CRC32     uint32 // IEEE CRC-32 of the original
	NumChunks int    // ceil(Length / Options.ChunkSize)
}

// ErrFormat reports data that is not a well-formed container.
var ErrFormat = errors.New("not a valid paperrepro compressed file")

// ErrUnsupportedVersion reports a container of another format version than
// FormatVersion.
var ErrUnsupportedVersion = errors.New("unsupported format version")

// ErrModelMismatch reports decompression with another model than the
// compressor's.
var ErrModelMismatch = errors.New("model mismatch")

// ErrTokenizerMismatch reports decompression with another tokenizer than the
// compressor's.
var ErrTokenizerMismatch = errors.New("tokenizer mismatch")

// ErrConfigMismatch reports decompression with the compressor's weights but
// another config.json.
var ErrConfigMismatch = errors.New("another model configuration")

// ErrBackendMismatch reports decompression on another backend than the
// compressor's.
var ErrBackendMismatch = errors.New("backend mismatch")

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// marshalHeader appends the header and its CRC-32.
func marshalHeader(b []byte, h Header) []byte {
	start := len(b)
	b = append(b, Magic...)
	b = append(b, byte(h.Version))
	b = appendString(b, h.Protocol)
	b = appendString(b, h.Model.Repo)
	b = appendString(b, h.Model.Revision)
	b = appendString(b, h.Model.WeightsSHA256)
	b = appendString(b, h.Model.TokenizerSHA256)
	if h.Version >= 3 {
		b = appendString(b, h.Model.ConfigSHA256)
	}
	b = appendString(b, h.Backend)
	if h.Version >= 3 {
		b = appendString(b, h.Engine)
	}
	b = binary.AppendUvarint(b, uint64(h.Options.ChunkSize))
	b = binary.AppendUvarint(b, uint64(h.Options.BatchSize))
	b = binary.AppendUvarint(b, uint64(h.Length))
	b = binary.LittleEndian.AppendUint32(b, h.CRC32)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
}

// reader reads container fields, remembering the first error.
type reader struct {
	data []byte
	pos  int
	err  error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", ErrFormat, r.pos, fmt.Sprintf(format, args...))
	}
}

func (r *reader) bytes(n int, what string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.data)-r.pos {
		r.fail("%s: need %d bytes, %d left (truncated?)", what, n, len(r.data)-r.pos)
		return nil
	}
	b := r.data[r.pos : r.pos+n]
	r.pos += n
	return b
}

func (r *reader) uvarint(what string, limit uint64) uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data[r.pos:])
	if n <= 0 {
		r.fail("%s: bad or truncated number", what)
		return 0
	}
	r.pos += n
	if v > limit {
		r.fail("%s is %d, more than %d", what, v, limit)
		return 0
	}
	return v
}

func (r *reader) string(what string) string {
	n := r.uvarint(what+" length", maxHeaderString)
	return string(r.bytes(int(n), what))
}

func (r *reader) uint32(what string) uint32 {
	b := r.bytes(4, what)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

// parseHeader reads and checks the header at the start of data.
func parseHeader(r *reader) Header {
	var h Header
	if m := r.bytes(len(Magic), "magic"); r.err == nil && string(m) != Magic {
		r.fail("magic is %q, want %q", m, Magic)
	}
	if v := r.bytes(1, "format version"); r.err == nil {
		h.Version = int(v[0])
		if h.Version < oldestReadable || h.Version > FormatVersion {
			r.err = fmt.Errorf("%w %d: this program reads versions %d to %d; decompress the file with the paperrepro version that wrote it",
				ErrUnsupportedVersion, h.Version, oldestReadable, FormatVersion)
		}
	}
	h.Protocol = r.string("protocol")
	h.Model.Repo = r.string("model repository")
	h.Model.Revision = r.string("model revision")
	h.Model.WeightsSHA256 = r.string("weights sha256")
	h.Model.TokenizerSHA256 = r.string("tokenizer sha256")
	if h.Version >= 3 {
		h.Model.ConfigSHA256 = r.string("config sha256")
	}
	h.Backend = r.string("backend")
	if h.Version >= 3 {
		h.Engine = r.string("engine")
	}
	h.Options.ChunkSize = int(r.uvarint("chunk size", maxChunkSize))
	h.Options.BatchSize = int(r.uvarint("batch size", maxBatchSize))
	h.Length = int(r.uvarint("original length", 1<<50))
	h.CRC32 = r.uint32("original CRC-32")
	headerEnd := r.pos
	if sum := r.uint32("header CRC-32"); r.err == nil && sum != crc32.ChecksumIEEE(r.data[:headerEnd]) {
		r.fail("header CRC-32 mismatch: the header is damaged")
	}
	if r.err != nil {
		return h
	}
	if h.Protocol != LosslessName {
		r.fail("protocol %q, want %q", h.Protocol, LosslessName)
	}
	if err := h.Options.validate(); err != nil {
		r.fail("%v", err)
	}
	if r.err == nil {
		h.NumChunks = (h.Length + h.Options.ChunkSize - 1) / h.Options.ChunkSize
	}
	return h
}

// ReadHeader parses the header of compressed data, to learn which model and
// backend decompressing it needs.
func ReadHeader(data []byte) (Header, error) {
	r := &reader{data: data}
	h := parseHeader(r)
	return h, r.err
}

// checkIdentity refuses to decode with other weights, another config,
// tokenizer or backend. It compares content (sums), not where the model
// came from: the same files from the hub or from a folder decode alike.
func checkIdentity(h Header, id ModelIdentity, backend string) error {
	if h.Model.WeightsSHA256 != id.WeightsSHA256 {
		return fmt.Errorf("%w: the data was compressed with %v, but the model given is %v; decoding needs the very same weights", ErrModelMismatch, h.Model, id)
	}
	if h.Model.ConfigSHA256 != "" && h.Model.ConfigSHA256 != id.ConfigSHA256 {
		return fmt.Errorf("%w: the data was compressed with the weights given but a config.json of sha256 %s, and the one given has sha256 %s; decoding needs the very same config.json",
			ErrConfigMismatch, h.Model.ConfigSHA256, id.ConfigSHA256)
	}
	if h.Model.TokenizerSHA256 != id.TokenizerSHA256 {
		return fmt.Errorf("%w: the data was compressed with the tokenizer.json of sha256 %s, but the one given has sha256 %s; decoding needs the very same tokenizer",
			ErrTokenizerMismatch, h.Model.TokenizerSHA256, id.TokenizerSHA256)
	}
	if h.Backend != backend {
		return fmt.Errorf("%w: the data was compressed on backend %q, but this model runs on %q; floating-point results differ between backends and would not decode", ErrBackendMismatch, h.Backend, backend)
	}
	return nil
}

// engineNote explains a failed decoding by the engine when it is not the
// one that wrote the container, "" when it is: another GoMLX or XLA version
// may round the model's floats differently, and the coder needs them
// bit-identical.
func engineNote(h Header, engine string) string {
	wrote := h.Engine
	if h.Version == 2 {
		wrote = version2Engine
	}
	if wrote == engine {
		return ""
	}
	return fmt.Sprintf("the data was compressed with engine %s, this program runs %s, whose floats may differ: decompress with a paperrepro built with %s (format version %d)",
		wrote, engine, wrote, h.Version)
}
