package neox

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/x448/float16"
)

// The safetensors format: an 8-byte little-endian header length N, N bytes of
// JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}},
// then the tensor bytes; offsets are relative to the end of the header.

// maxHeaderBytes bounds the JSON header so a corrupt length cannot make us
// allocate gigabytes; real headers are a few hundred kilobytes at most.
const maxHeaderBytes = 100 << 20

// safetensorsFile is one open .safetensors file.
type safetensorsFile struct {
	path    string
	f       *os.File
	data    int64 // file offset of the first tensor byte
	entries map[string]safetensorsEntry
}

type safetensorsEntry struct {
	storedTensor
	begin, end int64 // absolute file offsets
}

// openSafetensors opens path and validates its header against the file size:
// every tensor's byte range must lie inside the file, match its dtype and
// shape, and overlap no other tensor's.
func openSafetensors(path string) (*safetensorsFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("opening weights: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	st, err := readSafetensorsHeader(path, f, info.Size())
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	st.f = f
	return st, nil
}

// readSafetensorsHeader reads and validates the header at the start of r, a
// file of size bytes; the caller sets the returned file's f.
func readSafetensorsHeader(path string, r io.Reader, size int64) (*safetensorsFile, error) {
	var lenBuf [8]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("%s: reading header length: file has %d bytes: %w", path, size, err)
	}
	headerLen := binary.LittleEndian.Uint64(lenBuf[:])
	if headerLen > maxHeaderBytes || int64(headerLen) > size-8 {
		return nil, fmt.Errorf("%s: header length %d does not fit in the %d-byte file (truncated or not safetensors)", path, headerLen, size)
	}
	header := make([]byte, headerLen)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, fmt.Errorf("%s: reading header: %w", path, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, fmt.Errorf("%s: parsing header JSON: %w", path, err)
	}
	if err := checkDuplicateKeys(header); err != nil {
		var dup *duplicateKeyError
		if errors.As(err, &dup) && dup.Object == "" {
			return nil, fmt.Errorf("%s: the header lists tensor %q twice: a damaged or hand-made file (readers differ on which entry counts)", path, dup.Key)
		}
		return nil, fmt.Errorf("%s: header: %w", path, err)
	}
	st := &safetensorsFile{path: path, data: 8 + int64(headerLen), entries: make(map[string]safetensorsEntry, len(raw))}
	dataLen := size - st.data
	names := make([]string, 0, len(raw))
	for name := range raw {
		names = append(names, name)
	}
	slices.Sort(names) // report the same tensor every time when several are broken
	for _, name := range names {
		msg := raw[name]
		if name == "__metadata__" {
			continue
		}
		var e struct {
			DType       string  `json:"dtype"`
			Shape       []int   `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("%s: tensor %q: parsing header entry: %w", path, name, err)
		}
		if len(e.DataOffsets) != 2 {
			return nil, fmt.Errorf("%s: tensor %q: data_offsets has %d values, want 2", path, name, len(e.DataOffsets))
		}
		begin, end := e.DataOffsets[0], e.DataOffsets[1]
		if begin < 0 || end < begin {
			return nil, fmt.Errorf("%s: tensor %q: invalid data_offsets [%d, %d]", path, name, begin, end)
		}
		if end > dataLen {
			return nil, fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] run past the %d data bytes in the file (truncated?)", path, name, begin, end, dataLen)
		}
		numel := int64(1)
		for _, d := range e.Shape {
			if d < 0 {
				return nil, fmt.Errorf("%s: tensor %q: negative dimension in shape %v", path, name, e.Shape)
			}
			if d > 0 && numel > dataLen/int64(d) {
				return nil, fmt.Errorf("%s: tensor %q: shape %v has more elements than the file has bytes", path, name, e.Shape)
			}
			numel *= int64(d)
		}
		if elemSize, ok := storedDTypeSizes[e.DType]; ok && numel*int64(elemSize) != end-begin {
			return nil, fmt.Errorf("%s: tensor %q: data_offsets [%d, %d] hold %d bytes, but %s %v needs %d", path, name, begin, end, end-begin, e.DType, e.Shape, numel*int64(elemSize))
		}
		if e.Shape == nil {
			e.Shape = []int{}
		}
		st.entries[name] = safetensorsEntry{
			storedTensor: storedTensor{DType: e.DType, Shape: e.Shape, File: path},
			begin:        st.data + begin, end: st.data + end,
		}
	}
	if err := checkOverlaps(path, st.entries); err != nil {
		return nil, err
	}
	return st, nil
}

// checkOverlaps refuses tensors whose bytes overlap: a broken writer (or a
// file made by hand) can point every tensor at offset 0, which reads as
// weights and gives numbers from garbage.
func checkOverlaps(path string, entries map[string]safetensorsEntry) error {
	names := make([]string, 0, len(entries))
	for name, e := range entries {
		if e.end > e.begin {
			names = append(names, name)
		}
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := cmp.Compare(entries[a].begin, entries[b].begin); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for i := 1; i < len(names); i++ {
		prev, cur := entries[names[i-1]], entries[names[i]]
		if cur.begin < prev.end {
			return fmt.Errorf("%s: tensors %q and %q overlap (file bytes [%d, %d) and [%d, %d)): a damaged or hand-made file",
				path, names[i-1], names[i], prev.begin, prev.end, cur.begin, cur.end)
		}
	}
	return nil
}

// storedDTypeSizes are the byte sizes of the safetensors dtypes, for checking
// offsets of tensors we do not convert as well as of those we do.
var storedDTypeSizes = map[string]int{
	"F64": 8, "F32": 4, "F16": 2, "BF16": 2,
	"I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
}

func (s *safetensorsFile) Tensors() map[string]storedTensor {
	out := make(map[string]storedTensor, len(s.entries))
	for name, e := range s.entries {
		out[name] = e.storedTensor
	}
	return out
}

// readChunkBytes is how much of a tensor is read and converted at a time.
const readChunkBytes = 1 << 20

func (s *safetensorsFile) ReadFloat32(name string, dst []float32) error {
	e, ok := s.entries[name]
	if !ok {
		return fmt.Errorf("%s: no tensor %q", s.path, name)
	}
	elemSize, ok := dtypeSizes[e.DType]
	if !ok {
		return fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", s.path, name, e.DType)
	}
	if int64(len(dst))*int64(elemSize) != e.end-e.begin {
		return fmt.Errorf("%s: tensor %q holds %d bytes, destination wants %d elements of %s", s.path, name, e.end-e.begin, len(dst), e.DType)
	}
	buf := make([]byte, min(readChunkBytes, e.end-e.begin))
	for off := e.begin; off < e.end; {
		chunk := buf[:min(int64(len(buf)), e.end-off)]
		if _, err := s.f.ReadAt(chunk, off); err != nil {
			return fmt.Errorf("%s: tensor %q: reading bytes [%d, %d): %w", s.path, name, off, off+int64(len(chunk)), err)
		}
		n := len(chunk) / elemSize
		convertToFloat32(e.DType, chunk, dst[:n])
		if err := checkFinite(s.path, name, dst[:n], (off-e.begin)/int64(elemSize)); err != nil {
			return err
		}
		dst = dst[n:]
		off += int64(len(chunk))
	}
	return nil
}

// convertToFloat32 decodes little-endian F32, F16 or BF16 values from src into dst.
func convertToFloat32(dtype string, src []byte, dst []float32) {
	switch dtype {
	case "F32":
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case "F16":
		for i := range dst {
			dst[i] = float16.Frombits(binary.LittleEndian.Uint16(src[2*i:])).Float32()
		}
	case "BF16":
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
		}
	}
}

func (s *safetensorsFile) Close() error { return s.f.Close() }
