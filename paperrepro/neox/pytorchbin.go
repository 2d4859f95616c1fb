package neox

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"

	"github.com/paperrepro/paperrepro/paperrepro/internal/panics"
)

// A pytorch_model.bin is a zip archive (torch.save since PyTorch 1.6):
// <root>/data.pkl pickles the state dict, each tensor as a call to
// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...), where a
// storage is a persistent id ("storage", torch.HalfStorage, key, device, numel)
// whose bytes are the archive entry <root>/data/<key>.
//
// gopickle unpickles data.pkl; we resolve storages ourselves, lazily, so that
// only one tensor's bytes are in memory at a time, and convert F16 with
// x448/float16 (gopickle's own half-float conversion is wrong for subnormals
// and negative zero in v0.2.0).

// pytorchBin is an open pytorch_model.bin.
type pytorchBin struct {
	path    string
	archive *zip.ReadCloser
	entries map[string]*zip.File // by name inside the archive
	root    string               // folder holding data.pkl
	tensors map[string]*pickledTensor
	stored  map[string]storedTensor
}

// torchStorage is a storage referenced from data.pkl, read on demand.
type torchStorage struct {
	dtype string // safetensors spelling
	key   string
	numel int
}

// torchStorageClass stands for torch.<Type>Storage while unpickling.
type torchStorageClass struct{ dtype string }

// pickledTensor is a tensor view on a storage.
type pickledTensor struct {
	storage *torchStorage
	offset  int
	size    []int
	stride  []int
}

// torchStorageDTypes maps torch storage class names to dtypes.
var torchStorageDTypes = map[string]string{
	"FloatStorage": "F32", "HalfStorage": "F16", "BFloat16Storage": "BF16",
	"DoubleStorage": "F64", "LongStorage": "I64", "IntStorage": "I32",
	"ShortStorage": "I16", "CharStorage": "I8", "ByteStorage": "U8", "BoolStorage": "BOOL",
}

// rebuildTensor is torch._utils._rebuild_tensor_v2.
type rebuildTensor struct{}

func (rebuildTensor) Call(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: %d arguments, want at least 4", len(args))
	}
	storage, ok1 := args[0].(*torchStorage)
	offset, ok2 := args[1].(int)
	size, ok3 := args[2].(*types.Tuple)
	stride, ok4 := args[3].(*types.Tuple)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("_rebuild_tensor_v2: unexpected arguments %T, %T, %T, %T", args[0], args[1], args[2], args[3])
	}
	t := &pickledTensor{storage: storage, offset: offset}
	var err error
	if t.size, err = intsOf(size); err != nil {
		return nil, err
	}
	if t.stride, err = intsOf(stride); err != nil {
		return nil, err
	}
	if len(t.size) != len(t.stride) {
		return nil, fmt.Errorf("_rebuild_tensor_v2: size %v and stride %v differ in rank", t.size, t.stride)
	}
	return t, nil
}

func intsOf(tuple *types.Tuple) ([]int, error) {
	out := make([]int, tuple.Len())
	for i := range out {
		v, ok := tuple.Get(i).(int)
		if !ok {
			return nil, fmt.Errorf("tuple of ints expected, got %v", tuple)
		}
		out[i] = v
	}
	return out, nil
}

func openPytorchBin(filePath string) (_ *pytorchBin, err error) {
	archive, err := zip.OpenReader(filePath)
	if err != nil {
		return nil, fmt.Errorf("%s: opening as a torch zip archive (legacy non-zip torch.save files are not supported): %w", filePath, err)
	}
	b := &pytorchBin{path: filePath, archive: archive, entries: map[string]*zip.File{},
		tensors: map[string]*pickledTensor{}, stored: map[string]storedTensor{}}
	defer func() {
		if err != nil {
			_ = archive.Close()
		}
	}()
	defer panics.Recover(&err, "%s: reading data.pkl", filePath) // gopickle can panic on malformed input
	var pkl *zip.File
	for _, f := range archive.File {
		b.entries[f.Name] = f
		if path.Base(f.Name) == "data.pkl" && (pkl == nil || len(f.Name) < len(pkl.Name)) {
			pkl = f
		}
	}
	if pkl == nil {
		return nil, fmt.Errorf("%s: no data.pkl in the archive", filePath)
	}
	b.root = path.Dir(pkl.Name)
	r, err := pkl.Open()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filePath, err)
	}
	defer func() { _ = r.Close() }()
	u := pickle.NewUnpickler(r)
	u.FindClass = func(module, name string) (any, error) {
		if module == "torch._utils" && name == "_rebuild_tensor_v2" {
			return rebuildTensor{}, nil
		}
		if dtype, ok := torchStorageDTypes[name]; ok && module == "torch" {
			return &torchStorageClass{dtype}, nil
		}
		return nil, fmt.Errorf("unsupported class %s.%s in data.pkl", module, name)
	}
	u.PersistentLoad = func(id any) (any, error) {
		tuple, ok := id.(*types.Tuple)
		if !ok || tuple.Len() < 5 || tuple.Get(0) != "storage" {
			return nil, fmt.Errorf("unexpected persistent id %v", id)
		}
		class, ok1 := tuple.Get(1).(*torchStorageClass)
		key, ok2 := tuple.Get(2).(string)
		numel, ok3 := tuple.Get(4).(int)
		if !ok1 || !ok2 || !ok3 {
			return nil, fmt.Errorf("unexpected storage id %v", id)
		}
		return &torchStorage{dtype: class.dtype, key: key, numel: numel}, nil
	}
	obj, err := u.Load()
	if err != nil {
		return nil, fmt.Errorf("%s: reading data.pkl: %w", filePath, err)
	}
	if err := b.addStateDict(obj); err != nil {
		return nil, err
	}
	return b, nil
}

// addStateDict records the name -> tensor entries of the unpickled state dict.
func (b *pytorchBin) addStateDict(obj any) error {
	add := func(key, value any) error {
		name, ok := key.(string)
		if !ok {
			return fmt.Errorf("%s: state dict key %v is a %T, want a string", b.path, key, key)
		}
		t, ok := value.(*pickledTensor)
		if !ok {
			return fmt.Errorf("%s: state dict entry %q is a %T, want a tensor", b.path, name, value)
		}
		b.tensors[name] = t
		b.stored[name] = storedTensor{DType: t.storage.dtype, Shape: t.size, File: b.path}
		return nil
	}
	switch dict := obj.(type) {
	case *types.OrderedDict:
		for e := dict.List.Front(); e != nil; e = e.Next() {
			entry := e.Value.(*types.OrderedDictEntry)
			if err := add(entry.Key, entry.Value); err != nil {
				return err
			}
		}
	case *types.Dict:
		for _, entry := range *dict {
			if err := add(entry.Key, entry.Value); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: data.pkl holds a %T, want a state dict", b.path, obj)
	}
	return nil
}

func (b *pytorchBin) Tensors() map[string]storedTensor { return b.stored }

// ReadFloat32 reads tensor name's storage from the archive and copies the
// view (offset and strides) into dst, converting to float32.
func (b *pytorchBin) ReadFloat32(name string, dst []float32) error {
	t, ok := b.tensors[name]
	if !ok {
		return fmt.Errorf("%s: no tensor %q", b.path, name)
	}
	elemSize, ok := dtypeSizes[t.storage.dtype]
	if !ok {
		return fmt.Errorf("%s: tensor %q has dtype %s, want F32, F16 or BF16", b.path, name, t.storage.dtype)
	}
	numel := 1
	last := t.offset
	for i, d := range t.size {
		numel *= d
		if d > 0 {
			last += (d - 1) * t.stride[i]
		}
	}
	if len(dst) != numel {
		return fmt.Errorf("%s: tensor %q has %d elements, destination wants %d", b.path, name, numel, len(dst))
	}
	if numel > 0 && (t.offset < 0 || last >= t.storage.numel) {
		return fmt.Errorf("%s: tensor %q: shape %v, strides %v at offset %d run past its storage of %d elements", b.path, name, t.size, t.stride, t.offset, t.storage.numel)
	}
	entryName := strings.TrimPrefix(b.root+"/data/"+t.storage.key, "./")
	entry, ok := b.entries[entryName]
	if !ok {
		return fmt.Errorf("%s: tensor %q: storage %s is missing from the archive", b.path, name, entryName)
	}
	if want := uint64(t.storage.numel * elemSize); entry.UncompressedSize64 != want {
		return fmt.Errorf("%s: tensor %q: storage %s has %d bytes, want %d (%d x %s)", b.path, name, entryName, entry.UncompressedSize64, want, t.storage.numel, t.storage.dtype)
	}
	r, err := entry.Open()
	if err != nil {
		return fmt.Errorf("%s: tensor %q: %w", b.path, name, err)
	}
	defer func() { _ = r.Close() }()
	raw := make([]byte, (last+1)*elemSize)
	if _, err := io.ReadFull(r, raw); err != nil {
		return fmt.Errorf("%s: tensor %q: reading storage %s: %w", b.path, name, entryName, err)
	}
	if contiguous(t.size, t.stride) {
		convertToFloat32(t.storage.dtype, raw[t.offset*elemSize:], dst)
		return checkFinite(b.path, name, dst, 0)
	}
	var one [1]float32
	index := make([]int, len(t.size))
	for i := range dst {
		off := t.offset
		for axis, j := range index {
			off += j * t.stride[axis]
		}
		convertToFloat32(t.storage.dtype, raw[off*elemSize:], one[:])
		dst[i] = one[0]
		for axis := len(index) - 1; axis >= 0; axis-- {
			index[axis]++
			if index[axis] < t.size[axis] {
				break
			}
			index[axis] = 0
		}
	}
	return checkFinite(b.path, name, dst, 0)
}

// contiguous reports whether strides are those of a row-major array of size.
func contiguous(size, stride []int) bool {
	want := 1
	for i := len(size) - 1; i >= 0; i-- {
		if size[i] != 1 && stride[i] != want {
			return false
		}
		want *= size[i]
	}
	return true
}

func (b *pytorchBin) Close() error { return b.archive.Close() }
