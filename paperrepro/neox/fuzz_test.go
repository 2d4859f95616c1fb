package neox

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"testing"
)

// safetensorsBytes is a safetensors file holding header (name -> entry)
// followed by data.
func safetensorsBytes(header map[string]any, data []byte) []byte {
	h, _ := json.Marshal(header)
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
	return append(append(out, h...), data...)
}

// FuzzSafetensorsHeader: any bytes read as a safetensors file give an error
// or a header whose every tensor lies inside the file, holds exactly the
// bytes its dtype and shape need, and overlaps no other. It parses from
// memory, so each input costs microseconds.
func FuzzSafetensorsHeader(f *testing.F) {
	two := map[string]any{
		"a":            map[string]any{"dtype": "F32", "shape": []int{2, 2}, "data_offsets": []int{0, 16}},
		"b":            map[string]any{"dtype": "F16", "shape": []int{3}, "data_offsets": []int{16, 22}},
		"__metadata__": map[string]any{"format": "pt"},
	}
	f.Add(safetensorsBytes(two, make([]byte, 22)))
	overlapping := map[string]any{
		"a": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{0, 8}},
		"b": map[string]any{"dtype": "F32", "shape": []int{2}, "data_offsets": []int{4, 12}},
	}
	f.Add(safetensorsBytes(overlapping, make([]byte, 12)))
	f.Add(safetensorsBytes(map[string]any{"a": map[string]any{"dtype": "F32", "shape": []int{1 << 31, 1 << 31}, "data_offsets": []int{0, 0}}}, nil))
	f.Add(safetensorsBytes(two, make([]byte, 10)))
	f.Add([]byte{})
	f.Add([]byte("\x02\x00\x00\x00\x00\x00\x00\x00{}"))
	f.Fuzz(func(t *testing.T, file []byte) {
		st, err := readSafetensorsHeader("fuzz.safetensors", bytes.NewReader(file), int64(len(file)))
		if err != nil {
			return
		}
		type span struct{ begin, end int64 }
		var spans []span
		for name, e := range st.entries {
			if e.begin < st.data || e.end < e.begin || e.end > int64(len(file)) {
				t.Fatalf("tensor %q: bytes [%d, %d) outside the data [%d, %d)", name, e.begin, e.end, st.data, len(file))
			}
			if size, ok := storedDTypeSizes[e.DType]; ok {
				numel := int64(1)
				for _, d := range e.Shape {
					numel *= int64(d)
				}
				if numel*int64(size) != e.end-e.begin {
					t.Fatalf("tensor %q: %s %v in %d bytes", name, e.DType, e.Shape, e.end-e.begin)
				}
			}
			for _, s := range spans {
				if e.begin < e.end && e.begin < s.end && s.begin < e.end {
					t.Fatalf("tensor %q: bytes [%d, %d) overlap [%d, %d)", name, e.begin, e.end, s.begin, s.end)
				}
			}
			if e.begin < e.end {
				spans = append(spans, span{e.begin, e.end})
			}
		}
	})
}

// FuzzPytorchBin: any data.pkl in a torch archive whose storages 0, 1 and 2
// hold 6, 3 and 6 float32 values gives an error when read, or tensors that
// each read without a panic (an error at most). Seeds are state dicts as
// torch.save writes them, plain and ordered, and damaged ones of
// TestPytorchBinBadInput. It reads from memory: microseconds per input.
func FuzzPytorchBin(f *testing.F) {
	storages := map[string]int{"0": 6, "1": 3, "2": 6}
	w := binTensor{name: "w", key: "0", numel: 6, size: []int{2, 3}, stride: []int{3, 1}}
	b := binTensor{name: "b", key: "1", numel: 3, size: []int{3}, stride: []int{1}}
	twice := binTensor{name: "w", key: "2", numel: 6, size: []int{2, 3}, stride: []int{3, 1}}
	negative := w
	negative.stride, negative.offset = []int{3, -1}, 2
	f.Add(statePickle([]binTensor{w, b}, binOptions{}))
	f.Add(statePickle([]binTensor{w, b}, binOptions{ordered: true}))
	f.Add(statePickle([]binTensor{w, b, twice}, binOptions{ordered: true}))
	f.Add(statePickle([]binTensor{negative, b}, binOptions{}))
	f.Add(statePickle([]binTensor{w, b}, binOptions{missingValue: "b"}))
	f.Add(statePickle([]binTensor{w, b}, binOptions{missingClass: "w"}))
	f.Fuzz(func(t *testing.T, pkl []byte) {
		archive := binArchive(t, pkl, storages)
		bin, err := readPytorchBin("fuzz.bin", bytes.NewReader(archive), int64(len(archive)))
		if err != nil {
			return
		}
		for name, st := range bin.Tensors() {
			numel := 1
			for _, d := range st.Shape {
				numel *= d
			}
			if numel < 0 || numel > 1<<16 { // an expanded view (stride 0) may be huge: not worth allocating
				continue
			}
			_ = bin.ReadFloat32(name, make([]float32, numel))
		}
	})
}
