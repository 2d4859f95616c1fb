package neox

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// pickleWriter writes the protocol-2 pickle opcodes torch.save uses, to make
// data.pkl files with the defects a test needs.
type pickleWriter struct {
	bytes.Buffer
	memo int
}

func (w *pickleWriter) str(s string) {
	w.WriteByte('X') // BINUNICODE
	w.Write(binary.LittleEndian.AppendUint32(nil, uint32(len(s))))
	w.WriteString(s)
}

func (w *pickleWriter) int(n int) {
	w.WriteByte('J') // BININT
	w.Write(binary.LittleEndian.AppendUint32(nil, uint32(int32(n))))
}

func (w *pickleWriter) global(module, name string) { w.WriteString("c" + module + "\n" + name + "\n") }

// put stores the stack top in the next memo slot (BINPUT).
func (w *pickleWriter) put() { w.Write([]byte{'q', byte(w.memo)}); w.memo++ }

// get pushes memo slot i (BINGET), stored or not.
func (w *pickleWriter) get(i int) { w.Write([]byte{'h', byte(i)}) }

func (w *pickleWriter) ints(values []int) {
	w.WriteByte('(') // MARK
	for _, v := range values {
		w.int(v)
	}
	w.WriteByte('t') // TUPLE
}

// binTensor is one state dict entry: a view on a float32 storage.
type binTensor struct {
	name         string
	key          string // storage key; its bytes are numel float32 values
	numel        int
	offset       int
	size, stride []int
}

// binOptions choose the state dict's type and plant defects in data.pkl.
type binOptions struct {
	ordered      bool // collections.OrderedDict, as state_dict() returns; else a dict
	missingDict  bool // the pickle's result is a memo slot never stored
	missingValue string
	missingClass string // the storage class of this tensor is a memo slot never stored
}

// writeBin writes a torch zip archive holding tensors to path; storage key
// k holds float32 values 100*len(k)+0, +1, ... so reads can be checked.
func writeBin(t testing.TB, path string, tensors []binTensor, opt binOptions) {
	t.Helper()
	storages := map[string]int{}
	for _, x := range tensors {
		storages[x.key] = x.numel
	}
	if err := os.WriteFile(path, binArchive(t, statePickle(tensors, opt), storages), 0o644); err != nil {
		t.Fatal(err)
	}
}

// statePickle is the data.pkl of a state dict holding tensors.
func statePickle(tensors []binTensor, opt binOptions) []byte {
	var w pickleWriter
	w.Write([]byte{0x80, 2}) // PROTO 2
	if opt.missingDict {
		w.get(200)
		w.WriteByte('.') // STOP
		return w.Bytes()
	}
	if opt.ordered {
		w.global("collections", "OrderedDict")
		w.WriteString(")R") // EMPTY_TUPLE, REDUCE
	} else {
		w.WriteByte('}') // EMPTY_DICT
	}
	w.WriteByte('(')
	for _, x := range tensors {
		w.str(x.name)
		if x.name == opt.missingValue {
			w.get(201)
			continue
		}
		w.global("torch._utils", "_rebuild_tensor_v2")
		w.WriteByte('(')
		w.WriteByte('(')
		w.str("storage")
		if x.name == opt.missingClass {
			w.get(202)
		} else {
			w.global("torch", "FloatStorage")
		}
		w.str(x.key)
		w.str("cpu")
		w.int(x.numel)
		w.WriteString("tQ") // TUPLE, BINPERSID
		w.int(x.offset)
		w.ints(x.size)
		w.ints(x.stride)
		w.WriteByte(0x89) // NEWFALSE
		w.global("collections", "OrderedDict")
		w.WriteString(")R") // backward hooks
		w.WriteString("tR")
		w.put()
	}
	w.WriteString("u.") // SETITEMS, STOP
	return w.Bytes()
}

// binArchive is a torch zip archive of data.pkl pkl and float32 storages
// (key -> element count).
func binArchive(t testing.TB, pkl []byte, storages map[string]int) []byte {
	t.Helper()
	var zipped bytes.Buffer
	z := zip.NewWriter(&zipped)
	add := func(name string, data []byte) {
		f, err := z.CreateHeader(&zip.FileHeader{Name: "archive/" + name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		f.Write(data)
	}
	add("data.pkl", pkl)
	for _, key := range slices.Sorted(maps.Keys(storages)) {
		data := make([]byte, 0, 4*storages[key])
		for i := range storages[key] {
			data = binary.LittleEndian.AppendUint32(data, math.Float32bits(float32(len(key))*100+float32(i)))
		}
		add("data/"+key, data)
	}
	add("version", []byte("3\n"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return zipped.Bytes()
}

// TestPytorchBinViews checks that views are read as PyTorch lays them out:
// an offset, a transposed (non-contiguous) view, and one storage shared by
// two tensors.
func TestPytorchBinViews(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pytorch_model.bin")
	writeBin(t, path, []binTensor{
		{name: "a", key: "0", numel: 6, offset: 0, size: []int{2, 3}, stride: []int{3, 1}},
		{name: "a.T", key: "0", numel: 6, offset: 0, size: []int{3, 2}, stride: []int{1, 3}},
		{name: "tail", key: "0", numel: 6, offset: 4, size: []int{2}, stride: []int{1}},
	}, binOptions{ordered: true})
	b, err := openPytorchBin(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for name, want := range map[string][]float32{
		"a":    {100, 101, 102, 103, 104, 105},
		"a.T":  {100, 103, 101, 104, 102, 105},
		"tail": {104, 105},
	} {
		got := make([]float32, len(want))
		if err := b.ReadFloat32(name, got); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

func f32Bytes(v []float32) []byte {
	var out []byte
	for _, x := range v {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
	}
	return out
}

// TestPytorchBinBadInput checks that a damaged pytorch_model.bin is refused
// when opened, with an error naming the file and, where there is one, the
// tensor: never a runtime panic, a <nil> or a silently chosen entry.
func TestPytorchBinBadInput(t *testing.T) {
	good := func() []binTensor {
		return []binTensor{
			{name: "w", key: "0", numel: 6, size: []int{2, 3}, stride: []int{3, 1}},
			{name: "b", key: "1", numel: 3, size: []int{3}, stride: []int{1}},
		}
	}
	edit := func(f func([]binTensor) []binTensor) func() []binTensor {
		return func() []binTensor { return f(good()) }
	}
	for _, tc := range []struct {
		name     string
		tensors  func() []binTensor
		opt      binOptions
		wantErrs []string
	}{
		{"negative stride", edit(func(ts []binTensor) []binTensor { ts[0].stride = []int{3, -1}; ts[0].offset = 2; return ts }),
			binOptions{}, []string{`tensor "w"`, "negative stride"}},
		{"negative offset", edit(func(ts []binTensor) []binTensor { ts[1].offset = -1; return ts }),
			binOptions{}, []string{`tensor "b"`, "negative storage offset"}},
		{"negative size", edit(func(ts []binTensor) []binTensor { ts[1].size = []int{-3}; return ts }),
			binOptions{}, []string{`tensor "b"`, "negative size"}},
		{"view past its storage", edit(func(ts []binTensor) []binTensor { ts[0].stride = []int{4, 1}; return ts }),
			binOptions{}, []string{`tensor "w"`, "run past its storage"}},
		{"huge stride", edit(func(ts []binTensor) []binTensor { ts[0].stride = []int{math.MaxInt32, 1}; return ts }),
			binOptions{}, []string{`tensor "w"`, "run past its storage"}},
		{"rank mismatch", edit(func(ts []binTensor) []binTensor { ts[0].stride = []int{1}; return ts }),
			binOptions{}, []string{`tensor "w"`, "differ in rank"}},
		{"state dict is a missing memo slot", good, binOptions{missingDict: true},
			[]string{"data.pkl", "memo slot 200", "never stored"}},
		{"tensor is a missing memo slot", good, binOptions{missingValue: "b"},
			[]string{"data.pkl", "memo slot 201", "never stored"}},
		{"storage class is a missing memo slot", good, binOptions{missingClass: "w"},
			[]string{"data.pkl", "memo slot 202", "never stored"}},
		{"tensor listed twice in a dict", edit(func(ts []binTensor) []binTensor {
			return append(ts, binTensor{name: "w", key: "2", numel: 6, size: []int{2, 3}, stride: []int{3, 1}})
		}), binOptions{}, []string{`tensor "w" twice`}},
		{"tensor listed twice in an OrderedDict", edit(func(ts []binTensor) []binTensor {
			return append(ts, binTensor{name: "w", key: "2", numel: 6, size: []int{2, 3}, stride: []int{3, 1}})
		}), binOptions{ordered: true}, []string{`tensor "w" twice`}},
		{"last tensor listed twice in an OrderedDict", edit(func(ts []binTensor) []binTensor {
			return append(ts, binTensor{name: "b", key: "2", numel: 3, size: []int{3}, stride: []int{1}})
		}), binOptions{ordered: true}, []string{`tensor "b" twice`}},
		{"one storage described twice", edit(func(ts []binTensor) []binTensor { ts[1].key = "0"; ts[1].numel = 3; return ts }),
			binOptions{}, []string{"storage 0 is described twice"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "pytorch_model.bin")
			writeBin(t, path, tc.tensors(), tc.opt)
			b, err := openPytorchBin(path)
			if err == nil {
				b.Close()
				t.Fatal("opened, want an error")
			}
			for _, want := range append([]string{path}, tc.wantErrs...) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// TestPytorchBinChecksum flips one byte of a tensor's storage: the archive's
// CRC-32 refuses it by tensor name instead of loading a wrong weight.
func TestPytorchBinChecksum(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pytorch_model.bin")
	writeBin(t, path, []binTensor{{name: "w", key: "0", numel: 6, size: []int{6}, stride: []int{1}}}, binOptions{})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, f32Bytes([]float32{102}))
	if at < 0 {
		t.Fatal("storage bytes not found in the archive")
	}
	data[at] ^= 1
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := openPytorchBin(path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.ReadFloat32("w", make([]float32, 6))
	if err == nil || !strings.Contains(err.Error(), `tensor "w"`) || !strings.Contains(err.Error(), "CRC-32") {
		t.Errorf("got %v, want a CRC-32 error naming tensor w", err)
	}
}

// TestCheckPickle checks the opcode walk that runs before gopickle: a
// length past the end (which gopickle would allocate, up to 4 GB), an
// unknown opcode, a memo slot never stored, and a pickle without STOP.
func TestCheckPickle(t *testing.T) {
	good := statePickle([]binTensor{{name: "w", key: "0", numel: 6, size: []int{6}, stride: []int{1}}}, binOptions{ordered: true})
	if err := checkPickle(good); err != nil {
		t.Fatalf("a pickle as torch.save writes it: %v", err)
	}
	for _, tc := range []struct {
		name, pickle, wantErr string
	}{
		{"string longer than the data", "\x80\x02X\x03\x00\x00\xcbcpu.", "announces 3405774851 bytes"},
		{"unknown opcode", "\x80\x02\xff.", "unknown pickle opcode 0xff"},
		{"memo slot never stored", "\x80\x02N\x94h\x01.", "reads memo slot 1"},
		{"memo slot stored by MEMOIZE", "\x80\x02N\x94h\x00.", ""},
		{"no STOP", "\x80\x02N", "without STOP"},
		{"unterminated GLOBAL", "\x80\x02ctorch\nFloat", "unterminated line"},
	} {
		err := checkPickle([]byte(tc.pickle))
		if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
